import { runService } from '../../lib/service.js';
import { loadBillingConfig } from './config.js';
import { startBillingSubgraph } from './server.js';

/** The billing subgraph process: `npm run subgraph:billing` (or as part of `npm start`). */
await runService({
  name: 'billing subgraph',
  portVariable: 'BILLING_SUBGRAPH_PORT',
  loadConfig: () => loadBillingConfig(),
  start: startBillingSubgraph,
});
