import type { EmulatorStarter } from '../shared/main.js';
import { startEmulator } from '../shared/server.js';
import { createLoyaltyHandler, POSTING_RUN } from './routes.js';

/** The ledger serves 8 calls at once; the 9th answers 503 BUSY. */
export const LEDGER_CONCURRENCY_LIMIT = 8;

/** The loyalty points-ledger emulator: CSV over HTTP under `/loyalty/` (docs/legacy-systems.md, "Loyalty"). */
export const startLoyaltyEmulator: EmulatorStarter = (config, world) =>
  startEmulator({
    config,
    windows: [POSTING_RUN],
    concurrencyLimit: LEDGER_CONCURRENCY_LIMIT,
    createHandler: createLoyaltyHandler,
    ...(world ? { world } : {}),
  });
