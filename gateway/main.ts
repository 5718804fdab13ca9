import { runService } from '../lib/service.js';
import { loadGatewayConfig } from './config.js';
import { createPlaygroundRouter, loadPlaygroundViewers } from './playground/index.js';
import { startGateway } from './server.js';

/** The gateway process: `npm run gateway` (or as part of `npm start`). GraphQL at `/graphql`, the playground at `/`. */
await runService({
  name: 'gateway',
  portVariable: 'GATEWAY_PORT',
  loadConfig: () => loadGatewayConfig(),
  start: async (config, logger) => {
    // `npm start` writes the example viewers there; the playground's picker offers them.
    const viewers = config.playgroundViewersFile ? loadPlaygroundViewers(config.playgroundViewersFile) : [];
    return startGateway(config, logger, { playground: await createPlaygroundRouter({ title: 'Telecom Customer Graph', viewers }) });
  },
});
