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
import type { Logger } from '../lib/logger.js';
import type { GatewayConfig } from './config.js';
import { mergeExtensions, type GatewayContext } from './context.js';
import { SubgraphDataSource } from './dataSource.js';
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

export async function startGateway(config: GatewayConfig, logger: Logger, extras: GatewayExtras = {}): Promise<RunningGateway> {
  const subgraphUrls = new Map<string, string>();
  const gateway = new ApolloGateway({
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

  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);
  httpServer.keepAliveTimeout = 65_000;
  const server = new ApolloServer<GatewayContext>({
    gateway,
    formatError: formatGatewayError(logger),
    includeStacktraceInErrorResponses: false,
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), ApolloServerPluginLandingPageDisabled(), forwardSubgraphExtensions()],
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
    express.json({ limit: '1mb' }),
    expressMiddleware(server, {
      context: async ({ req, res }) => {
        const header = req.headers['x-request-id'];
        const requestId = typeof header === 'string' && /^[\w.:-]{1,128}$/.test(header) ? header : randomUUID();
        res.setHeader('x-request-id', requestId);
        // scopeKey: the viewer's scope, '*' until viewers arrive (a later issue).
        return { requestId, logger: logger.child({ requestId }), scopeKey: '*', subgraphExtensions: [] };
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
    },
  };
}
