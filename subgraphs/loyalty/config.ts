import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, defineVar, readConfig, vars } from '../../lib/config.js';
import type { ResilienceSettings } from '../shared/resilience.js';
import { loadPolicyConfig } from '../shared/policyConfig.js';
import { loadSubgraphAuth, type SubgraphAuth } from '../shared/auth.js';

/**
 * The loyalty subgraph's configuration, read once from the environment (design.md,
 * "Configuration"). Defaults suit the embedded stack: the loyalty emulator on 127.0.0.1:5004.
 */

const specs = {
  LOYALTY_URL: defineVar(vars.url('http://127.0.0.1:5004'), "the loyalty points ledger's base URL (its balance call is /loyalty/balance under it)", 'http://127.0.0.1:5004'),
  LOYALTY_USER: defineVar(vars.string('gateway'), 'the HTTP Basic user the loyalty system gave the gateway', 'gateway'),
  LOYALTY_PASSWORD: defineVar(vars.string('gateway-dev'), "that user's password", 'gateway-dev'),
  LOYALTY_CA_FILE: defineVar(vars.optionalString(), "the path of a PEM file with the CA that signed the loyalty system's certificate (https only)", '/etc/ssl/loyalty-ca.pem'),
  LOYALTY_TIMEOUT_MS: defineVar(vars.milliseconds(10_000), 'the milliseconds one loyalty call may take, from request to last byte', '10000'),
  LOYALTY_CONNECT_TIMEOUT_MS: defineVar(vars.milliseconds(2_000), 'the milliseconds to wait for a connection to the loyalty system', '2000'),
  LOYALTY_MAX_CONCURRENCY: defineVar(vars.positiveInt(10, 1000), 'the most loyalty calls in flight at once', '10'),
  LOYALTY_MAX_QUEUE: defineVar(vars.positiveInt(1000, 1_000_000), 'the most loyalty calls waiting for a free slot before more are refused', '1000'),
  LOYALTY_BATCH_SIZE: defineVar(vars.positiveInt(50, 50), 'the customers per ledger balance call, at most 50 (the ledger refuses more)', '50'),
  LOYALTY_SUBGRAPH_HOST: defineVar(vars.string('127.0.0.1'), 'the address the loyalty subgraph listens on', '127.0.0.1'),
  LOYALTY_SUBGRAPH_PORT: defineVar(vars.port(4004), 'a free TCP port for the loyalty subgraph (0 picks one)', '4004'),
  LOG_LEVEL: defineVar(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'), 'a pino log level', 'info'),
};

export interface LoyaltyConfig {
  /** @default http://127.0.0.1:5004 */
  readonly baseUrl: string;
  readonly user: string;
  readonly password: string;
  /** PEM contents of LOYALTY_CA_FILE, when set. */
  readonly ca?: Buffer;
  /** @default 10 000 */
  readonly timeoutMs: number;
  /** @default 2 000 */
  readonly connectTimeoutMs: number;
  /** @default 10 */
  readonly maxConcurrency: number;
  /** @default 1 000 */
  readonly maxQueue: number;
  /** @default 50 (the ledger's limit) */
  readonly batchSize: number;
  /**
   * Resilience policies (subgraphs/shared/resilience.ts): LOYALTY_BUDGET_MS (15 000), LOYALTY_RETRY_ATTEMPTS
   * (2), LOYALTY_BREAKER_THRESHOLD (5), LOYALTY_BREAKER_HALF_OPEN_AFTER_MS (10 000),
   * LOYALTY_BREAKER_RATIO (0.5), LOYALTY_BREAKER_WINDOW_MS (10 000), LOYALTY_BREAKER_MIN_CALLS (20), LOYALTY_WINDOW_DEFAULT_S (30).
   */
  readonly resilience: ResilienceSettings;
  /** Stale-if-error cache: LOYALTY_STALE_MAX_ENTRIES (10 000), LOYALTY_STALE_MAX_AGE_S (300). */
  readonly stale: { readonly maxEntries: number; readonly maxAgeSeconds: number };
  readonly host: string;
  /** @default 4004 */
  readonly port: number;
  readonly logLevel: string;
  /**
   * How requests prove they come through the gateway: VIEWER_VERIFY_KEY (the gateway's viewer
   * public key, PEM text or path; required) or AUTH_DISABLED=true (benchmarks only, refused with
   * NODE_ENV=production). subgraphs/shared/auth.ts.
   */
  readonly auth: SubgraphAuth;
}

export function loadLoyaltyConfig(env: NodeJS.ProcessEnv = process.env): LoyaltyConfig {
  const c = readConfig(specs, env);
  let ca: Buffer | undefined;
  if (c.LOYALTY_CA_FILE) {
    try {
      ca = readFileSync(c.LOYALTY_CA_FILE);
    } catch (e) {
      throw new ConfigError(
        `LOYALTY_CA_FILE=${JSON.stringify(c.LOYALTY_CA_FILE)} cannot be read (${(e as Error).message}): set it to the path of a PEM file with the loyalty system's CA certificate, or unset it.`,
      );
    }
  }
  return Object.freeze({
    baseUrl: c.LOYALTY_URL,
    user: c.LOYALTY_USER,
    password: c.LOYALTY_PASSWORD,
    ...(ca ? { ca } : {}),
    timeoutMs: c.LOYALTY_TIMEOUT_MS,
    connectTimeoutMs: c.LOYALTY_CONNECT_TIMEOUT_MS,
    maxConcurrency: c.LOYALTY_MAX_CONCURRENCY,
    maxQueue: c.LOYALTY_MAX_QUEUE,
    batchSize: c.LOYALTY_BATCH_SIZE,
    ...loadPolicyConfig('LOYALTY', 'the loyalty ledger', env),
    host: c.LOYALTY_SUBGRAPH_HOST,
    port: c.LOYALTY_SUBGRAPH_PORT,
    logLevel: c.LOG_LEVEL,
    auth: loadSubgraphAuth(env),
  });
}
