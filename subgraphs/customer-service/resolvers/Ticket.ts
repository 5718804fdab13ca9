import { ProductError } from '../../../lib/errors.js';
import type { TicketResolvers } from '../generated/resolvers-types.js';
import { loadCustomer, loadTicket } from '../loaders.js';
import { visibleCustomer, visibleTicket } from '../scope.js';

/**
 * `Ticket` (a CRM service request). Its service line and alarm are references the CRM records by
 * key only; billing and the NMS resolve them. A ticket is in the viewer's scope by its own
 * region (the CRM records one on each ticket); outside it, it is null with FORBIDDEN.
 *
 * `customer` is non-null in the schema. The CRM records a ticket in its customer's region, so a
 * ticket in scope has its customer in scope; should the records disagree, the customer is not
 * shown: `Ticket.customer` fails with FORBIDDEN (with the `customerId`) and the null bubbles to the
 * ticket, so such a ticket is not shown at all rather than shown with another region's customer.
 */
export const Ticket: TicketResolvers = {
  async __resolveReference(ref, ctx) {
    return visibleTicket(ctx, await loadTicket(ctx.loaders, ref.id));
  },

  async customer(ticket, _args, ctx) {
    const customer = await loadCustomer(ctx.loaders, ticket.customerId);
    // design.md: a referenced entity its own system does not know is a data inconsistency.
    if (!customer) {
      throw new ProductError('NOT_FOUND', 'customer-service', `Ticket ${ticket.id} names customer ${ticket.customerId}, which the CRM does not know.`);
    }
    return visibleCustomer(ctx, customer)!;
  },

  serviceLine(ticket) {
    return ticket.serviceNumber === null ? null : { serviceNumber: ticket.serviceNumber };
  },

  alarm(ticket) {
    return ticket.alarmId === null ? null : { id: ticket.alarmId };
  },
};
