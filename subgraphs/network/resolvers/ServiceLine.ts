import { badUserInput } from '../../../lib/errors.js';
import { checkFirst } from '../../shared/pagination.js';
import { compareAlarms, type Alarm } from '../domain.js';
import type { ServiceLineResolvers } from '../generated/resolvers-types.js';
import { loadService, type ActiveMinSeverity } from '../loaders.js';
import { alarmsInScope, visibleElement, visibleService } from '../scope.js';

/**
 * `ServiceLine`, owned with billing: this subgraph adds the line's network state, its access
 * element and the active alarms on the elements it rides on.
 *
 * A line the NMS does not inventory (billing knows lines the NMS may not, e.g. the CRM's stale
 * extra numbers, or a line not yet provisioned) is not an error and not NOT_FOUND: its
 * `networkStatus` and `accessElement` are null — the NMS has no state for it — and `activeAlarms`
 * is an empty list, since no alarm can sit on an element the line is not known to ride on. The
 * entity itself always resolves, so billing's fields for it are never wiped out by us.
 *
 * A line the NMS records outside the viewer's region has each of its network fields null with
 * FORBIDDEN (scope.ts); of a line inside it, the access element and the alarms are checked in
 * their own right (a core router is not a local network's, for instance).
 */
export const ServiceLine: ServiceLineResolvers = {
  __resolveReference(ref, ctx) {
    // Start the inventory read now, so every line of an `_entities` call shares one `_batch`;
    // the fields await it and each reports its own failure.
    loadService(ctx.loaders, ref.serviceNumber).catch(() => undefined);
    return { serviceNumber: ref.serviceNumber };
  },

  async networkStatus(line, _args, ctx) {
    return visibleService(ctx, await loadService(ctx.loaders, line.serviceNumber))?.status ?? null;
  },

  async accessElement(line, _args, ctx) {
    const service = visibleService(ctx, await loadService(ctx.loaders, line.serviceNumber));
    return service ? visibleElement(ctx, await ctx.loaders.element.load(service.accessElementId)) : null;
  },

  async activeAlarms(line, { minSeverity, first }, ctx) {
    if (minSeverity === 'CLEARED') {
      throw badUserInput('network', 'minSeverity', minSeverity, 'one of CRITICAL, MAJOR, MINOR, WARNING, INDETERMINATE (CLEARED alarms are not active)');
    }
    const count = checkFirst('network', first);
    if (count === 0) return [];
    const service = visibleService(ctx, await loadService(ctx.loaders, line.serviceNumber));
    if (!service) return [];
    const perElement = await Promise.all(
      service.supportingElementIds.map((elementId) => ctx.loaders.elementAlarms.load({ elementId, minSeverity: minSeverity as ActiveMinSeverity })),
    );
    const byId = new Map<string, Alarm>();
    for (const a of perElement.flat()) byId.set(a.id, a);
    return (await alarmsInScope(ctx, [...byId.values()])).sort(compareAlarms).slice(0, count);
  },
};
