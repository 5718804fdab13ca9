import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, defineVar, readConfig, vars } from '../../lib/config.js';
import type { ResilienceSettings } from '../shared/resilience.js';
import { loadPolicyConfig } from '../shared/policyConfig.js';
import { loadSubgraphAuth, type SubgraphAuth } from '../shared/auth.js';

/**
 * The network subgraph's configuration, read once from the environment (design.md,
 * "Configuration"). Defaults suit the embedded stack: the NMS emulator on 127.0.0.1:5003.
 */

const specs = {
  NETWORK_URL: defineVar(vars.url('http://127.0.0.1:5003'), "the NMS's base URL (its REST API is /nms/rest/ under it)", 'http://127.0.0.1:5003'),
  NETWORK_USER: defineVar(vars.string('gateway'), 'the HTTP Basic user the NMS gave the gateway', 'gateway'),
  NETWORK_PASSWORD: defineVar(vars.string('gateway-dev'), "that user's password", 'gateway-dev'),
  NETWORK_CA_FILE: defineVar(vars.optionalString(), 'the path of a PEM file with the CA that signed the NMS certificate (https only)', '/etc/ssl/nms-ca.pem'),
  NETWORK_TIMEOUT_MS: defineVar(vars.milliseconds(10_000), 'the milliseconds one NMS call may take, from request to last byte', '10000'),
  NETWORK_CONNECT_TIMEOUT_MS: defineVar(vars.milliseconds(2_000), 'the milliseconds to wait for a connection to the NMS', '2000'),
  NETWORK_MAX_CONCURRENCY: defineVar(vars.positiveInt(10, 1000), 'the most NMS calls in flight at once (the NMS answers 503 beyond 10)', '10'),
  NETWORK_MAX_QUEUE: defineVar(vars.positiveInt(1000, 1_000_000), 'the most NMS calls waiting for a free slot before more are refused', '1000'),
  NETWORK_BATCH_SIZE: defineVar(vars.positiveInt(100, 100), 'the keys per NMS batch call, at most 100', '100'),
  NETWORK_PAGE_SIZE: defineVar(vars.positiveInt(1000, 5000), 'the entries per page of an NMS list, at most 5000', '1000'),
  NETWORK_DEDUP: defineVar(vars.boolean(true), 'whether identical NMS reads in flight at once (same operation, keys and viewer scope) share one call', 'true'),
  NETWORK_REQUEST_MEMORY_MS: defineVar(
    vars.milliseconds(5000),
    'the milliseconds the service lines and outages one gateway request read from the NMS stay at hand for that same request\'s later fetches (0 = read again)',
    '5000',
  ),
  NETWORK_SUBGRAPH_HOST: defineVar(vars.string('127.0.0.1'), 'the address the network subgraph listens on', '127.0.0.1'),
  NETWORK_SUBGRAPH_PORT: defineVar(vars.port(4003), 'a free TCP port for the network subgraph (0 picks one)', '4003'),
  LOG_LEVEL: defineVar(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'), 'a pino log level', 'info'),
};

export interface NetworkConfig {
  /** @default http://127.0.0.1:5003 */
  readonly nmsUrl: string;
  readonly user: string;
  readonly password: string;
  /** PEM contents of NETWORK_CA_FILE, when set. */
  readonly ca?: Buffer;
  /** @default 10 000 */
  readonly timeoutMs: number;
  /** @default 2 000 */
  readonly connectTimeoutMs: number;
  /** @default 10 (the NMS's own limit) */
  readonly maxConcurrency: number;
  /** @default 1 000 */
  readonly maxQueue: number;
  /** @default 100 (the NMS's limit) */
  readonly batchSize: number;
  /** @default 1 000 */
  readonly pageSize: number;
  /**
   * Resilience policies (subgraphs/shared/resilience.ts): NETWORK_BUDGET_MS (15 000), NETWORK_RETRY_ATTEMPTS
   * (2), NETWORK_BREAKER_THRESHOLD (5), NETWORK_BREAKER_HALF_OPEN_AFTER_MS (10 000),
   * NETWORK_BREAKER_RATIO (0.5), NETWORK_BREAKER_WINDOW_MS (10 000), NETWORK_BREAKER_MIN_CALLS (20), NETWORK_WINDOW_DEFAULT_S (30).
   */
  readonly resilience: ResilienceSettings;
  /** Stale-if-error cache: NETWORK_STALE_MAX_ENTRIES (10 000), NETWORK_STALE_MAX_AGE_S (300). */
  readonly stale: { readonly maxEntries: number; readonly maxAgeSeconds: number };
  /** NETWORK_DEDUP: identical reads in flight at once share one call. @default true */
  readonly dedup: boolean;
  /** NETWORK_REQUEST_MEMORY_MS: how long one gateway request's service lines and outages stay at hand for its later fetches (subgraphs/shared/requestMemory.ts). @default 5000 */
  readonly requestMemoryMs: number;
  readonly host: string;
  /** @default 4003 */
  readonly port: number;
  readonly logLevel: string;
  /**
   * How requests prove they come through the gateway: VIEWER_VERIFY_KEY (the gateway's viewer
   * public key, PEM text or path; required) or AUTH_DISABLED=true (benchmarks only, refused with
   * NODE_ENV=production). subgraphs/shared/auth.ts.
   */
  readonly auth: SubgraphAuth;
}

export function loadNetworkConfig(env: NodeJS.ProcessEnv = process.env): NetworkConfig {
  const c = readConfig(specs, env);
  let ca: Buffer | undefined;
  if (c.NETWORK_CA_FILE) {
    try {
      ca = readFileSync(c.NETWORK_CA_FILE);
    } catch (e) {
      throw new ConfigError(
        `NETWORK_CA_FILE=${JSON.stringify(c.NETWORK_CA_FILE)} cannot be read (${(e as Error).message}): set it to the path of a PEM file with the NMS's CA certificate, or unset it.`,
      );
    }
  }
  return Object.freeze({
    nmsUrl: c.NETWORK_URL,
    user: c.NETWORK_USER,
    password: c.NETWORK_PASSWORD,
    ...(ca ? { ca } : {}),
    timeoutMs: c.NETWORK_TIMEOUT_MS,
    connectTimeoutMs: c.NETWORK_CONNECT_TIMEOUT_MS,
    maxConcurrency: c.NETWORK_MAX_CONCURRENCY,
    maxQueue: c.NETWORK_MAX_QUEUE,
    batchSize: c.NETWORK_BATCH_SIZE,
    pageSize: c.NETWORK_PAGE_SIZE,
    dedup: c.NETWORK_DEDUP,
    requestMemoryMs: c.NETWORK_REQUEST_MEMORY_MS,
    ...loadPolicyConfig('NETWORK', 'the NMS', env),
    host: c.NETWORK_SUBGRAPH_HOST,
    port: c.NETWORK_SUBGRAPH_PORT,
    logLevel: c.LOG_LEVEL,
    auth: loadSubgraphAuth(env),
  });
}
