import type { Alarm } from '../domain.js';
import { checkFirst, connection, offsetAfter } from '../../shared/pagination.js';
import type { OutageResolvers } from '../generated/resolvers-types.js';
import { primeServices } from '../loaders.js';

/** `Outage`: an NMS area outage, its root-cause alarms and the lines it hits. */
export const Outage: OutageResolvers = {
  __resolveReference(ref, ctx) {
    return ctx.loaders.outage.load(ref.id);
  },

  async rootCauseAlarms(outage, _args, ctx) {
    const alarms = await Promise.all(outage.rootCauseAlarmIds.map((id) => ctx.loaders.alarm.load(id)));
    // A root cause older than the NMS's 90 days of alarm history reads as unknown: left out.
    return alarms.filter((a): a is Alarm => a !== null);
  },

  async affectedServiceLines(outage, { first, after }, ctx) {
    const count = checkFirst('network', first);
    const offset = offsetAfter('network', after);
    const page = await ctx.loaders.outageServices.load({ outageId: outage.id, offset, count });
    // The outage has gone from the NMS since it was read (older than its 90 days).
    if (page === null) return null;
    // The lines' network state is in the page already: fields asked of them read nothing more.
    primeServices(ctx.loaders, page.items);
    return connection(
      page.items.map((s) => ({ serviceNumber: s.serviceNumber })),
      offset,
      offset + page.items.length < page.totalCount,
    );
  },
};
