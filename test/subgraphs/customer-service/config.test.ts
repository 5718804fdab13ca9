import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/config.js';
import { generateEd25519Pem } from '../../../lib/viewerToken.js';
import { loadCustomerServiceConfig } from '../../../subgraphs/customer-service/config.js';

/** Configuration: safe defaults for the embedded stack; a bad value names the variable and the fix. */

/** Every config test but the auth ones: requests unauthenticated (AUTH_DISABLED), so that no key is needed. */
const NO_AUTH = { AUTH_DISABLED: 'true' };

describe('loadCustomerServiceConfig', () => {
  it('defaults to the embedded stack: CRM emulator on 5001, gateway / gateway-dev, 5 in flight, batches of 50, port 4001', () => {
    expect(loadCustomerServiceConfig(NO_AUTH)).toEqual({
      crmUrl: 'http://127.0.0.1:5001',
      user: 'gateway',
      password: 'gateway-dev',
      timeoutMs: 10_000,
      stale: { maxEntries: 10_000, maxAgeSeconds: 300 },
      resilience: { budgetMs: 15_000, retryAttempts: 2, breakerThreshold: 5, breakerHalfOpenAfterMs: 10_000, breakerRatio: 0.5, breakerWindowMs: 10_000, breakerMinCalls: 20, windowDefaultS: 30 },
      connectTimeoutMs: 2_000,
      maxConcurrency: 5,
      maxQueue: 1000,
      batchSize: 50,
      dedup: true,
      requestMemoryMs: 5000,
      host: '127.0.0.1',
      port: 4001,
      logLevel: 'info',
      auth: { kind: 'disabled' },
    });
  });

  it('CUSTOMER_SERVICE_DEDUP=false turns the in-flight deduplication of reads off', () => {
    expect(loadCustomerServiceConfig({ ...NO_AUTH, CUSTOMER_SERVICE_DEDUP: 'false' }).dedup).toBe(false);
  });

  it('reads every variable', () => {
    const c = loadCustomerServiceConfig({
      ...NO_AUTH,
      CUSTOMER_SERVICE_URL: 'https://crm.example:8443/siebel',
      CUSTOMER_SERVICE_USER: 'gw',
      CUSTOMER_SERVICE_PASSWORD: 's3cret',
      CUSTOMER_SERVICE_TIMEOUT_MS: '4000',
      CUSTOMER_SERVICE_MAX_CONCURRENCY: '3',
      CUSTOMER_SERVICE_BATCH_SIZE: '20',
      CUSTOMER_SERVICE_SUBGRAPH_PORT: '0',
    });
    expect(c).toMatchObject({ crmUrl: 'https://crm.example:8443/siebel', user: 'gw', password: 's3cret', timeoutMs: 4000, maxConcurrency: 3, batchSize: 20, port: 0 });
  });

  it.each([
    ['CUSTOMER_SERVICE_URL', 'crm.example', 'http://127.0.0.1:5001'],
    ['CUSTOMER_SERVICE_BATCH_SIZE', '51', 'at most 50'],
    ['CUSTOMER_SERVICE_MAX_CONCURRENCY', '0', '429 beyond 5'],
    ['CUSTOMER_SERVICE_SUBGRAPH_PORT', 'http', 'free TCP port'],
    ['CUSTOMER_SERVICE_CA_FILE', '/nonexistent/ca.pem', 'PEM file'],
  ])('refuses %s=%j with a message naming the variable and the fix', (name, value, fix) => {
    let err: unknown;
    try {
      loadCustomerServiceConfig({ ...NO_AUTH, [name]: value });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain(name);
    expect((err as Error).message).toContain(fix);
  });

  it('reads how requests prove they come through the gateway: VIEWER_VERIFY_KEY, else AUTH_DISABLED=true outside production', () => {
    expect(loadCustomerServiceConfig({ VIEWER_VERIFY_KEY: generateEd25519Pem().publicKey }).auth.kind).toBe('verify');
    expect(loadCustomerServiceConfig({ AUTH_DISABLED: 'true' }).auth).toEqual({ kind: 'disabled' });
    expect(() => loadCustomerServiceConfig({})).toThrow(/VIEWER_VERIFY_KEY is not set: set it to the gateway's viewer public key/);
    expect(() => loadCustomerServiceConfig({ VIEWER_VERIFY_KEY: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n' })).toThrow(/VIEWER_VERIFY_KEY does not hold a public key/);
    expect(() => loadCustomerServiceConfig({ AUTH_DISABLED: 'true', NODE_ENV: 'production' })).toThrow(/AUTH_DISABLED=true is refused with NODE_ENV=production/);
  });
});
