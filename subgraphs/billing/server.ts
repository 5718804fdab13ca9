import { readFileSync } from 'node:fs';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { parse, type GraphQLSchema } from 'graphql';
import type { Logger } from '../../lib/logger.js';
import { guardFieldAreas } from '../shared/auth.js';
import { startSubgraph, type RunningSubgraph } from '../shared/server.js';
import { RequestMemory } from '../shared/requestMemory.js';
import { StaleCache } from '../shared/staleCache.js';
import { BillingTransport, callerFor, HttpBillingClient } from './client/BillingClient.js';
import type { BillingConfig } from './config.js';
import { createContextFactory, type Context } from './context.js';
import { resolvers } from './resolvers/index.js';
import { billingFieldAreas } from './scope.js';

/** The billing subgraph's schema document (the contract). */
export const typeDefs = readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8');

/** The resolver map in the form `@apollo/subgraph` takes (the generated types are stricter). */
export const billingResolvers = resolvers as unknown as GraphQLResolverMap<Context>;

/** The executable subgraph schema, fields guarded by area as the server guards them, for tests that run operations without HTTP. */
export function buildBillingSchema(): GraphQLSchema {
  const schema = buildSubgraphSchema({ typeDefs: parse(typeDefs), resolvers: billingResolvers as GraphQLResolverMap<unknown> });
  return guardFieldAreas(schema, 'billing', billingFieldAreas);
}

export interface BillingSubgraphOptions {
  /** The clock bills and payments are counted from; tests pin it to the emulator's. @default Date.now */
  readonly now?: () => number;
}

/**
 * Starts the billing subgraph: one transport to billing for the process (keep-alive sockets, the
 * in-flight bulkhead, MessageSeq), a client and fresh loaders per request, served by the shared
 * subgraph server. Only the gateway may call it (`config.auth`); each request's calls name its
 * viewer and region to billing (`callerFor`), and each field is guarded by its area of design.md's
 * permission matrix.
 */
export async function startBillingSubgraph(config: BillingConfig, logger: Logger, options: BillingSubgraphOptions = {}): Promise<RunningSubgraph> {
  const transport = new BillingTransport({
    baseUrl: config.billingUrl,
    user: config.user,
    password: config.password,
    ...(config.ca ? { ca: config.ca } : {}),
    timeoutMs: config.timeoutMs,
    connectTimeoutMs: config.connectTimeoutMs,
    maxInFlight: config.maxInFlight,
    maxQueue: config.maxQueue,
    customerBatchSize: config.customerBatchSize,
    balanceBatchSize: config.balanceBatchSize,
    pageSize: config.pageSize,
    resilience: config.resilience,
    dedup: config.dedup,
    logger,
  });
  const createContext = createContextFactory(
    (scope) => new HttpBillingClient(transport, { requestId: scope.requestId, logger: scope.logger, caller: callerFor(scope.viewer, config.operatorId), scopeKey: scope.scopeKey }),
    {
      customerBatchSize: config.customerBatchSize,
      balanceBatchSize: config.balanceBatchSize,
      ...(options.now ? { now: options.now } : {}),
      staleCache: new StaleCache({ system: 'billing', ...config.stale }),
      requestMemory: new RequestMemory({ ttlMs: config.requestMemoryMs }),
    },
  );
  try {
    const running = await startSubgraph<Context>({
      system: 'billing',
      typeDefs,
      resolvers: billingResolvers,
      createContext,
      host: config.host,
      port: config.port,
      logger,
      auth: config.auth,
      fieldAreas: billingFieldAreas,
      readiness: () => ({ systems: { billing: transport.policy.state() } }),
    });
    return {
      ...running,
      close: async () => {
        await running.close();
        transport.close();
      },
    };
  } catch (e) {
    transport.close();
    throw e;
  }
}
