import type { RequestScope } from '../shared/server.js';
import type { LoyaltyClient } from './client/LoyaltyClient.js';
import { createLoaders, type LoaderOptions, type Loaders } from './loaders.js';
import { staleContextFor, type StaleCache } from '../shared/staleCache.js';

/** What every loyalty resolver receives: the request's id and logger, and its own loaders. */
export interface Context extends RequestScope {
  readonly loaders: Loaders;
}

/**
 * The context factory: fresh loaders per request (design.md: nothing cached across requests),
 * over a client bound to the request (`x-request-id` forwarded to the loyalty system).
 */
export function createContextFactory(clientFor: (scope: RequestScope) => LoyaltyClient, options: LoaderOptions & { staleCache?: StaleCache } = {}) {
  return (scope: RequestScope): Context => ({ ...scope, loaders: createLoaders(clientFor(scope), { ...options, stale: staleContextFor(options.staleCache, scope) }) });
}
