import { ConfigError } from '../../lib/config.js';
import { createLogger } from '../../lib/logger.js';
import { exitWithParent } from '../../lib/process.js';
import { loadBillingConfig } from './config.js';
import { startBillingSubgraph } from './server.js';

/** `tsx subgraphs/billing/main.ts`: the billing subgraph as a process. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadBillingConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`billing subgraph: bad configuration\n${e.message}`);
      process.exit(2);
    }
    throw e;
  }
  const logger = createLogger('billing-subgraph', config.logLevel);
  const running = await startBillingSubgraph(config, logger);
  console.log(`billing subgraph ready at ${running.url}`);
  exitWithParent();
  const stop = async (signal: string) => {
    logger.info({ signal }, 'stopping');
    await running.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((e: unknown) => {
  console.error('billing subgraph failed to start:', e);
  process.exit(1);
});
