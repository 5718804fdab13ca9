import type { AlarmResolvers } from '../generated/resolvers-types.js';

/** `Alarm`: an X.733 alarm of the NMS; the other fields are the domain value's own. */
export const Alarm: AlarmResolvers = {
  __resolveReference(ref, ctx) {
    // Read by id: cleared alarms too, up to 90 days old; older or unknown ones are null.
    return ctx.loaders.alarm.load(ref.id);
  },

  element(alarm, _args, ctx) {
    return ctx.loaders.element.load(alarm.elementId);
  },
};
