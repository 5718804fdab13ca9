import { badUserInput } from '../../../lib/errors.js';
import type { QueryResolvers } from '../generated/resolvers-types.js';
import { normalizeServiceNumber, SERVICE_NUMBER_FORMAT } from '../keys.js';
import { loadVisibleCustomer } from '../scope.js';

export const Query: QueryResolvers = {
  /**
   * An unknown (well-formed) number is null with no error; a malformed one never reaches billing
   * (the format check is also what keeps markup out of the SOAP request). The owner of a line
   * outside the viewer's region is null with FORBIDDEN (scope.ts).
   */
  customerByServiceNumber: (_parent, { serviceNumber }, ctx) => {
    const number = normalizeServiceNumber(serviceNumber);
    if (!number) throw badUserInput('billing', 'serviceNumber', serviceNumber, SERVICE_NUMBER_FORMAT);
    return loadVisibleCustomer(ctx, ctx.loaders.customerByServiceNumber, number, `The customer of service line ${number}`, { serviceNumber: number });
  },
};
