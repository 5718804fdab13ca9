import { ConfigError } from '../lib/config.js';
import { createLogger } from '../lib/logger.js';
import { exitWithParent } from '../lib/process.js';
import { loadGatewayConfig } from './config.js';
import { createPlaygroundRouter } from './playground/index.js';
import { startGateway } from './server.js';

/** The gateway process: `npm run gateway` (or as part of `npm start`). */
let config;
try {
  config = loadGatewayConfig();
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(`[gateway] ${e.message}`);
    process.exit(2);
  }
  throw e;
}
const logger = createLogger('gateway', config.logLevel);
try {
  const playground = await createPlaygroundRouter({ title: 'Telecom Customer Graph' });
  const gateway = await startGateway(config, logger, { playground });
  logger.info({ url: gateway.url }, `gateway ready: GraphQL at ${gateway.url}/graphql, playground at ${gateway.url}/`);
  const stop = () => {
    void gateway.close().then(() => process.exit(0));
    setTimeout(() => process.exit(0), 3000).unref();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  exitWithParent();
} catch (e) {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'EADDRINUSE') {
    console.error(`[gateway] port ${config.port} is in use: stop what runs there, or set GATEWAY_PORT to a free port.`);
  } else console.error(`[gateway] could not start: ${err.message}`);
  process.exit(1);
}
