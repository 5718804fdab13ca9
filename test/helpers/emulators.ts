import { loadEmulatorConfig, type EmulatorConfig, type SystemName } from '../../emulators/shared/config.js';
import type { EmulatorStarter } from '../../emulators/shared/main.js';
import type { Faults, RequestLogEntry, RunningEmulator } from '../../emulators/shared/server.js';
import { World } from '../../emulators/shared/world.js';

/** The instant tests pin the emulator clock to, so answers can be compared with the world. */
export const TEST_NOW = '2026-11-24T10:00:00+08:00';

/** One world for every emulator a test file starts (10 000 customers, default seed). */
export const testWorld = new World({ customers: 10_000 });

export interface TestEmulator extends RunningEmulator {
  /** Replaces the fault settings (absent keys take their defaults; `{}` resets). */
  faults(settings: Partial<Faults>): Promise<void>;
  /** Pins the clock (`null` = real time). */
  clock(now: string | null): Promise<void>;
  stats(): Promise<{ requests: number; operations: Record<string, number>; concurrency: { current: number; peak: number } }>;
  requests(since?: number): Promise<{ items: RequestLogEntry[]; last: number }>;
  reset(): Promise<void>;
}

/**
 * Starts an emulator in this process on an ephemeral loopback port, with the clock pinned to
 * {@link TEST_NOW}.
 */
export async function startTestEmulator(
  system: SystemName,
  start: EmulatorStarter,
  overrides: Partial<EmulatorConfig> = {},
  world: World = testWorld,
): Promise<TestEmulator> {
  const config = loadEmulatorConfig(system, {}, { port: 0, customers: world.customerCount, seed: world.seed, ...overrides });
  const running = await start(config, world);
  const call = async <T = unknown>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${running.url}/__emulator/${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} /__emulator/${path} → ${res.status} ${await res.text()}`);
    return (res.status === 204 ? undefined : await res.json()) as T;
  };
  const emulator: TestEmulator = {
    ...running,
    close: () => running.close(),
    faults: async (settings) => void (await call('PUT', 'faults', settings)),
    clock: async (now) => void (await call('PUT', 'clock', { now })),
    stats: () => call('GET', 'stats'),
    requests: (since = 0) => call('GET', `requests?since=${since}`),
    reset: async () => {
      await call('POST', 'reset');
      await call('PUT', 'clock', { now: TEST_NOW });
    },
  };
  await emulator.clock(TEST_NOW);
  return emulator;
}
