import type { RequestScope } from '../shared/server.js';
import type { BillingClient } from './client/BillingClient.js';
import { createLoaders, type LoaderOptions, type Loaders } from './loaders.js';
import { staleContextFor, type StaleCache } from '../shared/staleCache.js';
import { memoryContextFor, type RequestMemory } from '../shared/requestMemory.js';

/** What every billing resolver receives: the request's id and logger, and its own loaders. */
export interface Context extends RequestScope {
  readonly loaders: Loaders;
}

/**
 * The context factory: fresh loaders per request (design.md: nothing cached across requests),
 * over a client bound to the request (`x-request-id` forwarded to billing, the caller named in
 * every RequestHeader).
 */
export function createContextFactory(clientFor: (scope: RequestScope) => BillingClient, options: LoaderOptions & { staleCache?: StaleCache; requestMemory?: RequestMemory } = {}) {
  return (scope: RequestScope): Context => ({ ...scope, loaders: createLoaders(clientFor(scope), { ...options, stale: staleContextFor(options.staleCache, scope), memory: memoryContextFor(options.requestMemory, scope) }) });
}
