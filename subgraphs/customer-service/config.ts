import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, defineVar, readConfig, vars } from '../../lib/config.js';
import type { ResilienceSettings } from '../shared/resilience.js';
import { loadPolicyConfig } from '../shared/policyConfig.js';
import { loadSubgraphAuth, type SubgraphAuth } from '../shared/auth.js';

/**
 * The customer-service subgraph's configuration, read once from the environment (design.md,
 * "Configuration"). Defaults suit the embedded stack: the CRM emulator on 127.0.0.1:5001.
 */

const specs = {
  CUSTOMER_SERVICE_URL: defineVar(vars.url('http://127.0.0.1:5001'), "the CRM's base URL (its REST API is /crm/v1/ under it)", 'http://127.0.0.1:5001'),
  CUSTOMER_SERVICE_USER: defineVar(vars.string('gateway'), 'the CRM user the gateway logs in as', 'gateway'),
  CUSTOMER_SERVICE_PASSWORD: defineVar(vars.string('gateway-dev'), "that user's password", 'gateway-dev'),
  CUSTOMER_SERVICE_CA_FILE: defineVar(vars.optionalString(), 'the path of a PEM file with the CA that signed the CRM certificate (https only)', '/etc/ssl/crm-ca.pem'),
  CUSTOMER_SERVICE_TIMEOUT_MS: defineVar(vars.milliseconds(10_000), 'the milliseconds one CRM call may take, from request to last byte (name searches take seconds)', '10000'),
  CUSTOMER_SERVICE_CONNECT_TIMEOUT_MS: defineVar(vars.milliseconds(2_000), 'the milliseconds to wait for a connection to the CRM', '2000'),
  CUSTOMER_SERVICE_MAX_CONCURRENCY: defineVar(vars.positiveInt(5, 100), 'the most CRM calls in flight on our session (the CRM answers 429 beyond 5)', '5'),
  CUSTOMER_SERVICE_MAX_QUEUE: defineVar(vars.positiveInt(1000, 1_000_000), 'the most CRM calls waiting for a free slot before more are refused', '1000'),
  CUSTOMER_SERVICE_BATCH_SIZE: defineVar(vars.positiveInt(50, 50), 'the keys per CRM batch call (customers:lookup, :byCustomer, OR-ed look-ups), at most 50', '50'),
  CUSTOMER_SERVICE_DEDUP: defineVar(vars.boolean(true), 'whether identical CRM reads in flight at once (same operation, keys and viewer scope) share one call', 'true'),
  CUSTOMER_SERVICE_REQUEST_MEMORY_MS: defineVar(
    vars.milliseconds(5000),
    'the milliseconds the customers one gateway request read from the CRM stay at hand for that same request\'s later fetches (0 = read again)',
    '5000',
  ),
  CUSTOMER_SERVICE_SUBGRAPH_HOST: defineVar(vars.string('127.0.0.1'), 'the address the customer-service subgraph listens on', '127.0.0.1'),
  CUSTOMER_SERVICE_SUBGRAPH_PORT: defineVar(vars.port(4001), 'a free TCP port for the customer-service subgraph (0 picks one)', '4001'),
  LOG_LEVEL: defineVar(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'), 'a pino log level', 'info'),
};

export interface CustomerServiceConfig {
  /** @default http://127.0.0.1:5001 */
  readonly crmUrl: string;
  /** @default gateway */
  readonly user: string;
  /** @default gateway-dev */
  readonly password: string;
  /** PEM contents of CUSTOMER_SERVICE_CA_FILE, when set. */
  readonly ca?: Buffer;
  /** @default 10 000 */
  readonly timeoutMs: number;
  /** @default 2 000 */
  readonly connectTimeoutMs: number;
  /** Per session. @default 5 (the CRM's own limit) */
  readonly maxConcurrency: number;
  /** @default 1 000 */
  readonly maxQueue: number;
  /** @default 50 (the CRM's limit) */
  readonly batchSize: number;
  /**
   * Resilience policies (subgraphs/shared/resilience.ts): CUSTOMER_SERVICE_BUDGET_MS (15 000), CUSTOMER_SERVICE_RETRY_ATTEMPTS
   * (2), CUSTOMER_SERVICE_BREAKER_THRESHOLD (5), CUSTOMER_SERVICE_BREAKER_HALF_OPEN_AFTER_MS (10 000),
   * CUSTOMER_SERVICE_BREAKER_RATIO (0.5), CUSTOMER_SERVICE_BREAKER_WINDOW_MS (10 000), CUSTOMER_SERVICE_BREAKER_MIN_CALLS (20), CUSTOMER_SERVICE_WINDOW_DEFAULT_S (30).
   */
  readonly resilience: ResilienceSettings;
  /** Stale-if-error cache: CUSTOMER_SERVICE_STALE_MAX_ENTRIES (10 000), CUSTOMER_SERVICE_STALE_MAX_AGE_S (300). */
  readonly stale: { readonly maxEntries: number; readonly maxAgeSeconds: number };
  /** CUSTOMER_SERVICE_DEDUP: identical reads in flight at once share one call. @default true */
  readonly dedup: boolean;
  /** CUSTOMER_SERVICE_REQUEST_MEMORY_MS: how long one gateway request's customers stay at hand for its later fetches (subgraphs/shared/requestMemory.ts). @default 5000 */
  readonly requestMemoryMs: number;
  /** @default 127.0.0.1 */
  readonly host: string;
  /** @default 4001 */
  readonly port: number;
  readonly logLevel: string;
  /**
   * How requests prove they come through the gateway: VIEWER_VERIFY_KEY (the gateway's viewer
   * public key, PEM text or path; required) or AUTH_DISABLED=true (benchmarks only, refused with
   * NODE_ENV=production). subgraphs/shared/auth.ts.
   */
  readonly auth: SubgraphAuth;
}

export function loadCustomerServiceConfig(env: NodeJS.ProcessEnv = process.env): CustomerServiceConfig {
  const c = readConfig(specs, env);
  let ca: Buffer | undefined;
  if (c.CUSTOMER_SERVICE_CA_FILE) {
    try {
      ca = readFileSync(c.CUSTOMER_SERVICE_CA_FILE);
    } catch (e) {
      throw new ConfigError(
        `CUSTOMER_SERVICE_CA_FILE=${JSON.stringify(c.CUSTOMER_SERVICE_CA_FILE)} cannot be read (${(e as Error).message}): set it to the path of a PEM file with the CRM's CA certificate, or unset it.`,
      );
    }
  }
  return Object.freeze({
    crmUrl: c.CUSTOMER_SERVICE_URL,
    user: c.CUSTOMER_SERVICE_USER,
    password: c.CUSTOMER_SERVICE_PASSWORD,
    ...(ca ? { ca } : {}),
    timeoutMs: c.CUSTOMER_SERVICE_TIMEOUT_MS,
    connectTimeoutMs: c.CUSTOMER_SERVICE_CONNECT_TIMEOUT_MS,
    maxConcurrency: c.CUSTOMER_SERVICE_MAX_CONCURRENCY,
    maxQueue: c.CUSTOMER_SERVICE_MAX_QUEUE,
    batchSize: c.CUSTOMER_SERVICE_BATCH_SIZE,
    dedup: c.CUSTOMER_SERVICE_DEDUP,
    requestMemoryMs: c.CUSTOMER_SERVICE_REQUEST_MEMORY_MS,
    ...loadPolicyConfig('CUSTOMER_SERVICE', 'the CRM', env),
    host: c.CUSTOMER_SERVICE_SUBGRAPH_HOST,
    port: c.CUSTOMER_SERVICE_SUBGRAPH_PORT,
    logLevel: c.LOG_LEVEL,
    auth: loadSubgraphAuth(env),
  });
}
