import { ConfigError, loadEmulatorConfig, type EmulatorConfig, type SystemName } from './config.js';
import type { RunningEmulator } from './server.js';
import type { World } from './world.js';

/** Starts one system's emulator from a config (and, in one process, a shared world). */
export type EmulatorStarter = (config: EmulatorConfig, world?: World) => Promise<RunningEmulator>;

/**
 * The body of each `emulators/<system>/main.ts`: read the configuration, start, say where it
 * listens and how to stop it, and stop cleanly on Ctrl-C or SIGTERM.
 */
export async function runEmulatorMain(system: SystemName, start: EmulatorStarter): Promise<void> {
  let config: EmulatorConfig;
  try {
    config = loadEmulatorConfig(system);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`[${system} emulator] ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
  const t0 = performance.now();
  let emulator: RunningEmulator;
  try {
    emulator = await start(config);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') {
      console.error(
        `[${system} emulator] port ${config.port} on ${config.host} is in use: stop what runs there, or set ${system.toUpperCase().replace('-', '_')}_EMULATOR_PORT to a free port.`,
      );
      process.exit(2);
    }
    throw e;
  }
  console.log(
    `[${system} emulator] listening on ${emulator.url} (${config.customers} customers, seed ${config.seed}) in ${Math.round(performance.now() - t0)} ms; control plane at ${emulator.url}/__emulator/faults; Ctrl-C stops it`,
  );
  const stop = () => {
    void emulator.close().then(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // Started by the dev launcher (with an IPC channel): go when it goes, so nothing is orphaned.
  if (typeof process.send === 'function') process.on('disconnect', () => process.exit(0));
}
