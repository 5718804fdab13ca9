import type { CustomerResolvers } from '../generated/resolvers-types.js';

/** `Customer`, owned by the CRM: this subgraph adds the customer's points balance from the loyalty ledger. */
export const Customer: CustomerResolvers = {
  // Nothing to read about the customer as such: the key is all the fields need.
  __resolveReference(ref) {
    return ref;
  },

  loyalty(customer, _args, ctx) {
    return ctx.loaders.account.load(customer.id);
  },
};
