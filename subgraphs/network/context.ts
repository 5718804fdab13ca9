import type { RequestScope } from '../shared/server.js';
import type { NetworkClient } from './client/NetworkClient.js';
import { createLoaders, type LoaderOptions, type Loaders } from './loaders.js';
import { staleContextFor, type StaleCache } from '../shared/staleCache.js';
import { memoryContextFor, type RequestMemory } from '../shared/requestMemory.js';

/** What every network resolver receives: the request's id and logger, and its own loaders. */
export interface Context extends RequestScope {
  readonly loaders: Loaders;
}

/**
 * The context factory: fresh loaders per request (design.md: nothing cached across requests),
 * over a client bound to the request (`x-request-id` forwarded to the NMS).
 */
export function createContextFactory(clientFor: (scope: RequestScope) => NetworkClient, options: LoaderOptions & { staleCache?: StaleCache; requestMemory?: RequestMemory } = {}) {
  return (scope: RequestScope): Context => ({ ...scope, loaders: createLoaders(clientFor(scope), { ...options, stale: staleContextFor(options.staleCache, scope), memory: memoryContextFor(options.requestMemory, scope) }) });
}
