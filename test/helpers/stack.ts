import { createPrivateKey } from 'node:crypto';
import pino from 'pino';
import { DEV_AUDIENCE, DEV_ISSUER, generateEd25519Pem, signDevToken } from '../../lib/viewerToken.js';
import { startBillingEmulator } from '../../emulators/billing/index.js';
import { startCustomerServiceEmulator } from '../../emulators/customer-service/index.js';
import { startLoyaltyEmulator } from '../../emulators/loyalty/index.js';
import { startNetworkEmulator } from '../../emulators/network/index.js';
import { loadGatewayConfig } from '../../gateway/config.js';
import { createPlaygroundRouter } from '../../gateway/playground/index.js';
import { startGateway } from '../../gateway/server.js';
import { loadBillingConfig } from '../../subgraphs/billing/config.js';
import { startBillingSubgraph } from '../../subgraphs/billing/server.js';
import { loadCustomerServiceConfig } from '../../subgraphs/customer-service/config.js';
import { startCustomerServiceSubgraph } from '../../subgraphs/customer-service/server.js';
import { loadLoyaltyConfig } from '../../subgraphs/loyalty/config.js';
import { startLoyaltySubgraph } from '../../subgraphs/loyalty/server.js';
import { loadNetworkConfig } from '../../subgraphs/network/config.js';
import { startNetworkSubgraph } from '../../subgraphs/network/server.js';
import { startTestEmulator, TEST_NOW, type TestEmulator } from './emulators.js';

/**
 * The whole product in this process on ephemeral loopback ports: the four emulators (clock pinned
 * to TEST_NOW, sharing `testWorld`), the four subgraphs pointed at them, and the gateway pointed
 * at the subgraphs — the same code `npm start` runs as nine processes.
 */
export interface Stack {
  readonly gatewayUrl: string;
  readonly emulators: { crm: TestEmulator; billing: TestEmulator; network: TestEmulator; loyalty: TestEmulator };
  /** POSTs a GraphQL operation to the gateway, as the HQ admin unless `headers` carry another `authorization`. */
  query<T = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<{ data?: T; errors?: any[]; extensions?: any }>;
  /** A caller token of the stack's identity provider for these claims (options: a short `ttlSeconds`, another issuer or audience). */
  token(claims: { sub: string; roles: readonly string[]; region?: { province?: string; localNetwork?: string } }, options?: { ttlSeconds?: number; issuer?: string; audience?: string; now?: number }): Promise<string>;
  /** `authorization: Bearer …` headers of a viewer, for `query`. */
  as(claims: { sub: string; roles: readonly string[]; region?: { province?: string; localNetwork?: string } }): Promise<Record<string, string>>;
  /** The subgraphs' own URLs (to prove they refuse callers other than the gateway). */
  readonly subgraphUrls: { readonly 'customer-service': string; readonly billing: string; readonly network: string; readonly loyalty: string };
  /** The gateway's viewer-signing key pair (PEM), to forge or check `x-viewer` tokens in tests. */
  readonly keys: { readonly issuer: { privateKey: string; publicKey: string }; readonly gateway: { privateKey: string; publicKey: string } };
  /** Legacy calls per operation since the last `resetCounts()`, per system. */
  legacyCalls(): Promise<{ crm: Record<string, number>; billing: Record<string, number>; network: Record<string, number>; loyalty: Record<string, number> }>;
  resetCounts(): Promise<void>;
  /** Stops one subgraph (the gateway keeps pointing at it), as a crashed subgraph process. */
  closeSubgraph(name: 'customer-service' | 'billing' | 'network' | 'loyalty'): Promise<void>;
  close(): Promise<void>;
}

/**
 * @param env extra variables for the subgraphs' and gateway's configuration (e.g. a short
 * `BILLING_BUDGET_MS` for chaos tests); each process reads only its own.
 * @param options.playground mount the playground at the gateway's `/`, as `gateway/main.ts` does
 * (builds the bundle, about a second the first time).
 */
export async function startStack(extraEnv: Record<string, string> = {}, options: { playground?: boolean } = {}): Promise<Stack> {
  // Fresh keys per stack, as `npm start` makes for the embedded stack (never written to disk here).
  const keys = { issuer: generateEd25519Pem(), gateway: generateEd25519Pem() };
  const env: Record<string, string> = {
    AUTH_PUBLIC_KEY: keys.issuer.publicKey,
    AUTH_ISSUER: DEV_ISSUER,
    AUTH_AUDIENCE: DEV_AUDIENCE,
    VIEWER_SIGNING_KEY: keys.gateway.privateKey,
    VIEWER_VERIFY_KEY: keys.gateway.publicKey,
    AUDIT_LOG: 'off',
    ...extraEnv,
  };
  const issuerKey = createPrivateKey(keys.issuer.privateKey);
  const token: Stack['token'] = (claims, opts = {}) => signDevToken(issuerKey, claims, opts);
  const admin = `Bearer ${await token({ sub: 'test.admin', roles: ['admin'], region: {} })}`;
  const [crm, billing, network, loyalty] = await Promise.all([
    startTestEmulator('customer-service', startCustomerServiceEmulator),
    startTestEmulator('billing', startBillingEmulator),
    startTestEmulator('network', startNetworkEmulator),
    startTestEmulator('loyalty', startLoyaltyEmulator),
  ]);
  // TEST_LOG_LEVEL=error shows what the stack's processes log (silent by default).
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const subgraphs = await Promise.all([
    startCustomerServiceSubgraph(loadCustomerServiceConfig({ ...env, CUSTOMER_SERVICE_URL: crm.url, CUSTOMER_SERVICE_SUBGRAPH_PORT: '0' }), logger),
    startBillingSubgraph(loadBillingConfig({ ...env, BILLING_URL: billing.url, BILLING_SUBGRAPH_PORT: '0' }), logger, { now: () => Date.parse(TEST_NOW) }),
    startNetworkSubgraph(loadNetworkConfig({ ...env, NETWORK_URL: network.url, NETWORK_SUBGRAPH_PORT: '0' }), logger),
    startLoyaltySubgraph(loadLoyaltyConfig({ ...env, LOYALTY_URL: loyalty.url, LOYALTY_SUBGRAPH_PORT: '0' }), logger),
  ]);
  const gatewayConfig = loadGatewayConfig({
    ...env,
    GATEWAY_PORT: '0',
    CUSTOMER_SERVICE_SUBGRAPH_URL: subgraphs[0].url,
    BILLING_SUBGRAPH_URL: subgraphs[1].url,
    NETWORK_SUBGRAPH_URL: subgraphs[2].url,
    LOYALTY_SUBGRAPH_URL: subgraphs[3].url,
  });
  const playground = options.playground ? await createPlaygroundRouter({ title: 'Telecom Customer Graph' }) : undefined;
  const gateway = await startGateway(gatewayConfig, logger, playground ? { playground } : {});
  const ops = async (e: TestEmulator) => (await e.stats()).operations;
  const closed = new Set<number>();
  return {
    gatewayUrl: gateway.url,
    emulators: { crm, billing, network, loyalty },
    subgraphUrls: { 'customer-service': subgraphs[0].url, billing: subgraphs[1].url, network: subgraphs[2].url, loyalty: subgraphs[3].url },
    keys,
    token,
    async as(claims) {
      return { authorization: `Bearer ${await token(claims)}` };
    },
    async query(query, variables, headers = {}) {
      const res = await fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: admin, ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as never;
    },
    async legacyCalls() {
      const [c, b, n, l] = await Promise.all([ops(crm), ops(billing), ops(network), ops(loyalty)]);
      return { crm: c, billing: b, network: n, loyalty: l };
    },
    async resetCounts() {
      await Promise.all([crm, billing, network, loyalty].map((e) => fetch(`${e.url}/__emulator/stats`, { method: 'DELETE' })));
    },
    async closeSubgraph(name) {
      const i = ({ 'customer-service': 0, billing: 1, network: 2, loyalty: 3 } as const)[name];
      if (closed.has(i)) return;
      closed.add(i);
      await subgraphs[i].close();
    },
    async close() {
      await gateway.close();
      await Promise.all(subgraphs.map((s, i) => (closed.has(i) ? undefined : s.close())));
      await Promise.all([crm.close(), billing.close(), network.close(), loyalty.close()]);
    },
  };
}
