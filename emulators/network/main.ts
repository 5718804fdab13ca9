import { runEmulatorMain } from '../shared/main.js';
import { startNetworkEmulator } from './index.js';

await runEmulatorMain('network', startNetworkEmulator);
