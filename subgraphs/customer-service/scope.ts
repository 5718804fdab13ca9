import type { Area, Viewer } from '../../lib/viewer.js';
import { inScope } from '../../lib/viewer.js';
import { outOfScope } from '../shared/auth.js';
import { connection, type Connection } from '../shared/pagination.js';
import type { RequestScope } from '../shared/server.js';
import type { Customer, CustomerSearch, Region, Ticket, TicketSearch } from './domain.js';

/**
 * Region scope in the customer-service subgraph (design.md, "Viewers, roles and scope"). The CRM
 * records a region on every customer and ticket; this subgraph checks it on every one it returns:
 *
 * - a single entity (`customer`, `ticket`, `_entities`, `Customer.group`, `Ticket.customer`)
 *   outside the viewer's region is null with FORBIDDEN ({@link visibleCustomer}, {@link visibleTicket});
 * - a search (`customers`, `tickets`, `groupMembers`) carries the viewer's province and local
 *   network to the CRM ({@link scopedCustomerSearch}, {@link scopedTicketSearch}), so that pages
 *   and `hasNextPage` count only what the viewer may see; a filter asking for another region is an
 *   empty page without a CRM call. What comes back is filtered again ({@link inViewerScope}), in
 *   case the CRM's own filter ever disagrees with ours;
 * - a customer's tickets are asked for with the same scope, and filtered again.
 */

const SYSTEM = 'customer-service';

/** Null for null; the customer when the viewer may see it; else FORBIDDEN with its id (the gateway's audit log reads `customerId`). */
export function visibleCustomer(scope: RequestScope, customer: Customer | null): Customer | null {
  if (customer === null) return null;
  if (!inScope(scope.viewer, customer.region)) throw outOfScope(SYSTEM, scope.viewer, `Customer ${customer.id}`, { customerId: customer.id });
  return customer;
}

/** Null for null; the ticket when the viewer may see it (by the ticket's own region); else FORBIDDEN. */
export function visibleTicket(scope: RequestScope, ticket: Ticket | null): Ticket | null {
  if (ticket === null) return null;
  if (!inScope(scope.viewer, ticket.region)) throw outOfScope(SYSTEM, scope.viewer, `Ticket ${ticket.id}`, { ticketId: ticket.id });
  return ticket;
}

/** The records of a list the viewer may see, in order (the others are left out without an error). */
export function inViewerScope<T extends { readonly region: Region | null }>(viewer: Viewer, items: readonly T[]): T[] {
  return viewer.region.province === undefined ? [...items] : items.filter((item) => inScope(viewer, item.region));
}

/**
 * A page of a search as a connection, without the records outside the viewer's region. Cursors
 * and `endCursor` are those of the CRM's page as it came, so that the next page starts after the
 * last record the CRM gave, whether it was shown or not.
 */
export function scopedConnection<T extends { readonly region: Region | null }>(viewer: Viewer, items: readonly T[], offset: number, hasNextPage: boolean): Connection<T> {
  const page = connection(items, offset, hasNextPage);
  if (viewer.region.province === undefined) return page;
  return { edges: page.edges.filter((e) => inScope(viewer, e.node.region)), pageInfo: page.pageInfo };
}

/**
 * The viewer's region folded into a search's `province` / `localNetwork`: the search itself when
 * it already asks for a part of the viewer's region, narrowed to the viewer's region when it asks
 * for more, and `'empty'` when it asks for a region the viewer may not see (nothing could match).
 */
function scoped<F extends { readonly province?: string | undefined; readonly localNetwork?: string | undefined }>(viewer: Viewer, filter: F): F | 'empty' {
  const { province, localNetwork } = viewer.region;
  if (province === undefined) return filter;
  if (filter.province !== undefined && filter.province !== province) return 'empty';
  if (localNetwork !== undefined && filter.localNetwork !== undefined && filter.localNetwork !== localNetwork) return 'empty';
  return { ...filter, province, localNetwork: localNetwork ?? filter.localNetwork };
}

export function scopedCustomerSearch(viewer: Viewer, filter: CustomerSearch): CustomerSearch | 'empty' {
  return scoped(viewer, filter);
}

export function scopedTicketSearch(viewer: Viewer, filter: TicketSearch): TicketSearch | 'empty' {
  return scoped(viewer, filter);
}

/** The region a viewer's lists are narrowed to at the CRM (undefined for headquarters: no condition). */
export function crmRegionOf(viewer: Viewer): { readonly province: string; readonly localNetwork?: string | undefined } | undefined {
  const { province, localNetwork } = viewer.region;
  return province === undefined ? undefined : { province, localNetwork };
}

/**
 * design.md's permission matrix for this subgraph's fields (lib/viewer.ts `Area`); the shared
 * server guards each listed field (`guardFieldAreas`). Every role reads `customer-basic` and
 * `tickets` today; they are listed all the same, so that a change of the matrix needs no change here.
 */
export const customerServiceFieldAreas: Readonly<Record<string, Area>> = {
  'Customer.id': 'customer-basic',
  'Customer.name': 'customer-basic',
  'Customer.region': 'customer-basic',
  'Customer.kind': 'customer-basic',
  'Customer.status': 'customer-basic',
  'Customer.segment': 'customer-profile',
  'Customer.starLevel': 'customer-profile',
  'Customer.bigCustomerClass': 'customer-profile',
  'Customer.accountManager': 'customer-profile',
  'Customer.identification': 'customer-profile',
  'Customer.contacts': 'customer-profile',
  'Customer.customerSince': 'customer-profile',
  'Customer.group': 'customer-profile',
  'Customer.groupMembers': 'customer-profile',
  'Customer.interactions': 'customer-profile',
  'Customer.satisfaction': 'customer-profile',
  'Customer.tickets': 'tickets',
  'Query.ticket': 'tickets',
  'Query.tickets': 'tickets',
  'Ticket.id': 'tickets',
  'Ticket.type': 'tickets',
  'Ticket.status': 'tickets',
  'Ticket.priority': 'tickets',
  'Ticket.channel': 'tickets',
  'Ticket.summary': 'tickets',
  'Ticket.region': 'tickets',
  'Ticket.openedAt': 'tickets',
  'Ticket.closedAt': 'tickets',
  'Ticket.slaDueAt': 'tickets',
  'Ticket.customer': 'tickets',
  'Ticket.serviceLine': 'tickets',
  'Ticket.alarm': 'tickets',
};
