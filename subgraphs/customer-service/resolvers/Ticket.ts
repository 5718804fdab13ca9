import { ProductError } from '../../../lib/errors.js';
import type { TicketResolvers } from '../generated/resolvers-types.js';
import { loadCustomer, loadTicket } from '../loaders.js';

/**
 * `Ticket` (a CRM service request). Its service line and alarm are references the CRM records by
 * key only; billing and the NMS resolve them.
 */
export const Ticket: TicketResolvers = {
  __resolveReference(ref, ctx) {
    return loadTicket(ctx.loaders, ref.id);
  },

  async customer(ticket, _args, ctx) {
    const customer = await loadCustomer(ctx.loaders, ticket.customerId);
    // design.md: a referenced entity its own system does not know is a data inconsistency.
    if (!customer) {
      throw new ProductError('NOT_FOUND', 'customer-service', `Ticket ${ticket.id} names customer ${ticket.customerId}, which the CRM does not know.`);
    }
    return customer;
  },

  serviceLine(ticket) {
    return ticket.serviceNumber === null ? null : { serviceNumber: ticket.serviceNumber };
  },

  alarm(ticket) {
    return ticket.alarmId === null ? null : { id: ticket.alarmId };
  },
};
