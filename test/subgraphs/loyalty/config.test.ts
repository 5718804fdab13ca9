import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/config.js';
import { loadLoyaltyConfig } from '../../../subgraphs/loyalty/config.js';

describe('loadLoyaltyConfig', () => {
  it('defaults to the embedded stack: the loyalty emulator on 127.0.0.1:5004, gateway/gateway-dev, port 4004, batches of 50 (the ledger limit)', () => {
    expect(loadLoyaltyConfig({})).toMatchObject({
      baseUrl: 'http://127.0.0.1:5004',
      user: 'gateway',
      password: 'gateway-dev',
      host: '127.0.0.1',
      port: 4004,
      batchSize: 50,
    });
    expect(Object.isFrozen(loadLoyaltyConfig({}))).toBe(true);
  });

  it('refuses a bad value naming the variable and the fix', () => {
    expect(() => loadLoyaltyConfig({ LOYALTY_URL: 'nowhere' })).toThrow(ConfigError);
    expect(() => loadLoyaltyConfig({ LOYALTY_URL: 'nowhere' })).toThrow(/LOYALTY_URL=.*e\.g\. http:\/\/127\.0\.0\.1:5004/);
    expect(() => loadLoyaltyConfig({ LOYALTY_BATCH_SIZE: '51' })).toThrow(/LOYALTY_BATCH_SIZE/);
    expect(() => loadLoyaltyConfig({ LOYALTY_SUBGRAPH_PORT: 'x' })).toThrow(/LOYALTY_SUBGRAPH_PORT/);
    expect(() => loadLoyaltyConfig({ LOYALTY_CA_FILE: '/no/such/ca.pem' })).toThrow(/LOYALTY_CA_FILE.*PEM/);
  });
});
