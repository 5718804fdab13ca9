import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, defineVar, readConfig, vars } from '../../lib/config.js';
import type { ResilienceSettings } from '../shared/resilience.js';
import { loadPolicyConfig } from '../shared/policyConfig.js';
import { loadSubgraphAuth, type SubgraphAuth } from '../shared/auth.js';
import { BALANCE_BATCH_LIMIT, CUSTOMER_BATCH_LIMIT, PAGE_SIZE_LIMIT } from './client/BillingClient.js';

/**
 * The billing subgraph's configuration, read once from the environment (design.md,
 * "Configuration"). Defaults suit the embedded stack: the billing emulator on 127.0.0.1:5002.
 */

const specs = {
  BILLING_URL: defineVar(vars.url('http://127.0.0.1:5002'), "billing's base URL (its SOAP services are /services/{Service} under it)", 'http://127.0.0.1:5002'),
  BILLING_USER: defineVar(vars.string('gateway'), 'the LoginSystemCode billing gave the gateway', 'gateway'),
  BILLING_PASSWORD: defineVar(vars.string('gateway-dev'), "that login's password", 'gateway-dev'),
  BILLING_CA_FILE: defineVar(vars.optionalString(), "the path of a PEM file with the CA that signed billing's certificate (https only)", '/etc/ssl/billing-ca.pem'),
  BILLING_TIMEOUT_MS: defineVar(vars.milliseconds(10_000), 'the milliseconds one billing call may take, from request to last byte', '10000'),
  BILLING_CONNECT_TIMEOUT_MS: defineVar(vars.milliseconds(2_000), 'the milliseconds to wait for a connection to billing', '2000'),
  BILLING_MAX_IN_FLIGHT: defineVar(vars.positiveInt(20, 1000), 'the most billing calls in flight at once (billing answers "System busy" beyond 20)', '20'),
  BILLING_MAX_QUEUE: defineVar(vars.positiveInt(1000, 1_000_000), 'the most billing calls waiting for a free slot before more are refused', '1000'),
  BILLING_CUSTOMER_BATCH_SIZE: defineVar(
    vars.positiveInt(CUSTOMER_BATCH_LIMIT, CUSTOMER_BATCH_LIMIT),
    `the keys per BatchQueryCustomerInfo call, at most ${CUSTOMER_BATCH_LIMIT}`,
    String(CUSTOMER_BATCH_LIMIT),
  ),
  BILLING_BALANCE_BATCH_SIZE: defineVar(
    vars.positiveInt(BALANCE_BATCH_LIMIT, BALANCE_BATCH_LIMIT),
    `the keys per BatchQueryBalance call, at most ${BALANCE_BATCH_LIMIT}`,
    String(BALANCE_BATCH_LIMIT),
  ),
  BILLING_PAGE_SIZE: defineVar(vars.positiveInt(PAGE_SIZE_LIMIT, PAGE_SIZE_LIMIT), `the FetchRowNum of paged billing calls, at most ${PAGE_SIZE_LIMIT}`, String(PAGE_SIZE_LIMIT)),
  BILLING_DEDUP: defineVar(vars.boolean(true), 'whether identical billing reads in flight at once (same operation, keys and viewer scope) share one call', 'true'),
  BILLING_REQUEST_MEMORY_MS: defineVar(
    vars.milliseconds(5000),
    'the milliseconds the customers one gateway request read from billing stay at hand for that same request\'s later fetches (0 = read again)',
    '5000',
  ),
  BILLING_OPERATOR_ID: defineVar(vars.string('gateway'), 'the OperatorID billing records for calls made on behalf of the gateway', 'gateway'),
  BILLING_SUBGRAPH_HOST: defineVar(vars.string('127.0.0.1'), 'the address the billing subgraph listens on', '127.0.0.1'),
  BILLING_SUBGRAPH_PORT: defineVar(vars.port(4002), 'a free TCP port for the billing subgraph (0 picks one)', '4002'),
  LOG_LEVEL: defineVar(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'), 'a pino log level', 'info'),
};

export interface BillingConfig {
  /** @default http://127.0.0.1:5002 */
  readonly billingUrl: string;
  /** @default gateway */
  readonly user: string;
  /** @default gateway-dev */
  readonly password: string;
  /** PEM contents of BILLING_CA_FILE, when set. */
  readonly ca?: Buffer;
  /** @default 10 000 */
  readonly timeoutMs: number;
  /** @default 2 000 */
  readonly connectTimeoutMs: number;
  /** @default 20 (billing's own limit) */
  readonly maxInFlight: number;
  /** @default 1 000 */
  readonly maxQueue: number;
  /** @default 100 (billing's limit) */
  readonly customerBatchSize: number;
  /** @default 50 (billing's limit) */
  readonly balanceBatchSize: number;
  /** @default 200 (billing's limit) */
  readonly pageSize: number;
  /** @default gateway */
  readonly operatorId: string;
  /** BILLING_DEDUP: identical reads in flight at once share one call. @default true */
  readonly dedup: boolean;
  /** BILLING_REQUEST_MEMORY_MS: how long one gateway request's customers stay at hand for its later fetches (subgraphs/shared/requestMemory.ts). @default 5000 */
  readonly requestMemoryMs: number;
  /**
   * Resilience policies (subgraphs/shared/resilience.ts): BILLING_BUDGET_MS (15 000), BILLING_RETRY_ATTEMPTS
   * (2), BILLING_BREAKER_THRESHOLD (5), BILLING_BREAKER_HALF_OPEN_AFTER_MS (10 000),
   * BILLING_BREAKER_RATIO (0.5), BILLING_BREAKER_WINDOW_MS (10 000), BILLING_BREAKER_MIN_CALLS (20), BILLING_WINDOW_DEFAULT_S (30).
   */
  readonly resilience: ResilienceSettings;
  /** Stale-if-error cache: BILLING_STALE_MAX_ENTRIES (10 000), BILLING_STALE_MAX_AGE_S (300). */
  readonly stale: { readonly maxEntries: number; readonly maxAgeSeconds: number };
  readonly host: string;
  /** @default 4002 */
  readonly port: number;
  readonly logLevel: string;
  /**
   * How requests prove they come through the gateway: VIEWER_VERIFY_KEY (the gateway's viewer
   * public key, PEM text or path; required) or AUTH_DISABLED=true (benchmarks only, refused with
   * NODE_ENV=production). subgraphs/shared/auth.ts.
   */
  readonly auth: SubgraphAuth;
}

export function loadBillingConfig(env: NodeJS.ProcessEnv = process.env): BillingConfig {
  const c = readConfig(specs, env);
  let ca: Buffer | undefined;
  if (c.BILLING_CA_FILE) {
    try {
      ca = readFileSync(c.BILLING_CA_FILE);
    } catch (e) {
      throw new ConfigError(
        `BILLING_CA_FILE=${JSON.stringify(c.BILLING_CA_FILE)} cannot be read (${(e as Error).message}): set it to the path of a PEM file with billing's CA certificate, or unset it.`,
      );
    }
  }
  return Object.freeze({
    billingUrl: c.BILLING_URL,
    user: c.BILLING_USER,
    password: c.BILLING_PASSWORD,
    ...(ca ? { ca } : {}),
    timeoutMs: c.BILLING_TIMEOUT_MS,
    connectTimeoutMs: c.BILLING_CONNECT_TIMEOUT_MS,
    maxInFlight: c.BILLING_MAX_IN_FLIGHT,
    maxQueue: c.BILLING_MAX_QUEUE,
    customerBatchSize: c.BILLING_CUSTOMER_BATCH_SIZE,
    balanceBatchSize: c.BILLING_BALANCE_BATCH_SIZE,
    pageSize: c.BILLING_PAGE_SIZE,
    operatorId: c.BILLING_OPERATOR_ID,
    dedup: c.BILLING_DEDUP,
    requestMemoryMs: c.BILLING_REQUEST_MEMORY_MS,
    ...loadPolicyConfig('BILLING', 'billing', env),
    host: c.BILLING_SUBGRAPH_HOST,
    port: c.BILLING_SUBGRAPH_PORT,
    logLevel: c.LOG_LEVEL,
    auth: loadSubgraphAuth(env),
  });
}
