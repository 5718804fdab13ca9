import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloGateway } from '@apollo/gateway';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { GraphQLFormattedError } from 'graphql';
import { ERROR_CODES } from '../lib/errors.js';
import { idFromHeader } from '../lib/requestIds.js';
import type { Logger } from '../lib/logger.js';
import { scopeKeyOf } from '../lib/viewer.js';
import { auditPlugin, createAuditSink } from './audit.js';
import { AuthenticationError, createAuthenticator } from './auth.js';
import type { GatewayConfig } from './config.js';
import { armorProtection, costLimitPlugin, TOO_COMPLEX_PREFIX } from './limits.js';
import { mergeExtensions, type GatewayContext } from './context.js';
import { SubgraphDataSource } from './dataSource.js';
import { ParallelPlanStore, servicesFetchedTwice } from './parallelPlan.js';
import { supergraphFromFile } from './supergraph.js';

export interface RunningGateway {
  /** e.g. `http://127.0.0.1:4000` (GraphQL at `/graphql`, playground at `/`). */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface GatewayExtras {
  /** Mounted at `/` (the playground); added by main.ts so tests can run without it. */
  readonly playground?: express.Router;
}

const PUBLIC_CODES = new Set<string>(ERROR_CODES);

/**
 * Keeps the error model of design.md at the edge: subgraph errors that already carry a public
 * code pass through; a subgraph that cannot be reached becomes SUBGRAPH_UNAVAILABLE; anything
 * else is masked as INTERNAL_SERVER_ERROR (the detail goes to the log with the request id).
 */
export function formatGatewayError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const ext = formatted.extensions ?? {};
    const code = typeof ext.code === 'string' ? ext.code : undefined;
    if (code && PUBLIC_CODES.has(code) && typeof ext.system === 'string') return formatted;
    if (formatted.message.startsWith(TOO_COMPLEX_PREFIX) || (code === 'GRAPHQL_PARSE_FAILED' && /Document contains more tha[nt] \d+ tokens/.test(formatted.message))) {
      const message = formatted.message.replace(/^Syntax Error: Document contains more tha[nt] (\d+) tokens\. Parsing aborted\./, 'Query too complex: the document has more than $1 tokens (GATEWAY_MAX_TOKENS). Send a shorter document.');
      return { message, ...(formatted.locations ? { locations: formatted.locations } : {}), extensions: { code: 'QUERY_TOO_COMPLEX', system: 'gateway', retryable: false } };
    }
    if (code && ['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED', 'OPERATION_RESOLUTION_FAILURE', 'BAD_REQUEST'].includes(code)) {
      return { ...formatted, extensions: { ...ext, code: code === 'GRAPHQL_PARSE_FAILED' || code === 'GRAPHQL_VALIDATION_FAILED' ? code : 'BAD_USER_INPUT', system: 'gateway', retryable: false } };
    }
    const serviceName = typeof ext.serviceName === 'string' ? ext.serviceName : undefined;
    const message = formatted.message ?? '';
    if (serviceName || /fetch failed|ECONNREFUSED|ECONNRESET|socket|aborted|timeout|other side closed/i.test(message)) {
      return {
        message: `The ${serviceName ?? 'a'} subgraph could not be reached: ${message}`.replace('The a subgraph', 'A subgraph'),
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: { code: 'SUBGRAPH_UNAVAILABLE', system: serviceName ?? 'gateway', retryable: true },
      };
    }
    logger.error({ err: error, formatted }, 'unexpected gateway error');
    return {
      message: 'Internal error; the log has the detail under this request id.',
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR', system: 'gateway', retryable: false },
    };
  };
}

/** Merges the subgraph response `extensions` the data source collected into the client's response. */
export function forwardSubgraphExtensions(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          const parts = contextValue.subgraphExtensions ?? [];
          if (!parts.length || response.body.kind !== 'single') return;
          const merged = mergeExtensions(parts);
          const result = response.body.singleResult;
          result.extensions = mergeExtensions([result.extensions ?? {}, merged]);
        },
      };
    },
  };
}

/** A GraphQL error answer outside the GraphQL pipeline (authentication, body, content type), in the shape clients parse. */
function sendError(res: express.Response, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.status(status).json({ errors: [{ message, extensions: { code, system: 'gateway', retryable: false } }] });
}

/** express.json's refusals (malformed JSON, a body over the limit, a bad charset) said as GraphQL errors naming the fix. */
function bodyErrorHandler(maxBodyBytes: number): express.ErrorRequestHandler {
  return (err: { type?: string; status?: number; message?: string }, _req, res, next) => {
    if (res.headersSent) return next(err);
    if (err.type === 'entity.too.large') {
      return sendError(res, 413, 'QUERY_TOO_COMPLEX', `Query too complex: the request body is over ${maxBodyBytes} bytes (GATEWAY_MAX_BODY_BYTES). Send a shorter query or fewer variables.`);
    }
    if (err.type === 'entity.parse.failed') return sendError(res, 400, 'BAD_USER_INPUT', `The request body is not valid JSON (${err.message ?? 'parse error'}): send {"query": "...", "variables": {...}} with content-type: application/json.`);
    if (err.type === 'charset.unsupported' || err.type === 'encoding.unsupported') return sendError(res, 415, 'BAD_USER_INPUT', `${err.message ?? 'Unsupported encoding'}: send the body as UTF-8 JSON.`);
    return sendError(res, err.status && err.status < 500 ? err.status : 400, 'BAD_USER_INPUT', `The request could not be read (${err.message ?? 'bad request'}).`);
  };
}

export async function startGateway(config: GatewayConfig, logger: Logger, extras: GatewayExtras = {}): Promise<RunningGateway> {
  const subgraphUrls = new Map<string, string>();
  const authenticator = createAuthenticator(config.auth);
  const auditSink = createAuditSink(config.auditLog);
  const armor = armorProtection(config.limits, { blockFieldSuggestions: !config.introspection });
  const plans = new ParallelPlanStore(1000, config.parallelPlans);
  const gateway = new ApolloGateway({
    queryPlannerConfig: { cache: plans },
    experimental_didResolveQueryPlan: ({ queryPlan, requestContext }) => {
      (requestContext.context as GatewayContext).fetchedTwice = servicesFetchedTwice(queryPlan);
    },
    // Read from SUPERGRAPH_PATH; with SUPERGRAPH_WATCH, swapped when the file changes (supergraph.ts).
    supergraphSdl: supergraphFromFile({ path: config.supergraphPath, watch: config.supergraphWatch, logger, subgraphUrls: config.subgraphUrls }),
    buildService: ({ name, url }) => {
      const finalUrl = config.subgraphUrls[name] ?? url;
      if (!finalUrl) throw new Error(`The supergraph has no URL for subgraph "${name}": set ${name.toUpperCase().replace(/-/g, '_')}_SUBGRAPH_URL.`);
      subgraphUrls.set(name, finalUrl);
      return new SubgraphDataSource({ name, url: finalUrl, timeoutMs: config.subgraphTimeoutMs, maxSockets: config.subgraphMaxSockets, dedup: config.subgraphDedup });
    },
    logger: { debug: () => {}, info: (m) => logger.info(String(m)), warn: (m) => logger.warn(String(m)), error: (m) => logger.error(String(m)) },
  });

  // Plans are rewritten with the entity keys of the supergraph in use (before its first plan).
  gateway.onSchemaLoadOrUpdate(({ coreSupergraphSdl }) => plans.useSupergraph(coreSupergraphSdl));

  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);
  httpServer.keepAliveTimeout = 65_000;
  const server = new ApolloServer<GatewayContext>({
    gateway,
    formatError: formatGatewayError(logger),
    includeStacktraceInErrorResponses: false,
    introspection: config.introspection,
    // CSRF prevention stays on (Apollo's default): a GET or a non-JSON POST must carry a preflight header.
    csrfPrevention: true,
    allowBatchedHttpRequests: config.limits.maxBatch > 1,
    parseOptions: { maxTokens: config.limits.maxTokens },
    validationRules: armor.validationRules,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      ...(armor.plugins as ApolloServerPlugin<GatewayContext>[]),
      costLimitPlugin(config.limits.maxCost),
      auditPlugin(auditSink),
      forwardSubgraphExtensions(),
    ],
  });
  await server.start();

  app.get('/health/live', (_req, res) => {
    res.json({ status: 'up' });
  });
  app.get('/health/ready', async (_req, res) => {
    const subgraphs: Record<string, unknown> = {};
    const systems: Record<string, unknown> = {};
    await Promise.all(
      [...subgraphUrls].map(async ([name, url]) => {
        const healthUrl = url.replace(/\/graphql\/?$/, '') + '/health/ready';
        try {
          const r = await fetch(healthUrl, { signal: AbortSignal.timeout(2000) });
          const body = (await r.json()) as { systems?: Record<string, unknown> };
          subgraphs[name] = { state: r.ok ? 'up' : 'down', url };
          Object.assign(systems, body.systems ?? {});
        } catch (e) {
          subgraphs[name] = { state: 'down', url, detail: (e as Error).message };
        }
      }),
    );
    res.json({ status: 'ready', subgraphs, systems });
  });
  app.use(
    '/graphql',
    // The caller first: no valid token, no GraphQL work and no subgraph call (docs/security.md).
    (async (req, res, next) => {
      const requestId = idFromHeader(req.headers['x-request-id']) ?? randomUUID();
      res.setHeader('x-request-id', requestId);
      res.locals.requestId = requestId;
      try {
        res.locals.viewer = await authenticator.authenticate(req.headers.authorization);
        next();
      } catch (e) {
        if (!(e instanceof AuthenticationError)) return next(e);
        logger.info({ requestId, reason: e.message }, 'caller refused');
        sendError(res, 401, 'UNAUTHENTICATED', `Not authenticated: ${e.message}.`, { 'www-authenticate': 'Bearer error="invalid_token"' });
      }
    }) as express.RequestHandler,
    ((req, res, next) => {
      if (req.method === 'POST' && !req.is('application/json') && !req.is('application/graphql-response+json')) {
        return sendError(res, 415, 'BAD_USER_INPUT', `The request's content type is ${JSON.stringify(req.headers['content-type'] ?? 'missing')}: send the operation as JSON with content-type: application/json.`);
      }
      next();
    }) as express.RequestHandler,
    express.json({ limit: config.limits.maxBodyBytes, type: ['application/json', 'application/graphql-response+json'] }),
    bodyErrorHandler(config.limits.maxBodyBytes),
    ((req, res, next) => {
      if (!Array.isArray(req.body)) return next();
      if (config.limits.maxBatch <= 1) return sendError(res, 400, 'BAD_USER_INPUT', 'Batched operations are not accepted (GATEWAY_MAX_BATCH=1): send one operation per request.');
      if (req.body.length > config.limits.maxBatch) {
        return sendError(res, 400, 'QUERY_TOO_COMPLEX', `Query too complex: ${req.body.length} operations in one batch, over the limit of ${config.limits.maxBatch} (GATEWAY_MAX_BATCH). Send fewer per request.`);
      }
      next();
    }) as express.RequestHandler,
    expressMiddleware(server, {
      context: async ({ res }) => {
        const requestId = res.locals.requestId as string;
        const viewer = res.locals.viewer as GatewayContext['viewer'] & object;
        const viewerToken = await authenticator.sign(viewer);
        return {
          requestId,
          queryId: randomUUID(),
          logger: logger.child({ requestId }),
          viewer,
          ...(viewerToken ? { viewerToken } : {}),
          scopeKey: scopeKeyOf(viewer),
          subgraphExtensions: [],
        };
      },
    }),
  );
  if (extras.playground) app.use('/', extras.playground);

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  return {
    url: `http://${config.host}:${port}`,
    port,
    close: async () => {
      await server.stop();
      httpServer.closeAllConnections();
      await auditSink?.close();
    },
  };
}
