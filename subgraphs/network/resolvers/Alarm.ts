import type { AlarmResolvers } from '../generated/resolvers-types.js';
import { visibleAlarm, visibleElement } from '../scope.js';

/**
 * `Alarm`: an X.733 alarm of the NMS; the other fields are the domain value's own. An alarm is in
 * the viewer's scope by the element it sits on (scope.ts); outside it, null with FORBIDDEN.
 */
export const Alarm: AlarmResolvers = {
  async __resolveReference(ref, ctx) {
    // Read by id: cleared alarms too, up to 90 days old; older or unknown ones are null.
    return visibleAlarm(ctx, await ctx.loaders.alarm.load(ref.id));
  },

  async element(alarm, _args, ctx) {
    return visibleElement(ctx, await ctx.loaders.element.load(alarm.elementId));
  },
};
