import type { Outage } from '../domain.js';
import type { CustomerResolvers } from '../generated/resolvers-types.js';
import { loadServices } from '../loaders.js';
import { inViewerScope } from '../scope.js';

/**
 * `Customer`, owned by the CRM: this subgraph adds the open outages that hit the customer's lines.
 * The lines come from billing through `@requires(fields: "serviceLines { serviceNumber }")`.
 */
export const Customer: CustomerResolvers = {
  // The NMS has nothing to read about a customer as such: the representation (the key and, when
  // `affectingOutages` is asked for, billing's lines) is all the fields need.
  __resolveReference(ref) {
    return ref;
  },

  async affectingOutages(customer, _args, ctx) {
    // Billing could not say which lines the customer has: we cannot say which outages hit them.
    if (!customer.serviceLines) return null;
    const services = await loadServices(
      ctx.loaders,
      customer.serviceLines.map((l) => l.serviceNumber),
    );
    const ids = [...new Set(services.flatMap((s) => s?.outageIds ?? []))];
    const outages = await Promise.all(ids.map((id) => ctx.loaders.outage.load(id)));
    // A line lists only open outages, but one may have cleared since: keep the open ones, newest first.
    // Those outside the viewer's region are left out (scope.ts).
    return inViewerScope(ctx.viewer, outages.filter((o): o is Outage => o !== null && o.status === 'open'))
      .sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : a.id < b.id ? -1 : 1));
  },
};
