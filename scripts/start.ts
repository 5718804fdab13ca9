import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `npm start`: the whole product on the embedded default — the four emulated legacy systems, the
 * four subgraphs and the gateway, each its own process. Waits until each is ready, prints where
 * everything runs, and stops every child on Ctrl-C or as soon as one of them dies.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Part {
  name: string;
  entry: string;
  /** Where to poll until it answers 200. */
  health: string;
  /** What to print once it is up. */
  url: string;
}

const env = process.env;
const port = (name: string, fallback: number) => Number(env[name] || fallback);
const emulatorPorts = {
  cs: port('CUSTOMER_SERVICE_EMULATOR_PORT', 5001),
  billing: port('BILLING_EMULATOR_PORT', 5002),
  network: port('NETWORK_EMULATOR_PORT', 5003),
  loyalty: port('LOYALTY_EMULATOR_PORT', 5004),
};
const subgraphPorts = {
  cs: port('CUSTOMER_SERVICE_SUBGRAPH_PORT', 4001),
  billing: port('BILLING_SUBGRAPH_PORT', 4002),
  network: port('NETWORK_SUBGRAPH_PORT', 4003),
  loyalty: port('LOYALTY_SUBGRAPH_PORT', 4004),
};
const gatewayPort = port('GATEWAY_PORT', 4000);
const host = '127.0.0.1';

const stages: Part[][] = [
  [
    { name: 'emulator:customer-service', entry: 'emulators/customer-service/main.ts', health: `http://${host}:${emulatorPorts.cs}/__emulator/health`, url: `http://${host}:${emulatorPorts.cs}` },
    { name: 'emulator:billing', entry: 'emulators/billing/main.ts', health: `http://${host}:${emulatorPorts.billing}/__emulator/health`, url: `http://${host}:${emulatorPorts.billing}` },
    { name: 'emulator:network', entry: 'emulators/network/main.ts', health: `http://${host}:${emulatorPorts.network}/__emulator/health`, url: `http://${host}:${emulatorPorts.network}` },
    { name: 'emulator:loyalty', entry: 'emulators/loyalty/main.ts', health: `http://${host}:${emulatorPorts.loyalty}/__emulator/health`, url: `http://${host}:${emulatorPorts.loyalty}` },
  ],
  [
    { name: 'subgraph:customer-service', entry: 'subgraphs/customer-service/main.ts', health: `http://${host}:${subgraphPorts.cs}/health/live`, url: `http://${host}:${subgraphPorts.cs}/graphql` },
    { name: 'subgraph:billing', entry: 'subgraphs/billing/main.ts', health: `http://${host}:${subgraphPorts.billing}/health/live`, url: `http://${host}:${subgraphPorts.billing}/graphql` },
    { name: 'subgraph:network', entry: 'subgraphs/network/main.ts', health: `http://${host}:${subgraphPorts.network}/health/live`, url: `http://${host}:${subgraphPorts.network}/graphql` },
    { name: 'subgraph:loyalty', entry: 'subgraphs/loyalty/main.ts', health: `http://${host}:${subgraphPorts.loyalty}/health/live`, url: `http://${host}:${subgraphPorts.loyalty}/graphql` },
  ],
  [{ name: 'gateway', entry: 'gateway/main.ts', health: `http://${host}:${gatewayPort}/health/live`, url: `http://${host}:${gatewayPort}` }],
];

const children = new Map<string, ChildProcess>();
let stopping = false;

function stopAll(code: number, why?: string): void {
  if (stopping) return;
  stopping = true;
  if (why) console.error(`\n[start] ${why}`);
  console.log('[start] stopping every process …');
  for (const child of children.values()) if (child.exitCode === null) child.kill('SIGTERM');
  const deadline = setTimeout(() => {
    for (const child of children.values()) if (child.exitCode === null) child.kill('SIGKILL');
    process.exit(code);
  }, 5000);
  deadline.unref();
  const check = setInterval(() => {
    if ([...children.values()].every((c) => c.exitCode !== null || c.signalCode !== null)) {
      clearInterval(check);
      console.log('[start] all stopped.');
      process.exit(code);
    }
  }, 50);
}

function pipe(name: string, stream: NodeJS.ReadableStream | null, out: NodeJS.WriteStream): void {
  if (!stream) return;
  let buffer = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffer += chunk;
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      out.write(`[${name}] ${buffer.slice(0, nl)}\n`);
      buffer = buffer.slice(nl + 1);
    }
  });
}

function launch(part: Part): void {
  const child = spawn(process.execPath, ['--import', 'tsx', part.entry], {
    cwd: root,
    env: { ...env, LOG_LEVEL: env.LOG_LEVEL ?? 'warn' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  children.set(part.name, child);
  pipe(part.name, child.stdout, process.stdout);
  pipe(part.name, child.stderr, process.stderr);
  child.on('exit', (code, signal) => {
    if (!stopping) stopAll(1, `${part.name} exited (${signal ?? `code ${code}`}); see its output above.`);
  });
}

async function waitReady(part: Part, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (stopping) throw new Error('stopping');
    try {
      const r = await fetch(part.health, { signal: AbortSignal.timeout(1000) });
      if (r.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${part.name} did not become ready at ${part.health} within ${timeoutMs / 1000} s`);
}

process.once('SIGINT', () => stopAll(0));
process.once('SIGTERM', () => stopAll(0));

const t0 = performance.now();
try {
  for (const stage of stages) {
    for (const part of stage) launch(part);
    await Promise.all(stage.map((p) => waitReady(p)));
  }
} catch (e) {
  stopAll(1, (e as Error).message === 'stopping' ? undefined : (e as Error).message);
}
if (!stopping) {
  const all = stages.flat();
  console.log(`\n[start] everything is up in ${((performance.now() - t0) / 1000).toFixed(1)} s:\n`);
  for (const p of all) console.log(`  ${p.name.padEnd(26)} ${p.url}`);
  console.log(`\n  GraphQL     http://${host}:${gatewayPort}/graphql`);
  console.log(`  Playground  http://${host}:${gatewayPort}/   (open it in a browser; example operations are preloaded)`);
  console.log('\n[start] Ctrl-C stops everything.');
}
