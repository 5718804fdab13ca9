import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import express from 'express';
import { GraphQLError, parse, type GraphQLFormattedError } from 'graphql';
import { findProductError, type ErrorSystem } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { StaleNote } from './staleCache.js';

/**
 * The one way a subgraph process serves: Apollo Server on express 5 with the subgraph schema,
 * `/graphql`, `/health/live` and `/health/ready`, request ids, and the error model of design.md.
 */

export const REQUEST_ID_HEADER = 'x-request-id';

/** What every subgraph's per-request context starts from. */
export interface RequestScope {
  /** Accepted from `x-request-id` (the gateway sends one) or generated; forwarded to legacy calls. */
  readonly requestId: string;
  readonly logger: Logger;
  /**
   * The viewer's scope, part of every cross-request cache key (design.md). Always `'*'` until
   * viewers arrive (a later issue); then it must tell provinces apart. The server always sets it;
   * optional only for contexts that tests build by hand (absent: no cross-request cache is used).
   */
  readonly scopeKey?: string;
  /** Values served stale this request (stale-if-error); written to `extensions.stale`. */
  readonly stale?: StaleNote[];
}

export type SystemState = 'up' | 'degraded' | 'down';

export interface Readiness {
  /** Each legacy system this subgraph depends on, and how it is doing. */
  systems: Record<string, { state: SystemState; detail?: string; [more: string]: unknown }>;
}

export interface SubgraphOptions<TContext extends BaseContext> {
  /** The legacy system this subgraph wraps; names it in errors. */
  readonly system: Exclude<ErrorSystem, 'gateway'>;
  readonly typeDefs: string;
  readonly resolvers: GraphQLResolverMap<TContext> | GraphQLResolverMap<TContext>[];
  readonly createContext: (scope: RequestScope) => TContext | Promise<TContext>;
  readonly host: string;
  readonly port: number;
  readonly logger: Logger;
  readonly readiness?: () => Readiness | Promise<Readiness>;
  readonly plugins?: ApolloServerPlugin<TContext>[];
}

export interface RunningSubgraph {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Masks what is not a product error; keeps Apollo's own validation errors as they are. */
export function formatSubgraphError(system: ErrorSystem, logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const product = findProductError(error);
    if (product) {
      const g = product.toGraphQLError();
      return { ...formatted, message: g.message, extensions: g.extensions };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR') {
      // GraphQL validation, bad variables, persisted-query errors: the client's to fix.
      return { ...formatted, extensions: { ...formatted.extensions, system, retryable: false } };
    }
    logger.error({ err: (error as GraphQLError)?.originalError ?? error, path: formatted.path }, 'unexpected error');
    return {
      message: 'Internal error; the log has the detail under this request id.',
      ...(formatted.path ? { path: formatted.path } : {}),
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR', system, retryable: false },
    };
  };
}

/** Writes what this request served from the stale cache to the response's `extensions.stale`. */
export function staleExtensionsPlugin<TContext extends BaseContext>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          const stale = (contextValue as Partial<RequestScope>).stale;
          if (!stale?.length || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, stale: [...stale] };
        },
      };
    },
  };
}

export async function startSubgraph<TContext extends BaseContext>(options: SubgraphOptions<TContext>): Promise<RunningSubgraph> {
  const { system, logger } = options;
  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);
  httpServer.keepAliveTimeout = 65_000;
  const schema = buildSubgraphSchema({ typeDefs: parse(options.typeDefs), resolvers: options.resolvers as GraphQLResolverMap<unknown> });
  const server = new ApolloServer<TContext>({
    schema,
    formatError: formatSubgraphError(system, logger),
    includeStacktraceInErrorResponses: false,
    // No inline tracing: nothing here reports to Apollo's cloud, and it costs CPU on every request.
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      staleExtensionsPlugin<TContext>(),
      ...(options.plugins ?? []),
    ],
  });
  await server.start();

  app.get('/health/live', (_req, res) => {
    res.json({ status: 'up' });
  });
  app.get('/health/ready', async (_req, res) => {
    const readiness = (await options.readiness?.()) ?? { systems: {} };
    // 200 while this process can serve: a legacy system being down degrades fields, not us.
    res.json({ status: 'ready', ...readiness });
  });
  app.use(
    '/graphql',
    express.json({ limit: '2mb' }),
    expressMiddleware(server, {
      context: async ({ req, res }) => {
        const header = req.headers[REQUEST_ID_HEADER];
        const requestId = typeof header === 'string' && /^[\w.:-]{1,128}$/.test(header) ? header : randomUUID();
        res.setHeader(REQUEST_ID_HEADER, requestId);
        return options.createContext({ requestId, logger: logger.child({ requestId }), scopeKey: '*', stale: [] });
      },
    }),
  );

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port, options.host, () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  return {
    url: `http://${options.host}:${port}/graphql`,
    port,
    close: async () => {
      await server.stop();
      httpServer.closeAllConnections();
    },
  };
}
