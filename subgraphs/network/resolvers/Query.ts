import { badUserInput } from '../../../lib/errors.js';
import type { QueryResolvers } from '../generated/resolvers-types.js';
import { isOutageId, isRegionCode, OUTAGE_ID_FORMAT, REGION_CODE_FORMAT } from '../keys.js';
import { primeOutages } from '../loaders.js';

/** A region code argument: absent when null, upper-cased, refused when malformed. */
function regionCode(argument: string, value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  const code = value.trim().toUpperCase();
  if (!isRegionCode(code)) throw badUserInput('network', argument, value, REGION_CODE_FORMAT);
  return code;
}

export const Query: QueryResolvers = {
  async outages(_root, args, ctx) {
    const province = regionCode('province', args.province);
    const localNetwork = regionCode('localNetwork', args.localNetwork);
    // An unknown region is an empty list, as the NMS answers it.
    const outages = await ctx.loaders.outageList.load({ province, localNetwork });
    primeOutages(ctx.loaders, outages);
    return outages;
  },

  outage(_root, { id }, ctx) {
    if (!isOutageId(id)) throw badUserInput('network', 'id', id, OUTAGE_ID_FORMAT);
    // design.md: a root look-up of an unknown key is null, with no error.
    return ctx.loaders.outage.load(id);
  },
};
