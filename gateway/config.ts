import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { defineVar, readConfig, vars, ConfigError } from '../lib/config.js';

/**
 * The gateway's configuration, read once from the environment. Subgraph URLs come from the
 * supergraph; `<NAME>_SUBGRAPH_URL` (e.g. `BILLING_SUBGRAPH_URL`, `CUSTOMER_SERVICE_SUBGRAPH_URL`)
 * overrides one.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
export const DEFAULT_SUPERGRAPH_PATH = path.resolve(here, '../schema/supergraph.graphql');

const specs = {
  GATEWAY_HOST: defineVar(vars.string('127.0.0.1'), 'the address to listen on', '127.0.0.1'),
  GATEWAY_PORT: defineVar(vars.port(4000), 'a free TCP port', '4000'),
  SUPERGRAPH_PATH: defineVar(vars.string(DEFAULT_SUPERGRAPH_PATH), 'the path of a composed supergraph file (npm run compose writes one)', 'schema/supergraph.graphql'),
  SUPERGRAPH_WATCH: defineVar(vars.boolean(true), 'true to swap to the supergraph file whenever it changes (hot reload), false to read it once', 'true'),
  SUBGRAPH_TIMEOUT_MS: defineVar(vars.milliseconds(15_000), 'the milliseconds to wait for one subgraph answer', '15000'),
  SUBGRAPH_MAX_SOCKETS: defineVar(vars.positiveInt(64, 10_000), 'the most keep-alive connections per subgraph', '64'),
  SUBGRAPH_DEDUP: defineVar(vars.boolean(true), 'whether identical subgraph queries in flight at once (same subgraph, query, variables and viewer scope) share one call', 'true'),
  LOG_LEVEL: defineVar(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'), 'a pino log level', 'info'),
};

export interface GatewayConfig {
  readonly host: string;
  readonly port: number;
  readonly supergraphPath: string;
  /** Reload the supergraph when its file changes (a bad file is refused and logged). */
  readonly supergraphWatch: boolean;
  readonly subgraphTimeoutMs: number;
  readonly subgraphMaxSockets: number;
  /** Identical subgraph queries in flight at once share one HTTP call (never a mutation). @default true */
  readonly subgraphDedup: boolean;
  readonly logLevel: string;
  /** Subgraph name (as in the supergraph, e.g. `customer-service`) → URL that overrides it. */
  readonly subgraphUrls: Readonly<Record<string, string>>;
}

/** `customer-service` → `CUSTOMER_SERVICE_SUBGRAPH_URL`. */
export function subgraphUrlVariable(name: string): string {
  return `${name.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_SUBGRAPH_URL`;
}

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const c = readConfig(specs, env);
  const subgraphUrls: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    const m = /^([A-Z0-9_]+)_SUBGRAPH_URL$/.exec(key);
    if (!m || !value) continue;
    if (!/^https?:\/\//.test(value) || !URL.canParse(value)) {
      throw new ConfigError(`${key}=${JSON.stringify(value)} is not an http(s) URL: set it to the subgraph's GraphQL endpoint, e.g. http://127.0.0.1:4002/graphql`);
    }
    subgraphUrls[m[1]!.toLowerCase().replace(/_/g, '-')] = value;
  }
  return Object.freeze({
    host: c.GATEWAY_HOST,
    port: c.GATEWAY_PORT,
    supergraphPath: path.resolve(c.SUPERGRAPH_PATH),
    supergraphWatch: c.SUPERGRAPH_WATCH,
    subgraphTimeoutMs: c.SUBGRAPH_TIMEOUT_MS,
    subgraphMaxSockets: c.SUBGRAPH_MAX_SOCKETS,
    subgraphDedup: c.SUBGRAPH_DEDUP,
    logLevel: c.LOG_LEVEL,
    subgraphUrls: Object.freeze(subgraphUrls),
  });
}
