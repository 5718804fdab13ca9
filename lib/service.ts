import { ConfigError } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { exitWithParent } from './process.js';

/**
 * The body of every product process's `main.ts` (gateway and subgraphs): read the configuration
 * (a bad value exits 2 with the message that names the variable and the fix), start, say where it
 * listens, stop cleanly on Ctrl-C or SIGTERM, and go when the `npm start` launcher goes.
 */
export interface ServiceOptions<C extends { readonly port: number; readonly logLevel: string }> {
  /** How the process calls itself in messages, e.g. `billing subgraph`. */
  readonly name: string;
  /** The variable that sets its port, named when the port is taken, e.g. `BILLING_SUBGRAPH_PORT`. */
  readonly portVariable: string;
  readonly loadConfig: () => C;
  readonly start: (config: C, logger: Logger) => Promise<{ readonly url: string; close(): Promise<void> }>;
}

export async function runService<C extends { readonly port: number; readonly logLevel: string }>(o: ServiceOptions<C>): Promise<void> {
  let config: C;
  try {
    config = o.loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`[${o.name}] bad configuration:\n${e.message}`);
      process.exit(2);
    }
    throw e;
  }
  const logger = createLogger(o.name.replace(/\s+/g, '-'), config.logLevel);
  try {
    const running = await o.start(config, logger);
    console.log(`${o.name} ready at ${running.url}`);
    const stop = (signal: string) => {
      logger.info({ signal }, 'stopping');
      void running.close().then(() => process.exit(0));
      // In-flight requests get a moment to finish; then we go regardless.
      setTimeout(() => process.exit(0), 3000).unref();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    exitWithParent();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') {
      console.error(`[${o.name}] port ${config.port} is in use: stop what runs there, or set ${o.portVariable} to a free port.`);
    } else console.error(`[${o.name}] could not start: ${err.message}`);
    process.exit(1);
  }
}
