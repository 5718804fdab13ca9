import { badUserInput } from '../../../lib/errors.js';
import type { CustomerResolvers } from '../generated/resolvers-types.js';
import { CUSTOMER_ID_FORMAT, isCustomerId } from '../keys.js';

const SYSTEM = 'loyalty';

/** `Customer`, owned by the CRM: this subgraph adds the customer's points balance from the loyalty ledger. */
export const Customer: CustomerResolvers = {
  // Nothing to read about the customer as such: the key is all the fields need. A key that is no
  // CRM Row Id cannot come from the CRM: refused before the legacy system is asked (async, so
  // that only this representation fails, not the whole `_entities`).
  async __resolveReference(ref) {
    if (!isCustomerId(ref.id)) throw badUserInput(SYSTEM, 'representations.id', ref.id, CUSTOMER_ID_FORMAT);
    return ref;
  },

  loyalty(customer, _args, ctx) {
    return ctx.loaders.account.load(customer.id);
  },
};
