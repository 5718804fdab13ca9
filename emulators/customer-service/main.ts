import { runEmulatorMain } from '../shared/main.js';
import { startCustomerServiceEmulator } from './index.js';

await runEmulatorMain('customer-service', startCustomerServiceEmulator);
