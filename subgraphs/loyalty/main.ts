import { runService } from '../../lib/service.js';
import { loadLoyaltyConfig } from './config.js';
import { startLoyaltySubgraph } from './server.js';

/** The loyalty subgraph process: `npm run subgraph:loyalty` (or as part of `npm start`). */
await runService({
  name: 'loyalty subgraph',
  portVariable: 'LOYALTY_SUBGRAPH_PORT',
  loadConfig: () => loadLoyaltyConfig(),
  start: startLoyaltySubgraph,
});
