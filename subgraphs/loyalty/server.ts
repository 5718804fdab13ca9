import { readFileSync } from 'node:fs';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { parse, type GraphQLSchema } from 'graphql';
import type { Logger } from '../../lib/logger.js';
import type { Area } from '../../lib/viewer.js';
import { guardFieldAreas } from '../shared/auth.js';
import { startSubgraph, type RunningSubgraph } from '../shared/server.js';
import { StaleCache } from '../shared/staleCache.js';
import { HttpLoyaltyClient } from './client/LoyaltyClient.js';
import type { LoyaltyConfig } from './config.js';
import { createContextFactory, type Context } from './context.js';
import { resolvers } from './resolvers/index.js';

/** The subgraph's schema document (`schema.graphql`, next to this file). */
export const loyaltyTypeDefs = readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8');

/** The resolver map in the form `@apollo/subgraph` takes (the generated types are stricter). */
export const loyaltyResolvers = resolvers as GraphQLResolverMap<Context>;

/**
 * design.md's permission matrix for this subgraph's fields: everything it adds to `Customer` is
 * the `loyalty` area (the NOC does not read it). The shared server guards each listed field.
 */
export const loyaltyFieldAreas: Readonly<Record<string, Area>> = { 'Customer.loyalty': 'loyalty' };

/** The executable subgraph schema, fields guarded by area as the server guards them, for tests that run operations without HTTP. */
export function buildLoyaltySchema(): GraphQLSchema {
  const schema = buildSubgraphSchema({ typeDefs: parse(loyaltyTypeDefs), resolvers: loyaltyResolvers as GraphQLResolverMap<unknown> });
  return guardFieldAreas(schema, 'loyalty', loyaltyFieldAreas);
}

/**
 * Starts the loyalty subgraph: one client for the process (keep-alive sockets, the resilience policy),
 * bound to each request with fresh loaders.
 */
export async function startLoyaltySubgraph(config: LoyaltyConfig, logger: Logger): Promise<RunningSubgraph> {
  const client = HttpLoyaltyClient.create({
    baseUrl: config.baseUrl,
    user: config.user,
    password: config.password,
    ...(config.ca ? { ca: config.ca } : {}),
    timeoutMs: config.timeoutMs,
    connectTimeoutMs: config.connectTimeoutMs,
    maxConcurrency: config.maxConcurrency,
    maxQueue: config.maxQueue,
    batchSize: config.batchSize,
    resilience: config.resilience,
    logger,
  });
  try {
    const running = await startSubgraph<Context>({
      system: 'loyalty',
      typeDefs: loyaltyTypeDefs,
      resolvers: loyaltyResolvers,
      createContext: createContextFactory((scope) => client.forRequest(scope), { batchSize: config.batchSize, staleCache: new StaleCache({ system: 'loyalty', ...config.stale }) }),
      host: config.host,
      port: config.port,
      logger,
      readiness: () => ({ systems: { 'loyalty': client.resilienceState() } }),
      auth: config.auth,
      fieldAreas: loyaltyFieldAreas,
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
