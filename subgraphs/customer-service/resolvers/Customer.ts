import { getArgumentValues, isObjectType, Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import { checkFirst, connection, offsetAfter } from '../../shared/pagination.js';
import type { Context } from '../context.js';
import type { TicketStatus } from '../domain.js';
import type { CustomerResolvers } from '../generated/resolvers-types.js';
import { canonicalStatuses, loadCustomer } from '../loaders.js';
import { contactsFor, identificationFor } from '../pii.js';
import { inViewerScope, scopedConnection, scopedCustomerSearch, visibleCustomer } from '../scope.js';

const SYSTEM = 'customer-service';

/**
 * `Customer`, whose identity this subgraph owns (the CRM is the source of truth). A reference
 * resolves through the customer loader, so every representation of an `_entities` call shares
 * one `customers:lookup` per 50; a customer the CRM does not know resolves to null, which leaves
 * this subgraph's fields null and the other subgraphs' fields untouched. A customer outside the
 * viewer's region is null with FORBIDDEN, through `_entities` as everywhere (scope.ts), so no
 * subgraph's fields of it are read.
 */
export const Customer: CustomerResolvers = {
  async __resolveReference(ref, ctx, info) {
    prefetchTickets(ref.id, ctx, info);
    return visibleCustomer(ctx, await loadCustomer(ctx.loaders, ref.id));
  },

  identification: (customer, _args, ctx) => identificationFor(customer, ctx),
  contacts: (customer, _args, ctx) => contactsFor(customer, ctx),

  async group(customer, _args, ctx) {
    // contract §3: `Parent Row Id` names the group parent; a parent the CRM has lost is no group.
    // A parent in another region (a national group) is FORBIDDEN to a regional viewer.
    return customer.groupId === null ? null : visibleCustomer(ctx, await loadCustomer(ctx.loaders, customer.groupId));
  },

  async groupMembers(customer, { first, after }, ctx) {
    const count = checkFirst(SYSTEM, first);
    const offset = offsetAfter(SYSTEM, after);
    // Only the members in the viewer's region, asked of the CRM so that pages count only those.
    const filter = scopedCustomerSearch(ctx.viewer, { groupId: customer.id });
    if (filter === 'empty') return connection([], offset, false);
    const page = await ctx.loaders.customerPage.load({ filter, offset, count });
    return scopedConnection(ctx.viewer, page.items, offset, page.hasNextPage);
  },

  async tickets(customer, { status, first }, ctx) {
    const count = checkFirst(SYSTEM, first);
    if (count === 0) return [];
    // The loaders ask the CRM for the tickets in the viewer's region only; filtered again here.
    return inViewerScope(ctx.viewer, await ctx.loaders.customerTickets.load({ customerId: customer.id, statuses: canonicalStatuses(status), first: count }));
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

/** The `tickets` selections on Customer directly under a selection set (through inline fragments). */
function ticketFields(set: SelectionSetNode | undefined, out: FieldNode[] = []): FieldNode[] {
  for (const sel of set?.selections ?? []) {
    if (sel.kind === Kind.FIELD && sel.name.value === 'tickets') out.push(sel);
    else if (sel.kind === Kind.INLINE_FRAGMENT && (!sel.typeCondition || sel.typeCondition.name.value === 'Customer')) ticketFields(sel.selectionSet, out);
  }
  return out;
}

/**
 * A customer reached through `_entities` (the gateway's second step of a customer 360) whose
 * tickets are asked for too: the ticket search starts with the customer look-up instead of after
 * it, since it needs only the id. Same loader key as {@link Customer.tickets} will use, so that
 * resolver finds the answer in the request's loader, and the CRM is asked once, in the same batch
 * as the other customers' tickets. Scope is unaffected: the search carries the viewer's region,
 * and an out-of-scope customer's tickets are never returned (its fields are not resolved).
 */
function prefetchTickets(customerId: string, ctx: Context, info: GraphQLResolveInfo | undefined): void {
  if (!info || info.fieldName !== '_entities' || !info.fieldNodes[0]) return;
  const customerType = info.schema.getType('Customer');
  const ticketsDef = isObjectType(customerType) ? customerType.getFields().tickets : undefined;
  if (!ticketsDef) return;
  for (const node of ticketFields(info.fieldNodes[0].selectionSet)) {
    let args: { status?: readonly TicketStatus[] | null; first?: number | null };
    try {
      args = getArgumentValues(ticketsDef, node, info.variableValues) as typeof args;
    } catch {
      return; // the field's own resolver reports bad arguments
    }
    const count = typeof args.first === 'number' && args.first > 0 && args.first <= 100 ? args.first : undefined;
    if (count === undefined) continue;
    ctx.loaders.customerTickets.load({ customerId, statuses: canonicalStatuses(args.status), first: count }).catch(() => {
      // Its failure is reported by Customer.tickets, which awaits the same key.
    });
  }
}
