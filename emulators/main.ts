import { ConfigError, loadEmulatorConfig, SYSTEMS, type EmulatorConfig } from './shared/config.js';
import type { RunningEmulator } from './shared/server.js';
import { World } from './shared/world.js';
import { startBillingEmulator } from './billing/index.js';
import { startCustomerServiceEmulator } from './customer-service/index.js';
import { startNetworkEmulator } from './network/index.js';
import { startLoyaltyEmulator } from './loyalty/index.js';

/**
 * `npm run emulators`: the four legacy systems in one process, sharing one world.
 * Each can also run alone: `npm run emulator:billing` (or `:network`, `:customer-service`, `:loyalty`).
 */
const starters = {
  'customer-service': startCustomerServiceEmulator,
  billing: startBillingEmulator,
  network: startNetworkEmulator,
  loyalty: startLoyaltyEmulator,
} as const;

let configs: EmulatorConfig[];
try {
  configs = SYSTEMS.map((s) => loadEmulatorConfig(s));
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(`[emulators] ${e.message}`);
    process.exit(2);
  }
  throw e;
}
const t0 = performance.now();
const world = new World({ seed: configs[0]!.seed, customers: configs[0]!.customers });
const running: RunningEmulator[] = [];
try {
  for (const config of configs) running.push(await starters[config.system](config, world));
} catch (e) {
  const err = e as NodeJS.ErrnoException;
  console.error(`[emulators] could not start: ${err.message}${err.code === 'EADDRINUSE' ? ' — stop what uses that port, or set <SYSTEM>_EMULATOR_PORT to a free one.' : ''}`);
  await Promise.all(running.map((r) => r.close()));
  process.exit(2);
}
console.log(`[emulators] ${world.customerCount} customers, seed ${world.seed}, started in ${Math.round(performance.now() - t0)} ms:`);
for (const r of running) console.log(`  ${r.system.padEnd(17)} ${r.url}   (control plane: ${r.url}/__emulator/faults)`);
console.log('[emulators] Ctrl-C stops them.');
const stop = () => {
  void Promise.all(running.map((r) => r.close())).then(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
