import type { Alarm } from '../domain.js';
import { checkFirst, connection, offsetAfter } from '../../shared/pagination.js';
import type { OutageResolvers } from '../generated/resolvers-types.js';
import { inScope } from '../../../lib/viewer.js';
import { primeServices } from '../loaders.js';
import { alarmsInScope, visibleOutage } from '../scope.js';

/**
 * `Outage`: an NMS area outage, its root-cause alarms and the lines it hits. An outage outside the
 * viewer's region is null with FORBIDDEN; of one inside it, the root causes and lines the viewer
 * may not see (another region's element or service) are left out (scope.ts).
 */
export const Outage: OutageResolvers = {
  async __resolveReference(ref, ctx) {
    return visibleOutage(ctx, await ctx.loaders.outage.load(ref.id));
  },

  async rootCauseAlarms(outage, _args, ctx) {
    const alarms = await Promise.all(outage.rootCauseAlarmIds.map((id) => ctx.loaders.alarm.load(id)));
    // A root cause older than the NMS's 90 days of alarm history reads as unknown: left out.
    return alarmsInScope(ctx, alarms.filter((a): a is Alarm => a !== null));
  },

  async affectedServiceLines(outage, { first, after }, ctx) {
    const count = checkFirst('network', first);
    const offset = offsetAfter('network', after);
    const page = await ctx.loaders.outageServices.load({ outageId: outage.id, offset, count });
    // The outage has gone from the NMS since it was read (older than its 90 days).
    if (page === null) return null;
    // The lines' network state is in the page already: fields asked of them read nothing more.
    primeServices(ctx.loaders, page.items);
    // Cursors and hasNextPage are those of the NMS's page as it came, so that the next page
    // starts after the last line the NMS gave, whether it was shown or not.
    const all = connection(page.items, offset, offset + page.items.length < page.totalCount);
    return {
      edges: all.edges.filter((e) => inScope(ctx.viewer, e.node.region)).map((e) => ({ cursor: e.cursor, node: { serviceNumber: e.node.serviceNumber } })),
      pageInfo: all.pageInfo,
    };
  },
};
