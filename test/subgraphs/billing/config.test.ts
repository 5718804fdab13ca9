import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/config.js';
import { lastCycles, twelveMonthsBefore } from '../../../subgraphs/billing/calendar.js';
import { generateEd25519Pem } from '../../../lib/viewerToken.js';
import { loadBillingConfig } from '../../../subgraphs/billing/config.js';
import { divideFen, moneyFromFen } from '../../../subgraphs/billing/money.js';

/** Every config test but the auth ones: requests unauthenticated (AUTH_DISABLED), so that no key is needed. */
const NO_AUTH = { AUTH_DISABLED: 'true' };

describe('loadBillingConfig', () => {
  it('defaults to the embedded stack', () => {
    expect(loadBillingConfig(NO_AUTH)).toEqual({
      billingUrl: 'http://127.0.0.1:5002',
      user: 'gateway',
      password: 'gateway-dev',
      timeoutMs: 10_000,
      stale: { maxEntries: 10_000, maxAgeSeconds: 300 },
      resilience: { budgetMs: 15_000, retryAttempts: 2, breakerThreshold: 5, breakerHalfOpenAfterMs: 10_000, breakerRatio: 0.5, breakerWindowMs: 10_000, breakerMinCalls: 20, windowDefaultS: 30 },
      connectTimeoutMs: 2_000,
      maxInFlight: 20,
      maxQueue: 1000,
      customerBatchSize: 100,
      balanceBatchSize: 50,
      pageSize: 200,
      operatorId: 'gateway',
      dedup: true,
      requestMemoryMs: 5000,
      host: '127.0.0.1',
      port: 4002,
      logLevel: 'info',
      auth: { kind: 'disabled' },
    });
  });

  it('BILLING_DEDUP=false turns the in-flight deduplication of reads off', () => {
    expect(loadBillingConfig({ ...NO_AUTH, BILLING_DEDUP: 'false' }).dedup).toBe(false);
  });

  it('names the variable and the fix for a bad value', () => {
    expect(() => loadBillingConfig({ ...NO_AUTH, BILLING_URL: 'billing:5002' })).toThrow(ConfigError);
    expect(() => loadBillingConfig({ ...NO_AUTH, BILLING_URL: 'billing:5002' })).toThrow(/BILLING_URL="billing:5002" is not valid .*e\.g\. http:\/\/127\.0\.0\.1:5002/);
    expect(() => loadBillingConfig({ ...NO_AUTH, BILLING_BALANCE_BATCH_SIZE: '51' })).toThrow(/BILLING_BALANCE_BATCH_SIZE.*at most 50/);
    expect(() => loadBillingConfig({ ...NO_AUTH, BILLING_CA_FILE: '/nonexistent/ca.pem' })).toThrow(/BILLING_CA_FILE.*cannot be read/);
  });

  it('reads the resilience and stale-if-error settings, and names a bad one', () => {
    const c = loadBillingConfig({ ...NO_AUTH, BILLING_RETRY_ATTEMPTS: '0', BILLING_BUDGET_MS: '1500', BILLING_BREAKER_THRESHOLD: '0', BILLING_STALE_MAX_ENTRIES: '0', BILLING_STALE_MAX_AGE_S: '60' });
    expect(c.resilience).toMatchObject({ retryAttempts: 0, budgetMs: 1500, breakerThreshold: 0 });
    expect(c.stale).toEqual({ maxEntries: 0, maxAgeSeconds: 60 });
    expect(() => loadBillingConfig({ ...NO_AUTH, BILLING_RETRY_ATTEMPTS: '-1' })).toThrow(/BILLING_RETRY_ATTEMPTS="-1" is not valid .*retried/);
    expect(() => loadBillingConfig({ ...NO_AUTH, BILLING_BREAKER_HALF_OPEN_AFTER_MS: 'soon' })).toThrow(/BILLING_BREAKER_HALF_OPEN_AFTER_MS/);
    expect(() => loadBillingConfig({ ...NO_AUTH, BILLING_BREAKER_RATIO: '1' })).toThrow(/BILLING_BREAKER_RATIO/);
    expect(loadBillingConfig({ ...NO_AUTH, BILLING_BREAKER_RATIO: '0.25', BILLING_BREAKER_WINDOW_MS: '30000', BILLING_BREAKER_MIN_CALLS: '50' }).resilience).toMatchObject({ breakerRatio: 0.25, breakerWindowMs: 30_000, breakerMinCalls: 50 });
  });
});

describe('loadBillingConfig auth', () => {
  it('reads how requests prove they come through the gateway: VIEWER_VERIFY_KEY, else AUTH_DISABLED=true outside production', () => {
    expect(loadBillingConfig({ VIEWER_VERIFY_KEY: generateEd25519Pem().publicKey }).auth.kind).toBe('verify');
    expect(loadBillingConfig({ AUTH_DISABLED: 'true' }).auth).toEqual({ kind: 'disabled' });
    expect(() => loadBillingConfig({})).toThrow(/VIEWER_VERIFY_KEY is not set: set it to the gateway's viewer public key/);
    expect(() => loadBillingConfig({ AUTH_DISABLED: 'true', NODE_ENV: 'production' })).toThrow(/AUTH_DISABLED=true is refused with NODE_ENV=production/);
  });
});

describe('money', () => {
  it('formats integer fen as an exact two-place decimal, never through floating point', () => {
    expect(moneyFromFen(-12345n).amount).toBe('-123.45');
    expect(moneyFromFen(-5n).amount).toBe('-0.05');
    expect(moneyFromFen(0n).amount).toBe('0.00');
    expect(moneyFromFen(900719925474099123n).amount).toBe('9007199254740991.23');
  });

  it('divides to the nearest fen, halves away from zero', () => {
    expect(divideFen(5n, 2n)).toBe(3n);
    expect(divideFen(-5n, 2n)).toBe(-3n);
    expect(divideFen(16133n, 9n)).toBe(1793n);
  });
});

describe('calendar', () => {
  it('counts the last N complete cycles from now, in Shanghai months', () => {
    expect(lastCycles(Date.parse('2026-11-24T10:00:00+08:00'), 6)).toEqual({ from: '2026-05', to: '2026-10' });
    // 31 December 16:30 UTC is already 1 January in Shanghai.
    expect(lastCycles(Date.parse('2026-12-31T16:30:00Z'), 1)).toEqual({ from: '2026-12', to: '2026-12' });
    expect(lastCycles(Date.parse('2027-01-15T00:00:00+08:00'), 13)).toEqual({ from: '2025-12', to: '2026-12' });
  });

  it('goes 12 calendar months back, 29 February to 28 February', () => {
    expect(twelveMonthsBefore(Date.parse('2028-02-29T10:00:00+08:00'))).toBe(Date.parse('2027-02-28T10:00:00+08:00'));
    expect(twelveMonthsBefore(Date.parse('2026-11-24T10:00:00+08:00'))).toBe(Date.parse('2025-11-24T10:00:00+08:00'));
  });
});
