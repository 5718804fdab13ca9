import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, defineVar, readConfig, vars } from '../../lib/config.js';
import type { ResilienceSettings } from '../shared/resilience.js';
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
  BILLING_STALE_MAX_ENTRIES: defineVar(z.coerce.number().int().min(0).max(10_000_000).default(10_000), 'the most last-known billing entities kept to answer with when billing fails (0 = none)', '10000'),
  BILLING_STALE_MAX_AGE_S: defineVar(vars.positiveInt(300, 86_400), 'the oldest last-known billing value, in seconds, served when billing fails', '300'),
  BILLING_BUDGET_MS: defineVar(vars.milliseconds(15_000), 'the milliseconds one billing call may take with all its retries together (then LEGACY_TIMEOUT)', '15000'),
  BILLING_RETRY_ATTEMPTS: defineVar(z.coerce.number().int().min(0).max(10).default(2), 'how many times a failed billing read is retried (never a write; 0 = never)', '2'),
  BILLING_BREAKER_THRESHOLD: defineVar(z.coerce.number().int().min(0).max(1000).default(5), 'the consecutive failed billing calls that open the circuit breaker (0 = no breaker)', '5'),
  BILLING_BREAKER_HALF_OPEN_AFTER_MS: defineVar(vars.milliseconds(10_000), 'the milliseconds the breaker stays open before one probe call to billing', '10000'),
  BILLING_BREAKER_RATIO: defineVar(z.coerce.number().min(0).lt(1).default(0.8), 'the share of failed billing calls in the sliding window (below 1) that also opens the circuit breaker, once the window holds the minimum calls (0 = consecutive failures only)', '0.8'),
  BILLING_BREAKER_WINDOW_MS: defineVar(vars.milliseconds(10_000), 'the milliseconds of the sliding window over which the share of failed billing calls is judged', '10000'),
  BILLING_BREAKER_MIN_CALLS: defineVar(vars.positiveInt(20, 1_000_000), 'the fewest billing calls in the window for their share of failures to be judged', '20'),
  BILLING_WINDOW_DEFAULT_S: defineVar(vars.positiveInt(30, 86_400), 'the seconds billing is left alone after it announces a maintenance window without saying how long', '30'),
  BILLING_DEDUP: defineVar(vars.boolean(true), 'whether identical billing reads in flight at once (same operation, keys and viewer scope) share one call', 'true'),
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
  /**
   * Resilience policies (subgraphs/shared/resilience.ts): BILLING_BUDGET_MS (15 000), BILLING_RETRY_ATTEMPTS
   * (2), BILLING_BREAKER_THRESHOLD (5), BILLING_BREAKER_HALF_OPEN_AFTER_MS (10 000),
   * BILLING_BREAKER_RATIO (0.8), BILLING_BREAKER_WINDOW_MS (10 000), BILLING_BREAKER_MIN_CALLS (20), BILLING_WINDOW_DEFAULT_S (30).
   */
  readonly resilience: ResilienceSettings;
  /** Stale-if-error cache: BILLING_STALE_MAX_ENTRIES (10 000), BILLING_STALE_MAX_AGE_S (300). */
  readonly stale: { readonly maxEntries: number; readonly maxAgeSeconds: number };
  readonly host: string;
  /** @default 4002 */
  readonly port: number;
  readonly logLevel: string;
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
    stale: Object.freeze({ maxEntries: c.BILLING_STALE_MAX_ENTRIES, maxAgeSeconds: c.BILLING_STALE_MAX_AGE_S }),
    resilience: Object.freeze({
      budgetMs: c.BILLING_BUDGET_MS,
      retryAttempts: c.BILLING_RETRY_ATTEMPTS,
      breakerThreshold: c.BILLING_BREAKER_THRESHOLD,
      breakerHalfOpenAfterMs: c.BILLING_BREAKER_HALF_OPEN_AFTER_MS,
      breakerRatio: c.BILLING_BREAKER_RATIO,
      breakerWindowMs: c.BILLING_BREAKER_WINDOW_MS,
      breakerMinCalls: c.BILLING_BREAKER_MIN_CALLS,
      windowDefaultS: c.BILLING_WINDOW_DEFAULT_S,
    }),
    host: c.BILLING_SUBGRAPH_HOST,
    port: c.BILLING_SUBGRAPH_PORT,
    logLevel: c.LOG_LEVEL,
  });
}
