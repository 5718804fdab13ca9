import pino from 'pino';
import { startBillingEmulator } from '../../emulators/billing/index.js';
import { startCustomerServiceEmulator } from '../../emulators/customer-service/index.js';
import { startNetworkEmulator } from '../../emulators/network/index.js';
import { loadGatewayConfig } from '../../gateway/config.js';
import { startGateway } from '../../gateway/server.js';
import { loadBillingConfig } from '../../subgraphs/billing/config.js';
import { startBillingSubgraph } from '../../subgraphs/billing/server.js';
import { loadCustomerServiceConfig } from '../../subgraphs/customer-service/config.js';
import { startCustomerServiceSubgraph } from '../../subgraphs/customer-service/server.js';
import { loadNetworkConfig } from '../../subgraphs/network/config.js';
import { startNetworkSubgraph } from '../../subgraphs/network/server.js';
import { startTestEmulator, type TestEmulator } from './emulators.js';

/**
 * The whole product in this process on ephemeral loopback ports: the three emulators (clock pinned
 * to TEST_NOW, sharing `testWorld`), the three subgraphs pointed at them, and the gateway pointed
 * at the subgraphs — the same code `npm start` runs as seven processes.
 */
export interface Stack {
  readonly gatewayUrl: string;
  readonly emulators: { crm: TestEmulator; billing: TestEmulator; network: TestEmulator };
  /** POSTs a GraphQL operation to the gateway. */
  query<T = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<{ data?: T; errors?: any[]; extensions?: any }>;
  /** Legacy calls per operation since the last `resetCounts()`, per system. */
  legacyCalls(): Promise<{ crm: Record<string, number>; billing: Record<string, number>; network: Record<string, number> }>;
  resetCounts(): Promise<void>;
  close(): Promise<void>;
}

export async function startStack(): Promise<Stack> {
  const [crm, billing, network] = await Promise.all([
    startTestEmulator('customer-service', startCustomerServiceEmulator),
    startTestEmulator('billing', startBillingEmulator),
    startTestEmulator('network', startNetworkEmulator),
  ]);
  const logger = pino({ level: 'silent' });
  const subgraphs = await Promise.all([
    startCustomerServiceSubgraph(loadCustomerServiceConfig({ CUSTOMER_SERVICE_URL: crm.url, CUSTOMER_SERVICE_SUBGRAPH_PORT: '0' }), logger),
    startBillingSubgraph(loadBillingConfig({ BILLING_URL: billing.url, BILLING_SUBGRAPH_PORT: '0' }), logger),
    startNetworkSubgraph(loadNetworkConfig({ NETWORK_URL: network.url, NETWORK_SUBGRAPH_PORT: '0' }), logger),
  ]);
  const gatewayConfig = loadGatewayConfig({
    GATEWAY_PORT: '0',
    CUSTOMER_SERVICE_SUBGRAPH_URL: subgraphs[0].url,
    BILLING_SUBGRAPH_URL: subgraphs[1].url,
    NETWORK_SUBGRAPH_URL: subgraphs[2].url,
  });
  const gateway = await startGateway(gatewayConfig, logger);
  const ops = async (e: TestEmulator) => (await e.stats()).operations;
  return {
    gatewayUrl: gateway.url,
    emulators: { crm, billing, network },
    async query(query, variables, headers = {}) {
      const res = await fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as never;
    },
    async legacyCalls() {
      const [c, b, n] = await Promise.all([ops(crm), ops(billing), ops(network)]);
      return { crm: c, billing: b, network: n };
    },
    async resetCounts() {
      await Promise.all([crm, billing, network].map((e) => fetch(`${e.url}/__emulator/stats`, { method: 'DELETE' })));
    },
    async close() {
      await gateway.close();
      await Promise.all(subgraphs.map((s) => s.close()));
      await Promise.all([crm.close(), billing.close(), network.close()]);
    },
  };
}
