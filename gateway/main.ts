import { runService } from '../lib/service.js';
import { loadGatewayConfig } from './config.js';
import { createPlaygroundRouter } from './playground/index.js';
import { startGateway } from './server.js';

/** The gateway process: `npm run gateway` (or as part of `npm start`). GraphQL at `/graphql`, the playground at `/`. */
await runService({
  name: 'gateway',
  portVariable: 'GATEWAY_PORT',
  loadConfig: () => loadGatewayConfig(),
  start: async (config, logger) => startGateway(config, logger, { playground: await createPlaygroundRouter({ title: 'Telecom Customer Graph' }) }),
});
