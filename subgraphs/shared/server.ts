import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import express from 'express';
import { GraphQLError, parse, type GraphQLFormattedError } from 'graphql';
import { findProductError, type ErrorSystem } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { scopeKeyOf, type Area, type Viewer } from '../../lib/viewer.js';
import { idFromHeader, QUERY_ID_HEADER } from '../../lib/requestIds.js';
import { VIEWER_HEADER, ViewerTokenError } from '../../lib/viewerToken.js';
import { guardFieldAreas, UNRESTRICTED_VIEWER, type SubgraphAuth } from './auth.js';
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
  /** The gateway's id of the client request this fetch belongs to (`x-query-id`): what the request read stays at hand for its later fetches. */
  readonly queryId?: string;
  readonly logger: Logger;
  /** Who is asking (from the gateway's signed `x-viewer` token); every access check reads it. */
  readonly viewer: Viewer;
  /**
   * The viewer's roles and region ({@link scopeKeyOf}), part of every cross-request cache and
   * deduplication key (design.md). The server always sets it; optional only for contexts that
   * tests build by hand (absent: no cross-request cache is used).
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
  /** How requests prove they come through the gateway (`loadSubgraphAuth`). */
  readonly auth: SubgraphAuth;
  /** `Type.field` → area, for fields only some roles may read (design.md's matrix); see {@link guardFieldAreas}. */
  readonly fieldAreas?: Readonly<Record<string, Area>>;
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
  const schema = guardFieldAreas(
    buildSubgraphSchema({ typeDefs: parse(options.typeDefs), resolvers: options.resolvers as GraphQLResolverMap<unknown> }),
    system,
    options.fieldAreas ?? {},
  );
  const server = new ApolloServer<TContext>({
    schema,
    formatError: formatSubgraphError(system, logger),
    includeStacktraceInErrorResponses: false,
    // No inline tracing: nothing here reports to Apollo's cloud, and it costs CPU on every request.
    // No cache control either: the gateway does not read subgraph cache hints, and without a
    // plugin that listens to every field Apollo Server leaves the resolvers unwrapped (issue 4's
    // profile: the wrapper and the hints were ~3 % of a subgraph's CPU).
    plugins: [
      ApolloServerPluginCacheControlDisabled(),
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
  const viewers = new WeakMap<express.Request, Viewer>();
  app.use(
    '/graphql',
    // Before anything is parsed: only the gateway may call a subgraph (issue: nobody reads a
    // legacy system around the gateway).
    async (req, res, next) => {
      if (options.auth.kind === 'disabled') {
        viewers.set(req, UNRESTRICTED_VIEWER);
        return next();
      }
      const header = req.headers[VIEWER_HEADER];
      try {
        viewers.set(req, await options.auth.verifier.verify(typeof header === 'string' ? header : undefined));
        next();
      } catch (e) {
        if (!(e instanceof ViewerTokenError)) return next(e);
        logger.warn({ remote: req.socket.remoteAddress, reason: e.message }, 'request refused: no valid gateway signature');
        res.status(401).json({ errors: [{ message: e.message, extensions: { code: 'UNAUTHENTICATED', system, retryable: false } }] });
      }
    },
    express.json({ limit: '2mb' }),
    expressMiddleware(server, {
      context: async ({ req, res }) => {
        const requestId = idFromHeader(req.headers[REQUEST_ID_HEADER]) ?? randomUUID();
        res.setHeader(REQUEST_ID_HEADER, requestId);
        const viewer = viewers.get(req)!;
        const queryId = idFromHeader(req.headers[QUERY_ID_HEADER]);
        return options.createContext({ requestId, ...(queryId ? { queryId } : {}), logger: logger.child({ requestId }), viewer, scopeKey: scopeKeyOf(viewer), stale: [] });
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
