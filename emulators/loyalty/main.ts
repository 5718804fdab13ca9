import { runEmulatorMain } from '../shared/main.js';
import { startLoyaltyEmulator } from './index.js';

await runEmulatorMain('loyalty', startLoyaltyEmulator);
