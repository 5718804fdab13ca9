import { runEmulatorMain } from '../shared/main.js';
import { startBillingEmulator } from './index.js';

await runEmulatorMain('billing', startBillingEmulator);
