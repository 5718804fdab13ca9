import type { NetworkElementResolvers } from '../generated/resolvers-types.js';
import { visibleElement } from '../scope.js';

/**
 * `NetworkElement`: a box in the NMS topology (access → aggregation → core). An element outside
 * the viewer's region is null with FORBIDDEN — a local network's core router included, which is
 * recorded at province level (scope.ts).
 */
export const NetworkElement: NetworkElementResolvers = {
  async __resolveReference(ref, ctx) {
    return visibleElement(ctx, await ctx.loaders.element.load(ref.id));
  },

  async parent(element, _args, ctx) {
    return element.parentId === null ? null : visibleElement(ctx, await ctx.loaders.element.load(element.parentId));
  },
};
