import { z } from 'zod';
import { defineVar, readConfig, vars } from '../../lib/config.js';
import type { ResilienceSettings } from './resilience.js';

/**
 * The resilience and stale-if-error settings every subgraph reads the same way, under its own
 * prefix: `<PREFIX>_BUDGET_MS`, `_RETRY_ATTEMPTS`, `_BREAKER_THRESHOLD`, `_BREAKER_HALF_OPEN_AFTER_MS`,
 * `_BREAKER_RATIO`, `_BREAKER_WINDOW_MS`, `_BREAKER_MIN_CALLS`, `_WINDOW_DEFAULT_S`,
 * `_STALE_MAX_ENTRIES`, `_STALE_MAX_AGE_S`.
 */
export interface PolicyConfig {
  /** Defaults: budget 15 000 ms, 2 retries, breaker 5 consecutive failed requests or 0.5 of ≥ 20 requests in 10 000 ms, half-open after 10 000 ms, window 30 s. */
  readonly resilience: ResilienceSettings;
  /** Defaults: 10 000 entries, 300 s. */
  readonly stale: { readonly maxEntries: number; readonly maxAgeSeconds: number };
}

/** Reads the policy settings of one legacy system; `system` names it in messages, e.g. `the NMS`. */
export function loadPolicyConfig(prefix: string, system: string, env: NodeJS.ProcessEnv): PolicyConfig {
  const v = (name: string) => `${prefix}_${name}`;
  const specs = {
    [v('BUDGET_MS')]: defineVar(vars.milliseconds(15_000), `the milliseconds one call to ${system} may take with all its retries together (then LEGACY_TIMEOUT)`, '15000'),
    [v('RETRY_ATTEMPTS')]: defineVar(z.coerce.number().int().min(0).max(10).default(2), `how many times a failed read from ${system} is retried (never a write; 0 = never)`, '2'),
    [v('BREAKER_THRESHOLD')]: defineVar(z.coerce.number().int().min(0).max(1000).default(5), `the consecutive failed requests to ${system} (after their retries) that open the circuit breaker (0 = no breaker)`, '5'),
    [v('BREAKER_HALF_OPEN_AFTER_MS')]: defineVar(vars.milliseconds(10_000), `the milliseconds the breaker stays open before one probe call to ${system}`, '10000'),
    [v('BREAKER_RATIO')]: defineVar(
      z.coerce.number().min(0).lt(1).default(0.5),
      `the share of failed requests to ${system} in the sliding window (below 1) that also opens the circuit breaker, once the window holds the minimum calls (0 = consecutive failures only)`,
      '0.5',
    ),
    [v('BREAKER_WINDOW_MS')]: defineVar(vars.milliseconds(10_000), `the milliseconds of the sliding window over which the share of failed calls to ${system} is judged`, '10000'),
    [v('BREAKER_MIN_CALLS')]: defineVar(vars.positiveInt(20, 1_000_000), `the fewest calls to ${system} in the window for their share of failures to be judged`, '20'),
    [v('WINDOW_DEFAULT_S')]: defineVar(vars.positiveInt(30, 86_400), `the seconds ${system} is left alone after it announces a maintenance window without saying how long`, '30'),
    [v('STALE_MAX_ENTRIES')]: defineVar(z.coerce.number().int().min(0).max(10_000_000).default(10_000), `the most last-known entities of ${system} kept to answer with when it fails (0 = none)`, '10000'),
    [v('STALE_MAX_AGE_S')]: defineVar(vars.positiveInt(300, 86_400), `the oldest last-known value of ${system}, in seconds, served when it fails`, '300'),
  };
  const c = readConfig(specs, env) as Record<string, number>;
  return Object.freeze({
    resilience: Object.freeze({
      budgetMs: c[v('BUDGET_MS')]!,
      retryAttempts: c[v('RETRY_ATTEMPTS')]!,
      breakerThreshold: c[v('BREAKER_THRESHOLD')]!,
      breakerHalfOpenAfterMs: c[v('BREAKER_HALF_OPEN_AFTER_MS')]!,
      breakerRatio: c[v('BREAKER_RATIO')]!,
      breakerWindowMs: c[v('BREAKER_WINDOW_MS')]!,
      breakerMinCalls: c[v('BREAKER_MIN_CALLS')]!,
      windowDefaultS: c[v('WINDOW_DEFAULT_S')]!,
    }),
    stale: Object.freeze({ maxEntries: c[v('STALE_MAX_ENTRIES')]!, maxAgeSeconds: c[v('STALE_MAX_AGE_S')]! }),
  });
}
