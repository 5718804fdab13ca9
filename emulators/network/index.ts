import type { EmulatorStarter } from '../shared/main.js';
import { startEmulator } from '../shared/server.js';
import { createNetworkHandler, TOPOLOGY_SYNC } from './routes.js';

/** contract §2: more than 10 concurrent calls answer 503. */
export const NMS_CONCURRENCY_LIMIT = 10;

/** The network-management (NMS) emulator: REST under `/nms/rest/`, XML by default (contract §2). */
export const startNetworkEmulator: EmulatorStarter = (config, world) =>
  startEmulator({
    config,
    windows: [TOPOLOGY_SYNC],
    concurrencyLimit: NMS_CONCURRENCY_LIMIT,
    createHandler: createNetworkHandler,
    ...(world ? { world } : {}),
  });
