import { ConfigError } from '../../lib/config.js';
import { createLogger } from '../../lib/logger.js';
import { exitWithParent } from '../../lib/process.js';
import { loadLoyaltyConfig } from './config.js';
import { startLoyaltySubgraph } from './server.js';

/** The loyalty subgraph process: `npm run subgraph:loyalty` (or as part of `npm start`). */
let config;
try {
  config = loadLoyaltyConfig();
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(`[loyalty subgraph] ${e.message}`);
    process.exit(2);
  }
  throw e;
}
const logger = createLogger('loyalty-subgraph', config.logLevel);
try {
  const subgraph = await startLoyaltySubgraph(config, logger);
  console.log(`loyalty subgraph ready at ${subgraph.url}`);
  const stop = () => {
    void subgraph.close().then(() => process.exit(0));
    setTimeout(() => process.exit(0), 3000).unref();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  exitWithParent();
} catch (e) {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'EADDRINUSE') {
    console.error(`[loyalty subgraph] port ${config.port} is in use: stop what runs there, or set LOYALTY_SUBGRAPH_PORT to a free port.`);
  } else console.error(`[loyalty subgraph] could not start: ${err.message}`);
  process.exit(1);
}
