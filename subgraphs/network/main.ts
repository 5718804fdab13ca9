import { ConfigError } from '../../lib/config.js';
import { createLogger } from '../../lib/logger.js';
import { exitWithParent } from '../../lib/process.js';
import { loadNetworkConfig } from './config.js';
import { startNetworkSubgraph } from './server.js';

/** The network subgraph process: `tsx subgraphs/network/main.ts` (or as part of `npm start`). */
let config;
try {
  config = loadNetworkConfig();
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(`[network subgraph] ${e.message}`);
    process.exit(2);
  }
  throw e;
}
const logger = createLogger('network-subgraph', config.logLevel);
try {
  const subgraph = await startNetworkSubgraph(config, logger);
  console.log(`network subgraph ready at ${subgraph.url}`);
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
    console.error(`[network subgraph] port ${config.port} is in use: stop what runs there, or set NETWORK_SUBGRAPH_PORT to a free port.`);
  } else console.error(`[network subgraph] could not start: ${err.message}`);
  process.exit(1);
}
