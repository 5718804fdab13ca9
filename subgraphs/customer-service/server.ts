import { readFileSync } from 'node:fs';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { parse, type GraphQLSchema } from 'graphql';
import type { Logger } from '../../lib/logger.js';
import { guardFieldAreas } from '../shared/auth.js';
import { startSubgraph, type RunningSubgraph } from '../shared/server.js';
import { RequestMemory } from '../shared/requestMemory.js';
import { StaleCache } from '../shared/staleCache.js';
import { HttpCustomerServiceClient } from './client/CustomerServiceClient.js';
import type { CustomerServiceConfig } from './config.js';
import { createContextFactory, type Context } from './context.js';
import { resolvers } from './resolvers/index.js';
import { customerServiceFieldAreas } from './scope.js';

/** The subgraph's schema document (`schema.graphql`, next to this file). */
export const customerServiceTypeDefs = readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8');

/** The resolver map in the form `@apollo/subgraph` takes (the generated types are stricter). */
export const customerServiceResolvers = resolvers as GraphQLResolverMap<Context>;

/** The executable subgraph schema, fields guarded by area as the server guards them, for tests that run operations without HTTP. */
export function buildCustomerServiceSchema(): GraphQLSchema {
  const schema = buildSubgraphSchema({ typeDefs: parse(customerServiceTypeDefs), resolvers: customerServiceResolvers as GraphQLResolverMap<unknown> });
  return guardFieldAreas(schema, 'customer-service', customerServiceFieldAreas);
}

/**
 * Starts the customer-service subgraph: one CRM client for the process (keep-alive sockets, one
 * session, its bulkhead), bound to each request with fresh loaders. Only the gateway may call it
 * (`config.auth`); each field is guarded by its area of design.md's permission matrix.
 */
export async function startCustomerServiceSubgraph(config: CustomerServiceConfig, logger: Logger): Promise<RunningSubgraph> {
  const client = HttpCustomerServiceClient.create({
    baseUrl: config.crmUrl,
    user: config.user,
    password: config.password,
    ...(config.ca ? { ca: config.ca } : {}),
    timeoutMs: config.timeoutMs,
    connectTimeoutMs: config.connectTimeoutMs,
    maxConcurrency: config.maxConcurrency,
    maxQueue: config.maxQueue,
    batchSize: config.batchSize,
    resilience: config.resilience,
    dedup: config.dedup,
    logger,
  });
  try {
    const running = await startSubgraph<Context>({
      system: 'customer-service',
      typeDefs: customerServiceTypeDefs,
      resolvers: customerServiceResolvers,
      createContext: createContextFactory((scope) => client.forRequest(scope), {
        batchSize: config.batchSize,
        staleCache: new StaleCache({ system: 'customer-service', ...config.stale }),
        requestMemory: new RequestMemory({ ttlMs: config.requestMemoryMs }),
      }),
      host: config.host,
      port: config.port,
      logger,
      readiness: () => ({ systems: { 'customer-service': client.resilienceState() } }),
      auth: config.auth,
      fieldAreas: customerServiceFieldAreas,
    });
    return {
      ...running,
      close: async () => {
        await running.close();
        client.close();
      },
    };
  } catch (e) {
    client.close();
    throw e;
  }
}
