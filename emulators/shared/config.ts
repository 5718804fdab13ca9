import { z } from 'zod';
import { DEFAULT_CUSTOMERS, DEFAULT_SEED, MAX_CUSTOMERS } from './world.js';

/**
 * Configuration of the emulators, read once from the environment and validated. A bad value
 * stops start-up with a message naming the variable and the fix.
 */

export type SystemName = 'billing' | 'network' | 'customer-service' | 'loyalty';

export const SYSTEMS: readonly SystemName[] = ['customer-service', 'billing', 'network', 'loyalty'];

/** Environment variable prefix of each system: `BILLING_EMULATOR_PORT`, … */
export const ENV_PREFIX: Record<SystemName, string> = {
  billing: 'BILLING_EMULATOR',
  network: 'NETWORK_EMULATOR',
  'customer-service': 'CUSTOMER_SERVICE_EMULATOR',
  loyalty: 'LOYALTY_EMULATOR',
};

export const DEFAULT_PORTS: Record<SystemName, number> = {
  'customer-service': 5001,
  billing: 5002,
  network: 5003,
  loyalty: 5004,
};

export interface EmulatorConfig {
  readonly system: SystemName;
  /** 127.0.0.1 unless configured otherwise. */
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly seed: number;
  readonly customers: number;
  /** The credentials the emulated system accepts. */
  readonly user: string;
  readonly password: string;
  /** Billing: the charset it writes and declares (GBK unless configured). */
  readonly charset: 'GBK' | 'UTF-8';
  /** CRM: idle minutes after which a session token expires. */
  readonly sessionIdleSeconds: number;
}

class ConfigError extends Error {
  override name = 'ConfigError';
}

function intVar(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number, hint: string): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const parsed = z.coerce.number().int().min(min).max(max).safeParse(raw.replace(/_/g, ''));
  if (!parsed.success) throw new ConfigError(`${name}=${JSON.stringify(raw)} is not valid: ${hint} (a whole number from ${min} to ${max}).`);
  return parsed.data;
}

/**
 * Reads one emulator's configuration. Shared settings (`EMULATOR_SEED`, `EMULATOR_CUSTOMERS`,
 * `EMULATOR_USER`, `EMULATOR_PASSWORD`, `EMULATOR_HOST`) apply to all three; the per-system
 * variables (`BILLING_EMULATOR_PORT`, `BILLING_EMULATOR_USER`, …) override them.
 */
export function loadEmulatorConfig(system: SystemName, env: NodeJS.ProcessEnv = process.env, overrides: Partial<EmulatorConfig> = {}): EmulatorConfig {
  const prefix = ENV_PREFIX[system];
  const host = env[`${prefix}_HOST`] || env.EMULATOR_HOST || '127.0.0.1';
  const charsetRaw = (env.BILLING_EMULATOR_CHARSET || 'GBK').toUpperCase();
  if (charsetRaw !== 'GBK' && charsetRaw !== 'UTF-8') {
    throw new ConfigError(`BILLING_EMULATOR_CHARSET=${JSON.stringify(env.BILLING_EMULATOR_CHARSET)} is not supported: set it to GBK (the default) or UTF-8.`);
  }
  const config: EmulatorConfig = {
    system,
    host,
    port: intVar(env, `${prefix}_PORT`, DEFAULT_PORTS[system], 0, 65535, `set it to a free TCP port, e.g. ${DEFAULT_PORTS[system]}`),
    seed: intVar(env, 'EMULATOR_SEED', DEFAULT_SEED, 0, 2 ** 32 - 1, 'set it to any whole number; the same seed gives the same world'),
    customers: intVar(env, 'EMULATOR_CUSTOMERS', DEFAULT_CUSTOMERS, 1, MAX_CUSTOMERS, 'set it to the number of customers to emulate, e.g. 10000'),
    user: env[`${prefix}_USER`] || env.EMULATOR_USER || 'gateway',
    password: env[`${prefix}_PASSWORD`] || env.EMULATOR_PASSWORD || 'gateway-dev',
    charset: charsetRaw,
    sessionIdleSeconds: intVar(env, 'CUSTOMER_SERVICE_EMULATOR_SESSION_IDLE_SECONDS', 900, 1, 86_400, 'set it to the idle seconds after which a CRM session expires, e.g. 900'),
    ...overrides,
  };
  return Object.freeze(config);
}

export { ConfigError };
