import { readFileSync } from 'node:fs';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { parse, type GraphQLSchema } from 'graphql';
import type { Logger } from '../../lib/logger.js';
import { startSubgraph, type RunningSubgraph } from '../shared/server.js';
import { StaleCache } from '../shared/staleCache.js';
import { HttpNetworkClient } from './client/NetworkClient.js';
import type { NetworkConfig } from './config.js';
import { createContextFactory, type Context } from './context.js';
import { resolvers } from './resolvers/index.js';

/** The subgraph's schema document (`schema.graphql`, next to this file). */
export const networkTypeDefs = readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8');

/** The resolver map in the form `@apollo/subgraph` takes (the generated types are stricter). */
export const networkResolvers = resolvers as GraphQLResolverMap<Context>;

/** The executable subgraph schema, for tests that run operations without HTTP. */
export function buildNetworkSchema(): GraphQLSchema {
  return buildSubgraphSchema({ typeDefs: parse(networkTypeDefs), resolvers: networkResolvers as GraphQLResolverMap<unknown> });
}

/**
 * Starts the network subgraph: one NMS client for the process (keep-alive sockets, the bulkhead),
 * bound to each request with fresh loaders.
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
      createContext: createContextFactory((scope) => client.forRequest(scope), { batchSize: config.batchSize, staleCache: new StaleCache({ system: 'network', ...config.stale }) }),
      host: config.host,
      port: config.port,
      logger,
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
