import { ConfigError } from '../../lib/config.js';
import { createLogger } from '../../lib/logger.js';
import { exitWithParent } from '../../lib/process.js';
import { loadCustomerServiceConfig } from './config.js';
import { startCustomerServiceSubgraph } from './server.js';

/** The customer-service subgraph process: `tsx subgraphs/customer-service/main.ts`. */
let config;
try {
  config = loadCustomerServiceConfig();
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(`[customer-service subgraph] ${e.message}`);
    process.exit(2);
  }
  throw e;
}
const logger = createLogger('customer-service-subgraph', config.logLevel);
try {
  const subgraph = await startCustomerServiceSubgraph(config, logger);
  console.log(`customer-service subgraph ready at ${subgraph.url}`);
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
    console.error(`[customer-service subgraph] port ${config.port} is in use: stop what runs there, or set CUSTOMER_SERVICE_SUBGRAPH_PORT to a free port.`);
  } else console.error(`[customer-service subgraph] could not start: ${err.message}`);
  process.exit(1);
}
