import type { NetworkElementResolvers } from '../generated/resolvers-types.js';

/** `NetworkElement`: a box in the NMS topology (access → aggregation → core). */
export const NetworkElement: NetworkElementResolvers = {
  __resolveReference(ref, ctx) {
    return ctx.loaders.element.load(ref.id);
  },

  parent(element, _args, ctx) {
    return element.parentId === null ? null : ctx.loaders.element.load(element.parentId);
  },
};
