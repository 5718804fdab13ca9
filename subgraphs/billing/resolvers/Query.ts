import { badUserInput } from '../../../lib/errors.js';
import type { QueryResolvers } from '../generated/resolvers-types.js';
import { normalizeServiceNumber, SERVICE_NUMBER_FORMAT } from '../keys.js';

export const Query: QueryResolvers = {
  /** An unknown (well-formed) number is null with no error; a malformed one never reaches billing. */
  customerByServiceNumber: (_parent, { serviceNumber }, ctx) => {
    const number = normalizeServiceNumber(serviceNumber);
    if (!number) throw badUserInput('billing', 'serviceNumber', serviceNumber, SERVICE_NUMBER_FORMAT);
    return ctx.loaders.customerByServiceNumber.load(number);
  },
};
