import { badUserInput } from '../../../lib/errors.js';
import { checkFirst, connection, offsetAfter } from '../../shared/pagination.js';
import type { CustomerSearch, TicketSearch } from '../domain.js';
import type { CustomerFilter, QueryResolvers, TicketFilter } from '../generated/resolvers-types.js';
import {
  CUSTOMER_ID_FORMAT,
  ID_NUMBER_FORMAT,
  isCustomerId,
  isTicketId,
  NAME_FORMAT,
  normalizeIdNumber,
  normalizeNamePrefix,
  normalizePhone,
  normalizeRegionCode,
  PHONE_FORMAT,
  REGION_CODE_FORMAT,
  TICKET_ID_FORMAT,
} from '../keys.js';
import { canonicalStatuses } from '../loaders.js';
import { assertMaySearchByPii } from '../pii.js';
import { scopedConnection, scopedCustomerSearch, scopedTicketSearch, visibleCustomer, visibleTicket } from '../scope.js';

const SYSTEM = 'customer-service';

/** An optional text argument through its normaliser: undefined when absent, refused when malformed. */
function checked(argument: string, value: string | null | undefined, normalize: (v: string) => string | undefined, expected: string): string | undefined {
  if (value === null || value === undefined) return undefined;
  const v = normalize(value);
  if (v === undefined) throw badUserInput(SYSTEM, argument, value, expected);
  return v;
}

/** `CustomerFilter` → the client's search, every value checked before the CRM sees it. */
export function customerSearch(filter: CustomerFilter | null | undefined): CustomerSearch {
  const f = filter ?? {};
  return {
    province: checked('filter.province', f.province, normalizeRegionCode, REGION_CODE_FORMAT),
    localNetwork: checked('filter.localNetwork', f.localNetwork, normalizeRegionCode, REGION_CODE_FORMAT),
    segment: f.segment ?? undefined,
    bigCustomer: f.bigCustomer ?? undefined,
    namePrefix: checked('filter.name', f.name, normalizeNamePrefix, NAME_FORMAT),
    idNumber: checked('filter.idNumber', f.idNumber, normalizeIdNumber, ID_NUMBER_FORMAT),
    phone: checked('filter.phone', f.phone, normalizePhone, PHONE_FORMAT),
  };
}

/** `TicketFilter` → the client's search. */
export function ticketSearch(filter: TicketFilter | null | undefined): TicketSearch {
  const f = filter ?? {};
  return {
    province: checked('filter.province', f.province, normalizeRegionCode, REGION_CODE_FORMAT),
    localNetwork: checked('filter.localNetwork', f.localNetwork, normalizeRegionCode, REGION_CODE_FORMAT),
    statuses: canonicalStatuses(f.status),
    customerId: checked('filter.customerId', f.customerId, (v) => (isCustomerId(v.trim()) ? v.trim() : undefined), CUSTOMER_ID_FORMAT),
  };
}

/**
 * Root look-ups and searches. A look-up outside the viewer's region is null with FORBIDDEN; a
 * search is narrowed to the viewer's region at the CRM (scope.ts), so that its pages hold only what
 * the viewer may see.
 */
export const Query: QueryResolvers = {
  async customer(_root, { id }, ctx) {
    if (!isCustomerId(id)) throw badUserInput(SYSTEM, 'id', id, CUSTOMER_ID_FORMAT);
    // design.md: a root look-up of an unknown key is null, with no error.
    return visibleCustomer(ctx, await ctx.loaders.customer.load(id));
  },

  async customers(_root, { filter, first, after }, ctx) {
    const count = checkFirst(SYSTEM, first);
    const offset = offsetAfter(SYSTEM, after);
    const search = customerSearch(filter);
    assertMaySearchByPii(ctx.viewer, search);
    const scoped = scopedCustomerSearch(ctx.viewer, search);
    if (scoped === 'empty') return connection([], offset, false);
    const page = await ctx.loaders.customerPage.load({ filter: scoped, offset, count });
    return scopedConnection(ctx.viewer, page.items, offset, page.hasNextPage);
  },

  async ticket(_root, { id }, ctx) {
    if (!isTicketId(id)) throw badUserInput(SYSTEM, 'id', id, TICKET_ID_FORMAT);
    return visibleTicket(ctx, await ctx.loaders.ticket.load(id));
  },

  async tickets(_root, { filter, first, after }, ctx) {
    const count = checkFirst(SYSTEM, first);
    const offset = offsetAfter(SYSTEM, after);
    const scoped = scopedTicketSearch(ctx.viewer, ticketSearch(filter));
    if (scoped === 'empty') return connection([], offset, false);
    const page = await ctx.loaders.ticketPage.load({ filter: scoped, offset, count });
    return scopedConnection(ctx.viewer, page.items, offset, page.hasNextPage);
  },
};
