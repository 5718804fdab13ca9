import { badUserInput } from '../../../lib/errors.js';
import type { QueryResolvers } from '../generated/resolvers-types.js';
import { isOutageId, isRegionCode, OUTAGE_ID_FORMAT, REGION_CODE_FORMAT } from '../keys.js';
import { primeOutages } from '../loaders.js';
import { inViewerScope, scopedOutageFilter, visibleOutage } from '../scope.js';

/**
 * A region code argument: absent when null, upper-cased, refused when malformed — which is also
 * what keeps anything but two letters out of the NMS's query string.
 */
function regionCode(argument: string, value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  const code = value.trim().toUpperCase();
  if (!isRegionCode(code)) throw badUserInput('network', argument, value, REGION_CODE_FORMAT);
  return code;
}

/**
 * Root look-ups. Arguments are checked before the NMS is asked; `outages` is narrowed to the
 * viewer's region at the NMS and `outage` outside it is null with FORBIDDEN (scope.ts).
 */
export const Query: QueryResolvers = {
  async outages(_root, args, ctx) {
    const province = regionCode('province', args.province);
    const localNetwork = regionCode('localNetwork', args.localNetwork);
    const filter = scopedOutageFilter(ctx.viewer, { province, localNetwork });
    // Another region than the viewer's: nothing the viewer may see could match.
    if (filter === 'empty') return [];
    // An unknown region is an empty list, as the NMS answers it.
    const outages = inViewerScope(ctx.viewer, await ctx.loaders.outageList.load(filter));
    primeOutages(ctx.loaders, outages);
    return outages;
  },

  async outage(_root, { id }, ctx) {
    if (!isOutageId(id)) throw badUserInput('network', 'id', id, OUTAGE_ID_FORMAT);
    // design.md: a root look-up of an unknown key is null, with no error.
    return visibleOutage(ctx, await ctx.loaders.outage.load(id));
  },
};
