import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/config.js';
import { generateEd25519Pem } from '../../../lib/viewerToken.js';
import { loadLoyaltyConfig } from '../../../subgraphs/loyalty/config.js';

/** Every config test but the auth ones: requests unauthenticated (AUTH_DISABLED), so that no key is needed. */
const NO_AUTH = { AUTH_DISABLED: 'true' };

describe('loadLoyaltyConfig', () => {
  it('defaults to the embedded stack: the loyalty emulator on 127.0.0.1:5004, gateway/gateway-dev, port 4004, batches of 50 (the ledger limit)', () => {
    expect(loadLoyaltyConfig(NO_AUTH)).toMatchObject({
      baseUrl: 'http://127.0.0.1:5004',
      user: 'gateway',
      password: 'gateway-dev',
      host: '127.0.0.1',
      port: 4004,
      batchSize: 50,
    });
    expect(Object.isFrozen(loadLoyaltyConfig(NO_AUTH))).toBe(true);
  });

  it('refuses a bad value naming the variable and the fix', () => {
    expect(() => loadLoyaltyConfig({ ...NO_AUTH, LOYALTY_URL: 'nowhere' })).toThrow(ConfigError);
    expect(() => loadLoyaltyConfig({ ...NO_AUTH, LOYALTY_URL: 'nowhere' })).toThrow(/LOYALTY_URL=.*e\.g\. http:\/\/127\.0\.0\.1:5004/);
    expect(() => loadLoyaltyConfig({ ...NO_AUTH, LOYALTY_BATCH_SIZE: '51' })).toThrow(/LOYALTY_BATCH_SIZE/);
    expect(() => loadLoyaltyConfig({ ...NO_AUTH, LOYALTY_SUBGRAPH_PORT: 'x' })).toThrow(/LOYALTY_SUBGRAPH_PORT/);
    expect(() => loadLoyaltyConfig({ ...NO_AUTH, LOYALTY_CA_FILE: '/no/such/ca.pem' })).toThrow(/LOYALTY_CA_FILE.*PEM/);
  });

  it('reads the resilience policy and the stale-if-error cache, with the defaults of the other subgraphs', () => {
    expect(loadLoyaltyConfig(NO_AUTH)).toMatchObject({
      resilience: { budgetMs: 15_000, retryAttempts: 2, breakerThreshold: 5, breakerHalfOpenAfterMs: 10_000, breakerRatio: 0.5, breakerWindowMs: 10_000, breakerMinCalls: 20, windowDefaultS: 30 },
      stale: { maxEntries: 10_000, maxAgeSeconds: 300 },
    });
    expect(
      loadLoyaltyConfig({ ...NO_AUTH, LOYALTY_BUDGET_MS: '500', LOYALTY_RETRY_ATTEMPTS: '0', LOYALTY_BREAKER_THRESHOLD: '0', LOYALTY_BREAKER_HALF_OPEN_AFTER_MS: '2000', LOYALTY_WINDOW_DEFAULT_S: '5', LOYALTY_STALE_MAX_ENTRIES: '0', LOYALTY_STALE_MAX_AGE_S: '60' }),
    ).toMatchObject({
      resilience: { budgetMs: 500, retryAttempts: 0, breakerThreshold: 0, breakerHalfOpenAfterMs: 2000, windowDefaultS: 5 },
      stale: { maxEntries: 0, maxAgeSeconds: 60 },
    });
    for (const name of ['LOYALTY_BUDGET_MS', 'LOYALTY_RETRY_ATTEMPTS', 'LOYALTY_BREAKER_THRESHOLD', 'LOYALTY_BREAKER_HALF_OPEN_AFTER_MS', 'LOYALTY_BREAKER_RATIO', 'LOYALTY_BREAKER_WINDOW_MS', 'LOYALTY_BREAKER_MIN_CALLS', 'LOYALTY_WINDOW_DEFAULT_S', 'LOYALTY_STALE_MAX_ENTRIES', 'LOYALTY_STALE_MAX_AGE_S']) {
      expect(() => loadLoyaltyConfig({ ...NO_AUTH, [name]: '-1' }), name).toThrow(new RegExp(name));
    }
  });

  it('reads how requests prove they come through the gateway: VIEWER_VERIFY_KEY, else AUTH_DISABLED=true outside production', () => {
    expect(loadLoyaltyConfig({ VIEWER_VERIFY_KEY: generateEd25519Pem().publicKey }).auth.kind).toBe('verify');
    expect(loadLoyaltyConfig({ AUTH_DISABLED: 'true' }).auth).toEqual({ kind: 'disabled' });
    expect(() => loadLoyaltyConfig({})).toThrow(/VIEWER_VERIFY_KEY is not set: set it to the gateway's viewer public key/);
    expect(() => loadLoyaltyConfig({ VIEWER_VERIFY_KEY: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n' })).toThrow(/VIEWER_VERIFY_KEY does not hold a public key/);
    expect(() => loadLoyaltyConfig({ AUTH_DISABLED: 'true', NODE_ENV: 'production' })).toThrow(/AUTH_DISABLED=true is refused with NODE_ENV=production/);
  });
});
