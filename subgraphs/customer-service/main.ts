import { runService } from '../../lib/service.js';
import { loadCustomerServiceConfig } from './config.js';
import { startCustomerServiceSubgraph } from './server.js';

/** The customer-service subgraph process: `npm run subgraph:customer-service` (or as part of `npm start`). */
await runService({
  name: 'customer-service subgraph',
  portVariable: 'CUSTOMER_SERVICE_SUBGRAPH_PORT',
  loadConfig: () => loadCustomerServiceConfig(),
  start: startCustomerServiceSubgraph,
});
