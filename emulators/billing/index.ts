import type { EmulatorStarter } from '../shared/main.js';
import { startEmulator } from '../shared/server.js';
import { createBillingHandler } from './handler.js';
import { BILL_RUN_WINDOW } from './model.js';

/**
 * The billing (BSS) emulator: SOAP 1.1 services under `/services/`, GBK by default
 * (contract §1). In-flight limit 20; window `billRun`.
 */
export const startBillingEmulator: EmulatorStarter = (config, world) =>
  startEmulator({
    config,
    windows: [BILL_RUN_WINDOW],
    concurrencyLimit: 20,
    createHandler: createBillingHandler,
    ...(world && { world }),
  });
