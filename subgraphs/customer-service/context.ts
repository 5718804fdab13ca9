import type { RequestScope } from '../shared/server.js';
import type { CustomerServiceClient } from './client/CustomerServiceClient.js';
import { createLoaders, type LoaderOptions, type Loaders } from './loaders.js';
import { staleContextFor, type StaleCache } from '../shared/staleCache.js';
import { memoryContextFor, type RequestMemory } from '../shared/requestMemory.js';
import { crmRegionOf } from './scope.js';

/** What every customer-service resolver receives: the request's id, logger and viewer, and its own loaders. */
export interface Context extends RequestScope {
  readonly loaders: Loaders;
}

/**
 * The context factory: fresh loaders per request (design.md: nothing cached across requests),
 * over a client bound to the request (`x-request-id` forwarded to the CRM). The client's session
 * is the process's, shared by every request. The viewer's region goes to the loaders, which ask
 * the CRM for a customer's tickets in it only.
 */
export function createContextFactory(clientFor: (scope: RequestScope) => CustomerServiceClient, options: LoaderOptions & { staleCache?: StaleCache; requestMemory?: RequestMemory } = {}) {
  return (scope: RequestScope): Context => ({ ...scope, loaders: createLoaders(clientFor(scope), { ...options, region: crmRegionOf(scope.viewer), stale: staleContextFor(options.staleCache, scope), memory: memoryContextFor(options.requestMemory, scope) }) });
}
