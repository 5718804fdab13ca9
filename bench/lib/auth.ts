import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { viewerFromClaims } from '../../lib/viewer.js';
import { DEV_AUDIENCE, DEV_ISSUER, ensureDevKeys, EXAMPLE_VIEWERS, loadKey, signDevToken, VIEWER_HEADER, ViewerSigner } from '../../lib/viewerToken.js';

/**
 * Authentication for the benchmark's stack, as `npm start` sets it up but with keys of the run's
 * own (a temporary folder): the gateway verifies callers' tokens and signs viewers for the
 * subgraphs; the subgraphs verify those. The load runs as the HQ admin (everything in scope, PII
 * in full: the most data per answer). "Off" is the benchmark-only `AUTH_DISABLED=true` with no
 * audit, for the issue-6 ratio.
 */
export interface BenchAuth {
  /** The run's temporary folder: keys, and the audit logs of the runs with auth on. */
  readonly dir: string;
  /** Variables of our gateway; `auditLog` names the file its audit lines go to. */
  gatewayEnv(on: boolean, auditLog: string): Record<string, string>;
  subgraphEnv(on: boolean): Record<string, string>;
  /** Headers a client of our gateway sends. */
  readonly clientHeaders: Readonly<Record<string, string>>;
  /**
   * Headers the load sends to the peer gateway, which cannot verify our callers' tokens: a viewer
   * token signed beforehand with the gateway's key (HQ admin, valid a day), forwarded by the peer
   * to every subgraph (bench/peer/gateway.config.mjs).
   */
  readonly peerHeaders: Readonly<Record<string, string>>;
}

const DAY_S = 24 * 3600;

export async function benchAuth(): Promise<BenchAuth> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-auth-'));
  const keys = ensureDevKeys(path.join(dir, 'keys'));
  const admin = EXAMPLE_VIEWERS.find((v) => (v.roles as readonly string[]).includes('admin'))!;
  const clientToken = await signDevToken(loadKey(keys.issuerPrivate, 'private', 'the bench issuer key'), admin, { ttlSeconds: DAY_S });
  const viewerToken = await new ViewerSigner(loadKey(keys.gatewayPrivate, 'private', 'the bench gateway key'), DAY_S).sign(viewerFromClaims(admin));
  return {
    dir,
    gatewayEnv: (on, auditLog): Record<string, string> =>
      on
        ? { AUTH_PUBLIC_KEY: keys.issuerPublic, AUTH_ISSUER: DEV_ISSUER, AUTH_AUDIENCE: DEV_AUDIENCE, VIEWER_SIGNING_KEY: keys.gatewayPrivate, AUTH_DISABLED: 'false', AUDIT_LOG: auditLog }
        : { AUTH_DISABLED: 'true', AUDIT_LOG: 'off' },
    subgraphEnv: (on): Record<string, string> => (on ? { VIEWER_VERIFY_KEY: keys.gatewayPublic, AUTH_DISABLED: 'false' } : { AUTH_DISABLED: 'true' }),
    clientHeaders: { authorization: `Bearer ${clientToken}` },
    peerHeaders: { [VIEWER_HEADER]: viewerToken },
  };
}
