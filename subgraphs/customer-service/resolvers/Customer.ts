import { checkFirst, connection, offsetAfter } from '../../shared/pagination.js';
import type { CustomerResolvers } from '../generated/resolvers-types.js';
import { canonicalStatuses, loadCustomer } from '../loaders.js';
import { contactsFor, identificationFor } from '../pii.js';

const SYSTEM = 'customer-service';

/**
 * `Customer`, whose identity this subgraph owns (the CRM is the source of truth). A reference
 * resolves through the customer loader, so every representation of an `_entities` call shares
 * one `customers:lookup` per 50; a customer the CRM does not know resolves to null, which leaves
 * this subgraph's fields null and the other subgraphs' fields untouched.
 */
export const Customer: CustomerResolvers = {
  __resolveReference(ref, ctx) {
    return loadCustomer(ctx.loaders, ref.id);
  },

  identification: (customer, _args, ctx) => identificationFor(customer, ctx),
  contacts: (customer, _args, ctx) => contactsFor(customer, ctx),

  group(customer, _args, ctx) {
    // contract §3: `Parent Row Id` names the group parent; a parent the CRM has lost is no group.
    return customer.groupId === null ? null : loadCustomer(ctx.loaders, customer.groupId);
  },

  async groupMembers(customer, { first, after }, ctx) {
    const count = checkFirst(SYSTEM, first);
    const offset = offsetAfter(SYSTEM, after);
    const page = await ctx.loaders.customerPage.load({ filter: { groupId: customer.id }, offset, count });
    return connection(page.items, offset, page.hasNextPage);
  },

  tickets(customer, { status, first }, ctx) {
    const count = checkFirst(SYSTEM, first);
    if (count === 0) return [];
    return ctx.loaders.customerTickets.load({ customerId: customer.id, statuses: canonicalStatuses(status), first: count });
  },

  interactions(customer, { first }, ctx) {
    const count = checkFirst(SYSTEM, first);
    if (count === 0) return [];
    return ctx.loaders.customerInteractions.load({ customerId: customer.id, first: count });
  },

  satisfaction(customer, _args, ctx) {
    return ctx.loaders.satisfaction.load(customer.id);
  },
};
