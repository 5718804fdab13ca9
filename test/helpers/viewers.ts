import { viewerFromClaims, type Viewer } from '../../lib/viewer.js';

/**
 * A viewer for tests: `roles` in a province, a local network of it, or headquarters (neither).
 * Its `sub` says who it is (`agent.SZ`, `admin.hq`), which is what billing receives as OperatorID.
 */
export function testViewer(roles: string[], province?: string, localNetwork?: string): Viewer {
  return viewerFromClaims({
    sub: `${roles.join('+')}.${localNetwork ?? province ?? 'hq'}`,
    roles,
    region: province === undefined ? {} : localNetwork === undefined ? { province } : { province, localNetwork },
  });
}
