import { runService } from '../../lib/service.js';
import { loadNetworkConfig } from './config.js';
import { startNetworkSubgraph } from './server.js';

/** The network subgraph process: `npm run subgraph:network` (or as part of `npm start`). */
await runService({
  name: 'network subgraph',
  portVariable: 'NETWORK_SUBGRAPH_PORT',
  loadConfig: () => loadNetworkConfig(),
  start: startNetworkSubgraph,
});
