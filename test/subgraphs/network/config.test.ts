import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/config.js';
import { generateEd25519Pem } from '../../../lib/viewerToken.js';
import { loadNetworkConfig } from '../../../subgraphs/network/config.js';

/** Every config test but the auth ones: requests unauthenticated (AUTH_DISABLED), so that no key is needed. */
const NO_AUTH = { AUTH_DISABLED: 'true' };

describe('loadNetworkConfig', () => {
  it('defaults to the embedded stack: the NMS emulator on 127.0.0.1:5003, gateway/gateway-dev, port 4003, 10 in flight, batches of 100', () => {
    expect(loadNetworkConfig(NO_AUTH)).toMatchObject({
      dedup: true,
    requestMemoryMs: 5000,
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
      auth: { kind: 'disabled' },
    });
    expect(Object.isFrozen(loadNetworkConfig(NO_AUTH))).toBe(true);
  });

  it('refuses a bad value naming the variable and the fix', () => {
    expect(() => loadNetworkConfig({ ...NO_AUTH, NETWORK_URL: 'nms:5003' })).toThrow(ConfigError);
    expect(() => loadNetworkConfig({ ...NO_AUTH, NETWORK_URL: 'nms:5003' })).toThrow(/NETWORK_URL=.*e\.g\. http:\/\/127\.0\.0\.1:5003/);
    expect(() => loadNetworkConfig({ ...NO_AUTH, NETWORK_BATCH_SIZE: '101' })).toThrow(/NETWORK_BATCH_SIZE/);
    expect(() => loadNetworkConfig({ ...NO_AUTH, NETWORK_MAX_CONCURRENCY: '0' })).toThrow(/NETWORK_MAX_CONCURRENCY/);
    expect(() => loadNetworkConfig({ ...NO_AUTH, NETWORK_PAGE_SIZE: '6000' })).toThrow(/NETWORK_PAGE_SIZE/);
    expect(() => loadNetworkConfig({ ...NO_AUTH, NETWORK_CA_FILE: '/no/such/ca.pem' })).toThrow(/NETWORK_CA_FILE.*PEM/);
  });

  it('reads how requests prove they come through the gateway: VIEWER_VERIFY_KEY, else AUTH_DISABLED=true outside production', () => {
    expect(loadNetworkConfig({ VIEWER_VERIFY_KEY: generateEd25519Pem().publicKey }).auth.kind).toBe('verify');
    expect(() => loadNetworkConfig({})).toThrow(/VIEWER_VERIFY_KEY is not set: set it to the gateway's viewer public key/);
    expect(() => loadNetworkConfig({ AUTH_DISABLED: 'true', NODE_ENV: 'production' })).toThrow(/AUTH_DISABLED=true is refused with NODE_ENV=production/);
  });
});
