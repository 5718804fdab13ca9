import type { EmulatorStarter } from '../shared/main.js';
import { startEmulator } from '../shared/server.js';
import { createCustomerServiceHandler } from './routes.js';

/**
 * The customer-service (CRM / contact centre) emulator: Siebel-style REST + JSON under
 * `/crm/v1/` (contract §3), with the shared control plane under `/__emulator/`.
 * Its window is `bulkLoad`; its in-flight limit, 5, is per session.
 */
export const startCustomerServiceEmulator: EmulatorStarter = (config, world) =>
  startEmulator({
    config,
    world,
    windows: ['bulkLoad'],
    concurrencyLimit: 5,
    createHandler: createCustomerServiceHandler,
  });
