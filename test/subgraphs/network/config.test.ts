import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/config.js';
import { loadNetworkConfig } from '../../../subgraphs/network/config.js';

describe('loadNetworkConfig', () => {
  it('defaults to the embedded stack: the NMS emulator on 127.0.0.1:5003, gateway/gateway-dev, port 4003, 10 in flight, batches of 100', () => {
    expect(loadNetworkConfig({})).toMatchObject({
      dedup: true,
      nmsUrl: 'http://127.0.0.1:5003',
      user: 'gateway',
      password: 'gateway-dev',
      port: 4003,
      host: '127.0.0.1',
      maxConcurrency: 10,
      batchSize: 100,
      pageSize: 1000,
      timeoutMs: 10_000,
      connectTimeoutMs: 2_000,
    });
    expect(Object.isFrozen(loadNetworkConfig({}))).toBe(true);
  });

  it('refuses a bad value naming the variable and the fix', () => {
    expect(() => loadNetworkConfig({ NETWORK_URL: 'nms:5003' })).toThrow(ConfigError);
    expect(() => loadNetworkConfig({ NETWORK_URL: 'nms:5003' })).toThrow(/NETWORK_URL=.*e\.g\. http:\/\/127\.0\.0\.1:5003/);
    expect(() => loadNetworkConfig({ NETWORK_BATCH_SIZE: '101' })).toThrow(/NETWORK_BATCH_SIZE/);
    expect(() => loadNetworkConfig({ NETWORK_MAX_CONCURRENCY: '0' })).toThrow(/NETWORK_MAX_CONCURRENCY/);
    expect(() => loadNetworkConfig({ NETWORK_PAGE_SIZE: '6000' })).toThrow(/NETWORK_PAGE_SIZE/);
    expect(() => loadNetworkConfig({ NETWORK_CA_FILE: '/no/such/ca.pem' })).toThrow(/NETWORK_CA_FILE.*PEM/);
  });
});
