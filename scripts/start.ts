import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEV_AUDIENCE, DEV_ISSUER, ensureDevKeys } from '../lib/viewerToken.js';
import { devPaths, signExampleViewers, viewerTable, writeViewersFile, type DevViewer } from './tokens.js';

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
const host = '127.0.0.1';
const port = (name: string, fallback: number) => Number(env[name] || fallback);

/** The legacy systems of the embedded stack; `prefix` names their variables (`BILLING_URL`, …). */
const systems = [
  { name: 'customer-service', prefix: 'CUSTOMER_SERVICE', emulatorPort: 5001, subgraphPort: 4001 },
  { name: 'billing', prefix: 'BILLING', emulatorPort: 5002, subgraphPort: 4002 },
  { name: 'network', prefix: 'NETWORK', emulatorPort: 5003, subgraphPort: 4003 },
  { name: 'loyalty', prefix: 'LOYALTY', emulatorPort: 5004, subgraphPort: 4004 },
];
const gatewayPort = port('GATEWAY_PORT', 4000);

/**
 * Each subgraph is pointed at its emulator, and the gateway at the subgraphs, on the ports this
 * launcher uses — unless `<SYSTEM>_URL` is set, which points that subgraph at a real legacy system
 * (and then its emulator is not started).
 */
const childEnv: Record<string, string> = {};
const stages: Part[][] = [[], [], []];
for (const s of systems) {
  const emulatorPort = port(`${s.prefix}_EMULATOR_PORT`, s.emulatorPort);
  const subgraphPort = port(`${s.prefix}_SUBGRAPH_PORT`, s.subgraphPort);
  const legacyUrl = env[`${s.prefix}_URL`] || `http://${host}:${emulatorPort}`;
  if (!env[`${s.prefix}_URL`]) {
    stages[0]!.push({ name: `emulator:${s.name}`, entry: `emulators/${s.name}/main.ts`, health: `${legacyUrl}/__emulator/health`, url: legacyUrl });
  }
  childEnv[`${s.prefix}_URL`] = legacyUrl;
  childEnv[`${s.prefix}_EMULATOR_PORT`] = String(emulatorPort);
  childEnv[`${s.prefix}_SUBGRAPH_PORT`] = String(subgraphPort);
  const subgraphUrl = env[`${s.prefix}_SUBGRAPH_URL`] || `http://${host}:${subgraphPort}/graphql`;
  childEnv[`${s.prefix}_SUBGRAPH_URL`] = subgraphUrl;
  stages[1]!.push({ name: `subgraph:${s.name}`, entry: `subgraphs/${s.name}/main.ts`, health: `http://${host}:${subgraphPort}/health/live`, url: subgraphUrl });
}
stages[2]!.push({ name: 'gateway', entry: 'gateway/main.ts', health: `http://${host}:${gatewayPort}/health/live`, url: `http://${host}:${gatewayPort}` });

/**
 * Authentication on the embedded stack, with development keys in `.dev/keys/` (created once, never
 * committed; `DEV_DIR` moves `.dev`): a development identity provider signs the example viewers'
 * tokens and the gateway verifies them; the gateway signs viewers for the subgraphs and the
 * subgraphs verify those. A variable the user set wins over the development value, and is named
 * in the output.
 */
const dev = devPaths();
const keys = ensureDevKeys(dev.keys);
/** A path as short as it reads well: relative inside the working directory, absolute elsewhere. */
const rel = (file: string) => {
  const r = path.relative(process.cwd(), file);
  return !r ? '.' : r.startsWith('..') ? file : r;
};
const gatewayAuthDefaults: Record<string, string> = {
  AUTH_PUBLIC_KEY: keys.issuerPublic,
  AUTH_ISSUER: DEV_ISSUER,
  AUTH_AUDIENCE: DEV_AUDIENCE,
  VIEWER_SIGNING_KEY: keys.gatewayPrivate,
  PLAYGROUND_VIEWERS_FILE: dev.viewers,
};
const subgraphAuthDefaults: Record<string, string> = { VIEWER_VERIFY_KEY: keys.gatewayPublic };
const userAuth = [...Object.keys(gatewayAuthDefaults), 'AUTH_JWKS_URL', ...Object.keys(subgraphAuthDefaults)].filter((k) => env[k]);
/** With the user's own identity provider, the development tokens would not verify: none are printed. */
const ownIdentityProvider = Boolean(env.AUTH_JWKS_URL || env.AUTH_PUBLIC_KEY);
const authDisabled = env.AUTH_DISABLED === 'true';
const gatewayEnv: Record<string, string> = {};
for (const [k, v] of Object.entries(gatewayAuthDefaults)) if (!env[k] && !(ownIdentityProvider && k !== 'VIEWER_SIGNING_KEY')) gatewayEnv[k] = v;
// No development viewers without development authentication: no picker then.
if (authDisabled && !env.PLAYGROUND_VIEWERS_FILE) delete gatewayEnv.PLAYGROUND_VIEWERS_FILE;
const subgraphEnv: Record<string, string> = {};
for (const [k, v] of Object.entries(subgraphAuthDefaults)) if (!env[k]) subgraphEnv[k] = v;
let viewers: DevViewer[] = [];
if (!ownIdentityProvider && !authDisabled) {
  viewers = await signExampleViewers(keys);
  writeViewersFile(dev.viewers, viewers);
}
if (keys.created) console.log(`[start] created development keys in ${rel(dev.keys)}/ (git-ignored; delete the folder to get new ones)`);
if (userAuth.length) console.log(`[start] using your ${userAuth.join(', ')} instead of the development value${userAuth.length > 1 ? 's' : ''}`);
if (env.VIEWER_SIGNING_KEY && !env.VIEWER_VERIFY_KEY) {
  console.warn('[start] VIEWER_SIGNING_KEY is yours but VIEWER_VERIFY_KEY is not: the subgraphs will refuse the gateway. Set VIEWER_VERIFY_KEY to the matching public key.');
}

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
  const authEnv = part.name === 'gateway' ? gatewayEnv : part.name.startsWith('subgraph:') ? subgraphEnv : {};
  const child = spawn(process.execPath, ['--import', 'tsx', part.entry], {
    cwd: root,
    env: { ...env, ...childEnv, ...authEnv, LOG_LEVEL: env.LOG_LEVEL ?? 'warn' },
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
  for (const p of all) console.log(`  ${p.name.padEnd(26)} ${p.url.padEnd(34)} (pid ${children.get(p.name)?.pid})`);
  console.log(`\n  GraphQL     http://${host}:${gatewayPort}/graphql`);
  console.log(`  Playground  http://${host}:${gatewayPort}/   (open it in a browser; example operations are preloaded)`);
  printViewers();
  console.log('\n[start] Ctrl-C stops everything.');
}

/** Who can call the stack: the example viewers, and how to use one. Tokens are long: one is shown. */
function printViewers(): void {
  if (authDisabled) {
    console.log('\n[start] AUTH_DISABLED=true: no authentication, every caller is an unrestricted viewer (benchmarks only).');
    return;
  }
  if (ownIdentityProvider) {
    console.log('\n[start] authentication uses your identity provider (AUTH_JWKS_URL / AUTH_PUBLIC_KEY): send its tokens as `Authorization: Bearer <token>`.');
    return;
  }
  const admin = viewers.find((v) => v.roles.includes('admin'))!;
  const body = JSON.stringify({
    query: 'query Customer360($n: String!) { customerByServiceNumber(serviceNumber: $n) { id name region { province localNetwork } balance { amount currency } serviceLines { serviceNumber status } } }',
    variables: { n: '17923262384' },
  });
  console.log(`\n  Viewers (tokens valid 12 h, in ${rel(dev.viewers)}; \`npm run tokens\` prints them all):\n`);
  console.log(viewerTable(viewers));
  console.log(`\n  In the playground, pick a viewer in the picker above the editor. With curl, as the ${admin.name}:\n`);
  console.log(`  curl -s http://${host}:${gatewayPort}/graphql -H 'content-type: application/json' \\\n    -H 'authorization: Bearer ${admin.token}' \\\n    -d '${body}'`);
}
