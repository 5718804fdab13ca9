import { readFileSync } from 'node:fs';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { parse, type GraphQLSchema } from 'graphql';
import type { Logger } from '../../lib/logger.js';
import { guardFieldAreas } from '../shared/auth.js';
import { startSubgraph, type RunningSubgraph } from '../shared/server.js';
import { RequestMemory } from '../shared/requestMemory.js';
import { StaleCache } from '../shared/staleCache.js';
import { HttpNetworkClient } from './client/NetworkClient.js';
import type { NetworkConfig } from './config.js';
import { createContextFactory, type Context } from './context.js';
import { resolvers } from './resolvers/index.js';
import { networkFieldAreas } from './scope.js';

/** The subgraph's schema document (`schema.graphql`, next to this file). */
export const networkTypeDefs = readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8');

/** The resolver map in the form `@apollo/subgraph` takes (the generated types are stricter). */
export const networkResolvers = resolvers as GraphQLResolverMap<Context>;

/** The executable subgraph schema, fields guarded by area as the server guards them, for tests that run operations without HTTP. */
export function buildNetworkSchema(): GraphQLSchema {
  const schema = buildSubgraphSchema({ typeDefs: parse(networkTypeDefs), resolvers: networkResolvers as GraphQLResolverMap<unknown> });
  return guardFieldAreas(schema, 'network', networkFieldAreas);
}

/**
 * Starts the network subgraph: one NMS client for the process (keep-alive sockets, the bulkhead),
 * bound to each request with fresh loaders. Only the gateway may call it (`config.auth`); every
 * entity is checked against the viewer's region and each field guarded by its area (scope.ts).
 */
export async function startNetworkSubgraph(config: NetworkConfig, logger: Logger): Promise<RunningSubgraph> {
  const client = HttpNetworkClient.create({
    baseUrl: config.nmsUrl,
    user: config.user,
    password: config.password,
    ...(config.ca ? { ca: config.ca } : {}),
    timeoutMs: config.timeoutMs,
    connectTimeoutMs: config.connectTimeoutMs,
    maxConcurrency: config.maxConcurrency,
    maxQueue: config.maxQueue,
    batchSize: config.batchSize,
    pageSize: config.pageSize,
    resilience: config.resilience,
    dedup: config.dedup,
    logger,
  });
  try {
    const running = await startSubgraph<Context>({
      system: 'network',
      typeDefs: networkTypeDefs,
      resolvers: networkResolvers,
      createContext: createContextFactory((scope) => client.forRequest(scope), { batchSize: config.batchSize, staleCache: new StaleCache({ system: 'network', ...config.stale }), requestMemory: new RequestMemory({ ttlMs: config.requestMemoryMs }) }),
      host: config.host,
      port: config.port,
      logger,
      auth: config.auth,
      fieldAreas: networkFieldAreas,
      readiness: () => ({ systems: { network: client.resilienceState() } }),
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
