import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { World } from '../emulators/shared/world.js';
import { PROVINCES } from '../emulators/shared/regions.js';
import { criticalPathMs, lowerBound, SYSTEM_LIMITS, type LegacySystem, type Levels } from './lib/bounds.js';
import { handWrittenCustomer360 } from './lib/aggregator.js';
import { build } from '../scripts/build.js';
import { benchAuth, type BenchAuth } from './lib/auth.js';

/**
 * `npm run bench [-- --quick] [--targets=ours,hive-rust-dedup,…] [--profiles=lan,zero] [--duration=S]`
 *
 * The gateway's cost over the legacy systems' own latency, side by side with a peer gateway on the
 * same subgraphs, in one run. Every part runs as its own process, as `npm start` runs them: three
 * emulators (clock pinned, fixed latency per profile), three subgraphs, and one gateway at a time
 * (ours, @graphql-hive/gateway from bench/peer/ in four configurations, ours with batching off);
 * load comes from this process with autocannon. Writes bench/results/latest.{json,md}.
 *
 * Authentication is on as in production (keys of the run's own, load as the HQ admin); the
 * security figure (issue 6) then runs S1 with authentication, scope, masking and audit on and
 * off, side by side (`--no-security` skips it).
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const arg = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

const NOW = '2026-11-24T10:00:00+08:00';
const HOST = '127.0.0.1';
type Profile = 'lan' | 'zero';
const LATENCY: Record<Profile, Record<LegacySystem, number>> = {
  lan: { billing: 30, 'customer-service': 20, network: 10 },
  zero: { billing: 0, 'customer-service': 0, network: 0 },
};
const SYSTEMS: LegacySystem[] = ['customer-service', 'billing', 'network'];
const ENV_PREFIX: Record<LegacySystem, string> = { 'customer-service': 'CUSTOMER_SERVICE', billing: 'BILLING', network: 'NETWORK' };

type TargetName = 'ours' | 'hive-default-dedup' | 'hive-default-nodedup' | 'hive-rust-dedup' | 'hive-rust-nodedup' | 'ours-nobatch';
const TARGET_LABEL: Record<TargetName, string> = {
  ours: 'ours (@apollo/gateway)',
  'hive-rust-dedup': 'Hive + Rust runtime, dedup on',
  'hive-rust-nodedup': 'Hive + Rust runtime, dedup off',
  'hive-default-dedup': 'Hive default planner, dedup on',
  'hive-default-nodedup': 'Hive default planner, dedup off',
  'ours-nobatch': 'ours, batching off (*_BATCH_SIZE=1)',
};
const ALL_TARGETS: TargetName[] = ['ours', 'hive-rust-dedup', 'hive-rust-nodedup', 'hive-default-dedup', 'hive-default-nodedup', 'ours-nobatch'];
const targets = (arg('targets')?.split(',') as TargetName[] | undefined) ?? (quick ? ['ours', 'hive-rust-dedup'] : ALL_TARGETS);
const profiles = (arg('profiles')?.split(',') as Profile[] | undefined) ?? (quick ? ['lan'] : ['lan', 'zero']);
const DURATION_S = Number(arg('duration') ?? (quick ? 1.5 : 8));
const CONCURRENCY = quick ? [1, 10] : [1, 10, 50];
/** Warm-up before each scenario's measurements: this many queries, or this long, whichever ends first. */
const WARMUP_REQUESTS = quick ? 0 : 50;
const WARMUP_MS = quick ? 0 : 5000;
/**
 * Then a warm-up load at concurrency 10, results discarded, for every target alike: the subgraphs
 * and emulators are shared by the targets in turn, and without it the first target measured paid
 * for their JIT warm-up (its subgraph CPU per request came out 10–45 % higher than the next one's).
 */
const WARMUP_LOAD_S = quick ? 0.5 : 4;
/** `--cpu-prof`: our gateway and subgraphs write V8 CPU profiles to bench/results/profiles/<process>/ (not committed). */
const CPU_PROF = argv.includes('--cpu-prof');
/** `--scenarios=S1,S2`: only these. */
const ONLY_SCENARIOS = arg('scenarios')?.split(',');
/** Results go to bench/results/<out>.{json,md}. */
const OUT = arg('out') ?? 'latest';
/** The issue-6 figure: S1 with authentication, scope, masking and audit on vs off (full runs; `--security` adds it to a quick one). */
const SECURITY = quick ? argv.includes('--security') : !argv.includes('--no-security');
/**
 * Full runs measure each scenario in two rounds in opposite orders (A B, then B A); a quick run
 * (under a minute) measures one round, the order alternating from one scenario to the next.
 */
const ROUNDS = quick ? 1 : 2;
const SECURITY_CONCURRENCY = [10, 50];
/**
 * `AUTH_DISABLED=true` is refused with NODE_ENV=production, so both sides of the security figure
 * run with this NODE_ENV: the variables of authentication and audit are their only difference.
 */
const SECURITY_NODE_ENV = 'benchmark';

const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s`;
const log = (msg: string) => console.log(`[bench ${elapsed()}] ${msg}`);

// ---------------------------------------------------------------------------------------------
// processes

interface Proc {
  name: string;
  child: ChildProcess;
  url: string;
  tail: string[];
}
const procs = new Set<Proc>();

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, HOST, () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function launch(name: string, args: string[], env: Record<string, string>, url: string, cwd = root): Proc {
  const child = spawn(process.execPath, args, {
    cwd,
    env: { ...process.env, LOG_LEVEL: 'warn', NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const p: Proc = { name, child, url, tail: [] };
  const keep = (d: Buffer) => {
    for (const line of d.toString('utf8').split('\n')) if (line.trim()) p.tail.push(line);
    if (p.tail.length > 40) p.tail.splice(0, p.tail.length - 40);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  procs.add(p);
  child.on('exit', (code, signal) => {
    if (procs.has(p)) {
      console.error(`[bench] ${name} exited (${signal ?? `code ${code}`}); its last output:\n  ${p.tail.join('\n  ')}`);
      shutdown(1);
    }
  });
  return p;
}

/** `--cpu-prof`: V8 profiles of one of our processes, written when it stops, in a folder of its own (open them in Chrome DevTools). */
function cpuProfArgs(name: string): string[] {
  return CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.join(root, 'bench/results/profiles', name)}`] : [];
}

async function waitReady(p: Proc, health: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const r = await fetch(health, { signal: AbortSignal.timeout(1000) });
      if (r.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${p.name} did not answer ${health} within ${timeoutMs / 1000} s; last output:\n  ${p.tail.join('\n  ')}`);
}

async function stop(p: Proc, graceMs = 5000): Promise<void> {
  procs.delete(p);
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  const exited = new Promise<void>((r) => p.child.once('exit', () => r()));
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

function shutdown(code: number): never {
  for (const p of procs) p.child.kill('SIGKILL');
  procs.clear();
  process.exit(code);
}
process.once('SIGINT', () => shutdown(130));
process.once('SIGTERM', () => shutdown(143));

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
/** utime + stime of a process, in ms, from /proc/<pid>/stat. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
}
/** Peak resident set (VmHWM) in MB, from /proc/<pid>/status. */
function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

// ---------------------------------------------------------------------------------------------
// the stack

interface Emulator extends Proc {
  system: LegacySystem;
}
async function startEmulators(): Promise<Record<LegacySystem, Emulator>> {
  const out = {} as Record<LegacySystem, Emulator>;
  await Promise.all(
    SYSTEMS.map(async (system) => {
      const port = await freePort();
      const url = `http://${HOST}:${port}`;
      const p = launch(`emulator:${system}`, [`dist/emulators/${system}/main.js`], { [`${ENV_PREFIX[system]}_EMULATOR_PORT`]: String(port) }, url) as Emulator;
      p.system = system;
      await waitReady(p, `${url}/__emulator/health`);
      out[system] = p;
    }),
  );
  return out;
}

async function control(e: Emulator, method: string, what: string, body?: unknown): Promise<any> {
  const r = await fetch(`${e.url}/__emulator/${what}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!r.ok) throw new Error(`${method} ${e.url}/__emulator/${what} → ${r.status} ${await r.text()}`);
  return r.status === 204 ? undefined : r.json().catch(() => undefined);
}

async function setProfile(emulators: Record<LegacySystem, Emulator>, profile: Profile): Promise<void> {
  await Promise.all(
    SYSTEMS.map(async (s) => {
      const ms = LATENCY[profile][s];
      await control(emulators[s], 'PUT', 'faults', { latencyMs: { p50: ms, p99: ms } });
      await control(emulators[s], 'PUT', 'clock', { now: NOW });
    }),
  );
}

type Subgraphs = Record<LegacySystem, Proc>;
async function startSubgraphs(emulators: Record<LegacySystem, Emulator>, extraEnv: Record<string, string>): Promise<Subgraphs> {
  const out = {} as Subgraphs;
  await Promise.all(
    SYSTEMS.map(async (system) => {
      const port = await freePort();
      const url = `http://${HOST}:${port}`;
      const prefix = ENV_PREFIX[system];
      const p = launch(`subgraph:${system}`, [...cpuProfArgs(`subgraph-${system}`), `dist/subgraphs/${system}/main.js`], { [`${prefix}_URL`]: emulators[system].url, [`${prefix}_SUBGRAPH_PORT`]: String(port), ...extraEnv }, `${url}/graphql`);
      await waitReady(p, `${url}/health/live`);
      out[system] = p;
    }),
  );
  return out;
}

const NO_BATCH_ENV = { BILLING_CUSTOMER_BATCH_SIZE: '1', BILLING_BALANCE_BATCH_SIZE: '1', CUSTOMER_SERVICE_BATCH_SIZE: '1', NETWORK_BATCH_SIZE: '1' };

async function startOurGateway(subgraphs: Subgraphs, extraEnv: Record<string, string>): Promise<Proc> {
  const port = await freePort();
  const url = `http://${HOST}:${port}`;
  const env: Record<string, string> = { GATEWAY_PORT: String(port), ...extraEnv };
  for (const s of SYSTEMS) env[`${ENV_PREFIX[s]}_SUBGRAPH_URL`] = subgraphs[s].url;
  const p = launch('gateway', [...cpuProfArgs('gateway'), 'dist/gateway/main.js'], env, `${url}/graphql`);
  await waitReady(p, `${url}/health/live`);
  return p;
}

const peerDir = path.join(root, 'bench/peer');
function ensurePeerInstalled(): void {
  if (existsSync(path.join(peerDir, 'node_modules/@graphql-hive/gateway/dist/bin.js')) && existsSync(path.join(peerDir, 'node_modules/@graphql-hive/router-runtime'))) return;
  const ci = existsSync(path.join(peerDir, 'package-lock.json'));
  log(`installing the peer gateway in bench/peer/ (npm ${ci ? 'ci' : 'install'}, first use only; output follows) …`);
  const r = spawnSync('npm', [ci ? 'ci' : 'install', '--no-audit', '--no-fund', '--loglevel=http'], { cwd: peerDir, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`npm ${ci ? 'ci' : 'install'} in bench/peer failed (exit ${r.status})`);
  log('peer gateway installed.');
}

let supergraphDir: string | undefined;
async function startPeer(subgraphs: Subgraphs, rust: boolean, dedup: boolean): Promise<Proc> {
  ensurePeerInstalled();
  supergraphDir ??= await mkdtemp(path.join(os.tmpdir(), 'bench-peer-'));
  const file = path.join(supergraphDir, 'supergraph.graphql');
  let sdl = readFileSync(path.join(root, 'schema/supergraph.graphql'), 'utf8');
  for (const s of SYSTEMS) sdl = sdl.replace(new RegExp(`(@join__graph\\(name: "${s}", url: ")[^"]*(")`), `$1${subgraphs[s].url}$2`);
  await writeFile(file, sdl);
  const port = await freePort();
  const url = `http://${HOST}:${port}`;
  const env: Record<string, string> = { BENCH_PEER_DEDUP: String(dedup), HIVE_ROUTER_RUNTIME: String(rust), FORK: '1' };
  const p = launch(`hive-gateway${rust ? '+rust' : ''}${dedup ? '' : ' (dedup off)'}`, ['node_modules/@graphql-hive/gateway/dist/bin.js', 'supergraph', file, '--host', HOST, '--port', String(port)], env, `${url}/graphql`, peerDir);
  await waitReady(p, `${url}/healthcheck`);
  // readiness: the first query also loads the supergraph
  for (;;) {
    const r = await gql(p.url, '{ __typename }', undefined, auth.peerHeaders).catch(() => undefined);
    if (r?.data) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return p;
}

async function gql(url: string, query: string, variables: Record<string, unknown> | undefined, headers: Readonly<Record<string, string>>): Promise<{ data?: any; errors?: any[] }> {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
  return (await r.json()) as never;
}

// ---------------------------------------------------------------------------------------------
// scenarios

const world = new World({ customers: 10_000 });
const NOW_MS = Date.parse(NOW);
const OPEN = '[ACKNOWLEDGED, IN_PROGRESS, PENDING, HELD]';

const CUSTOMER_FIELDS = `
  id name kind region { province localNetwork } segment starLevel bigCustomerClass
  balance { amount currency }
  accounts { accountNumber type state balances { type amount { amount currency } } bills(last: 3) { period amountDue { amount currency } state } }
  serviceLines { serviceNumber kind productName status networkStatus { operState adminState affected } }
  tickets(status: ${OPEN}) { id status summary openedAt }`;

interface Scenario {
  id: string;
  title: string;
  query: string;
  /** Variables for the load pool; the first is the one legacy calls are counted on. */
  variables: Record<string, unknown>[];
  /** The dependency levels of legacy calls the answer needs at least (issue's rule). */
  bound(data: any): Levels;
}

function s1Keys(): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < 100 && i < world.customerCount; i += 37) {
    const line = world.lines(i).find((l) => l.kind === 'MOBILE');
    if (line) out.push(line.serviceNumber);
  }
  return out;
}

const provinceCodes = PROVINCES.map((p) => p.code);

function s4Outages(): string[] {
  const ids: string[] = [];
  for (const p of provinceCodes) for (const o of world.outages(p, NOW_MS)) if (World.isOpen(o, NOW_MS)) ids.push(o.id);
  return ids;
}

const scenarios: Scenario[] = [
  {
    id: 'S1',
    title: 'customer 360 by phone number',
    query: `query S1($n: String!) { customerByServiceNumber(serviceNumber: $n) { ${CUSTOMER_FIELDS}
      serviceLines { serviceNumber activeAlarms { id severity probableCause raisedAt element { id name } } } } }`,
    variables: s1Keys().map((n) => ({ n })),
    bound: (d) => lowerBound('S1', d),
  },
  {
    id: 'S2',
    title: '50 customers of a province (accounts, bills, lines, network status, open tickets)',
    query: `query S2($p: String!) { customers(filter: { province: $p }, first: 50) { edges { node { ${CUSTOMER_FIELDS} } } pageInfo { hasNextPage endCursor } } }`,
    variables: provinceCodes.map((p) => ({ p })),
    bound: (d) => lowerBound('S2', d),
  },
  {
    id: 'S3',
    title: 'open tickets of a province with their service lines and alarms',
    query: `query S3($p: String!) { tickets(filter: { province: $p, status: ${OPEN} }, first: 50) { edges { node {
      id type status priority summary openedAt customer { id name }
      serviceLine { serviceNumber kind status networkStatus { operState affected } }
      alarm { id severity probableCause raisedAt clearedAt element { id name } } } } pageInfo { hasNextPage } } }`,
    variables: provinceCodes.map((p) => ({ p })),
    bound: (d) => lowerBound('S3', d),
  },
  {
    id: 'S4',
    title: 'customers behind the lines of one outage',
    query: `query S4($id: ID!) { outage(id: $id) { id status startedAt affectedServiceCount
      rootCauseAlarms { id severity probableCause element { id name } }
      affectedServiceLines(first: 50) { edges { node { serviceNumber networkStatus { operState affected }
        customer { id name starLevel tickets(status: ${OPEN}) { id status summary } } } } pageInfo { hasNextPage } } } }`,
    variables: s4Outages().map((id) => ({ id })),
    bound: (d) => lowerBound('S4', d),
  },
];
/** The scenarios this run measures (`--scenarios=`); the security figure and the aggregator use S1 whatever it says. */
const measuredScenarios = ONLY_SCENARIOS ? scenarios.filter((sc) => ONLY_SCENARIOS.includes(sc.id)) : scenarios;

// ---------------------------------------------------------------------------------------------
// measurements

type Calls = Record<LegacySystem, Record<string, number>>;
interface Phase {
  connections: number;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** CPU ms per request: gateway and each subgraph, from /proc/<pid>/stat utime+stime. */
  cpuMsPerRequest: Record<string, number>;
}
interface Row {
  target: TargetName;
  profile: Profile;
  scenario: string;
  calls: Record<LegacySystem, number>;
  callsByOperation: Calls;
  bound: Record<LegacySystem, number>;
  levels: Levels;
  criticalPathMs: number;
  graphqlErrors: number;
  /** The first GraphQL error of the counted answer, if any. */
  firstError?: string;
  phases: Phase[];
}

/**
 * Waits until no legacy call is in flight and none has arrived for a while: a load phase that
 * overran the legacy limits leaves work queued in the subgraphs after autocannon stops, and it
 * must not be counted against the next query.
 */
/** Quiet this long (no request, none in flight) counts as settled; a quick run polls faster. */
const SETTLE_QUIET_MS = quick ? 100 : 300;
const SETTLE_POLL_MS = quick ? 50 : 100;

async function settle(emulators: Record<LegacySystem, Emulator>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    const stats = (await Promise.all(SYSTEMS.map((s) => control(emulators[s], 'GET', 'stats')))) as { requests: number; concurrency: { current: number } }[];
    const total = stats.reduce((a, st) => a + st.requests, 0);
    const busy = stats.some((st) => st.concurrency.current > 0);
    if (busy || total !== last) quietSince = Date.now();
    else if (Date.now() - quietSince >= SETTLE_QUIET_MS) return;
    last = total;
    await new Promise((r) => setTimeout(r, SETTLE_POLL_MS));
  }
  log(`  (legacy systems still busy after ${timeoutMs / 1000} s; counting anyway)`);
}

async function legacyCalls(emulators: Record<LegacySystem, Emulator>, fn: () => Promise<unknown>): Promise<Calls> {
  await settle(emulators);
  await Promise.all(SYSTEMS.map((s) => control(emulators[s], 'DELETE', 'stats')));
  await fn();
  const out = {} as Calls;
  for (const s of SYSTEMS) out[s] = ((await control(emulators[s], 'GET', 'stats')) as { operations: Record<string, number> }).operations;
  return out;
}

const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);

async function load(url: string, sc: Scenario, connections: number, durationS: number, pids: Record<string, number>, headers: Readonly<Record<string, string>>): Promise<Phase> {
  const bodies = sc.variables.map((v) => JSON.stringify({ query: sc.query, variables: v }));
  let k = 0;
  const before = Object.fromEntries(Object.entries(pids).map(([n, pid]) => [n, cpuMs(pid)]));
  const r = await autocannon({
    url,
    method: 'POST',
    connections,
    duration: durationS,
    headers: { 'content-type': 'application/json', ...headers },
    requests: [{ setupRequest: (req) => ({ ...req, method: 'POST', body: bodies[k++ % bodies.length]! }) }],
  });
  const requests = r.requests.total;
  const cpu = Object.fromEntries(Object.entries(pids).map(([n, pid]) => [n, requests ? +((cpuMs(pid) - before[n]!) / requests).toFixed(2) : NaN]));
  return { connections, requests, rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx + r.timeouts, cpuMsPerRequest: cpu };
}

/** Starts one target's gateway over `subgraphs`: the headers its clients send and the pids whose CPU is counted. */
async function startTarget(target: TargetName, subgraphs: Subgraphs): Promise<{ gw: Proc; headers: Readonly<Record<string, string>>; pids: Record<string, number> }> {
  log(`starting ${TARGET_LABEL[target]} …`);
  const ours = target.startsWith('ours');
  const gw = ours ? await startOurGateway(subgraphs, auth.gatewayEnv(true, path.join(auth.dir, `audit-${target}.jsonl`))) : await startPeer(subgraphs, target.includes('rust'), !target.includes('nodedup'));
  const pids: Record<string, number> = { gateway: gw.child.pid! };
  for (const s of SYSTEMS) pids[s] = subgraphs[s].child.pid!;
  return { gw, headers: ours ? auth.clientHeaders : auth.peerHeaders, pids };
}

/** One row of a target's rounds: calls and bound from the first, each phase's figures the mean over the rounds. */
function meanOfRounds(rounds: Row[]): Row {
  const first = rounds[0]!;
  if (rounds.length === 1) return first;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const phases = first.phases.map((ph, i) => {
    const all = rounds.map((r) => r.phases[i]!);
    return {
      connections: ph.connections,
      requests: all.reduce((a, p) => a + p.requests, 0),
      rps: Math.round(mean(all.map((p) => p.rps))),
      p50: +mean(all.map((p) => p.p50)).toFixed(1),
      p99: +mean(all.map((p) => p.p99)).toFixed(1),
      errors: all.reduce((a, p) => a + p.errors, 0),
      cpuMsPerRequest: Object.fromEntries(Object.keys(ph.cpuMsPerRequest).map((k) => [k, +mean(all.map((p) => p.cpuMsPerRequest[k]!)).toFixed(2)])),
    };
  });
  return { ...first, phases };
}

const boundCache = new Map<string, Levels>();

async function runScenario(target: TargetName, profile: Profile, url: string, sc: Scenario, emulators: Record<LegacySystem, Emulator>, pids: Record<string, number>, headers: Readonly<Record<string, string>>): Promise<Row> {
  // warm up (plans, connections, JIT) on keys other than the counted one; counting settles first
  const warmEnd = Date.now() + WARMUP_MS;
  for (let i = 0; i < WARMUP_REQUESTS && Date.now() < warmEnd; i++) await gql(url, sc.query, sc.variables[1 + (i % (sc.variables.length - 1))], headers);
  await load(url, sc, 10, WARMUP_LOAD_S, {}, headers);
  let answer: { data?: any; errors?: any[] } = {};
  const byOp = await legacyCalls(emulators, async () => (answer = await gql(url, sc.query, sc.variables[0], headers)));
  // the bound is the one for the data: taken from the first error-free answer of the scenario
  const levels = answer.errors?.length && boundCache.has(sc.id) ? boundCache.get(sc.id)! : sc.bound(answer.data);
  if (!answer.errors?.length && !boundCache.has(sc.id)) boundCache.set(sc.id, levels);
  const bound = Object.fromEntries(SYSTEMS.map((s) => [s, levels.reduce((a, l) => a + (l[s] ?? 0), 0)])) as Record<LegacySystem, number>;
  const row: Row = {
    target,
    profile,
    scenario: sc.id,
    calls: Object.fromEntries(SYSTEMS.map((s) => [s, sum(byOp[s])])) as Record<LegacySystem, number>,
    callsByOperation: byOp,
    bound,
    levels,
    criticalPathMs: criticalPathMs(levels, LATENCY[profile]),
    graphqlErrors: answer.errors?.length ?? 0,
    ...(answer.errors?.length ? { firstError: String(answer.errors[0]?.message) } : {}),
    phases: [],
  };
  log(`  ${target} ${profile} ${sc.id} legacy calls per query CRM/billing/NMS: ${SYSTEMS.map((s) => row.calls[s]).join('/')} (bound ${SYSTEMS.map((s) => bound[s]).join('/')})`);
  if (answer.errors?.length) log(`  ${sc.id}: ${answer.errors.length} GraphQL errors in the answer, first: ${JSON.stringify(answer.errors[0]).slice(0, 300)}`);
  for (const c of CONCURRENCY) {
    await settle(emulators);
    const ph = await load(url, sc, c, DURATION_S, pids, headers);
    row.phases.push(ph);
    log(`  ${target} ${profile} ${sc.id} c=${c}: ${ph.rps} req/s, p50 ${ph.p50} ms, p99 ${ph.p99} ms, gateway CPU ${ph.cpuMsPerRequest.gateway} ms/req${ph.errors ? `, ${ph.errors} errors` : ''}`);
  }
  return row;
}

// ---------------------------------------------------------------------------------------------
// the security figure (issue 6)

interface SecurityRow {
  profile: Profile;
  on: Phase[];
  off: Phase[];
  /** Audit lines written by the gateway with auth on during its load phases. */
  auditLines: number;
}

/**
 * S1 with authentication, scope, masking and audit on, then off, on the same emulators: both
 * sides restart the subgraphs and the gateway with their variables and NODE_ENV=benchmark.
 */
async function securityFigure(emulators: Record<LegacySystem, Emulator>, profile: Profile): Promise<SecurityRow> {
  const sc = scenarios[0]!;
  const row: SecurityRow = { profile, on: [], off: [], auditLines: 0 };
  const auditLog = path.join(auth.dir, `audit-${profile}.jsonl`);
  // Both stacks (subgraphs and gateway with security on, and off) run at once over the emulators
  // and are measured in two rounds in opposite orders (on off, then off on), each figure the mean
  // of its two — as the gateways are compared — so that neither side pays for the other's warm-up.
  const stacks = new Map<boolean, { gw: Proc; subgraphs: Subgraphs; headers: Readonly<Record<string, string>>; pids: Record<string, number> }>();
  for (const on of [true, false]) {
    const label = on ? 'auth, scope, masking, audit on' : 'auth, scope, masking, audit off';
    log(`security figure ${profile}: starting subgraphs and gateway with ${label} …`);
    const subgraphs = await startSubgraphs(emulators, { NODE_ENV: SECURITY_NODE_ENV, ...auth.subgraphEnv(on) });
    const gw = await startOurGateway(subgraphs, { NODE_ENV: SECURITY_NODE_ENV, ...auth.gatewayEnv(on, auditLog) });
    const headers = on ? auth.clientHeaders : {};
    const pids: Record<string, number> = { gateway: gw.child.pid! };
    for (const s of SYSTEMS) pids[s] = subgraphs[s].child.pid!;
    const check = await gql(gw.url, sc.query, sc.variables[0], headers);
    if (!check.data?.customerByServiceNumber || check.errors?.length) {
      throw new Error(`security figure: S1 with ${label} did not answer a customer: ${JSON.stringify(check).slice(0, 400)}`);
    }
    stacks.set(on, { gw, subgraphs, headers, pids });
  }
  const measured = new Map<boolean, Phase[][]>([
    [true, []],
    [false, []],
  ]);
  let auditLines = 0;
  for (const order of [
    [true, false],
    [false, true],
  ]) {
    for (const on of order) {
      const { gw, headers, pids } = stacks.get(on)!;
      const label = on ? 'on' : 'off';
      await settle(emulators);
      const warmEnd = Date.now() + WARMUP_MS;
      for (let i = 0; i < WARMUP_REQUESTS && Date.now() < warmEnd; i++) await gql(gw.url, sc.query, sc.variables[1 + (i % (sc.variables.length - 1))], headers);
      await load(gw.url, sc, 10, WARMUP_LOAD_S, {}, headers);
      const auditBefore = on ? countLines(auditLog) : 0;
      const phases: Phase[] = [];
      for (const c of SECURITY_CONCURRENCY) {
        await settle(emulators);
        const ph = await load(gw.url, sc, c, DURATION_S, pids, headers);
        phases.push(ph);
        log(`  S1 security ${label} c=${c}: ${ph.rps} req/s, p50 ${ph.p50} ms, p99 ${ph.p99} ms, gateway CPU ${ph.cpuMsPerRequest.gateway} ms/req${ph.errors ? `, ${ph.errors} errors` : ''}`);
      }
      if (on) auditLines += countLines(auditLog) - auditBefore;
      measured.get(on)!.push(phases);
    }
  }
  for (const on of [true, false]) {
    const rounds = measured.get(on)!;
    const merged = meanOfRounds(rounds.map((phases) => ({ phases }) as Row)).phases;
    (on ? row.on : row.off).push(...merged);
    const { gw, subgraphs } = stacks.get(on)!;
    await stop(gw);
    for (const s of SYSTEMS) await stop(subgraphs[s]);
  }
  row.auditLines = auditLines;
  return row;
}

function countLines(file: string): number {
  if (!existsSync(file)) return 0;
  const text = readFileSync(file, 'utf8');
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

// ---------------------------------------------------------------------------------------------
// main

const auth: BenchAuth = await benchAuth();
const rows: Row[] = [];
const security: SecurityRow[] = [];
const rss: Record<string, Record<string, number>> = {};
let aggregator: Record<string, { profile: Profile; p50: number; p99: number; requests: number; errors: number }[]> = {};

log(`${quick ? 'quick run' : 'full run'}: targets ${targets.join(', ')}; profiles ${profiles.join(', ')}; ${measuredScenarios.map((sc) => sc.id).join(', ')} × concurrency ${CONCURRENCY.join('/')} × ${DURATION_S} s`);
try {
  // Our processes run compiled, as a deployment runs them (the peer is JavaScript too).
  build((line) => log(line));
  if (targets.some((t) => t.startsWith('hive'))) ensurePeerInstalled();
  log('starting the three emulators …');
  const emulators = await startEmulators();
  await setProfile(emulators, profiles[0]!);
  let subgraphs: Subgraphs | undefined;
  // The gateways compared side by side run at once over the same subgraphs, and each scenario is
  // measured in two rounds in opposite orders (A B, then B A), each target's figures the mean of
  // its two: the shared subgraphs and emulators keep warming up (JIT, caches) during a run, and
  // measured one after the other, the first target paid for that (a run with the order swapped
  // turned a 0.78 req/s ratio into 1.39).
  const paired = targets.filter((t) => t !== 'ours-nobatch');
  if (paired.length) {
    log('starting the three subgraphs …');
    subgraphs = await startSubgraphs(emulators, auth.subgraphEnv(true));
    const gateways = new Map<TargetName, { gw: Proc; headers: Readonly<Record<string, string>>; pids: Record<string, number> }>();
    // Started side by side (each waits for its own readiness).
    const started = await Promise.all(paired.map((target) => startTarget(target, subgraphs!)));
    paired.forEach((target, i) => gateways.set(target, started[i]!));
    const rounds = paired.length > 1 ? ROUNDS : 1;
    for (const profile of profiles) {
      await setProfile(emulators, profile);
      for (const [index, sc] of measuredScenarios.entries()) {
        const measured = new Map<TargetName, Row[]>(paired.map((t) => [t, []]));
        for (let round = 0; round < rounds; round++) {
          const order = (round + (rounds === 1 ? index : 0)) % 2 === 0 ? paired : [...paired].reverse();
          if (paired.length > 1) log(`  ${profile} ${sc.id} round ${round + 1}/${rounds}: ${order.join(', ')}`);
          for (const target of order) {
            const g = gateways.get(target)!;
            measured.get(target)!.push(await runScenario(target, profile, g.gw.url, sc, emulators, g.pids, g.headers));
          }
        }
        for (const target of paired) rows.push(meanOfRounds(measured.get(target)!));
      }
    }
    for (const [target, g] of gateways) rss[target] = Object.fromEntries(Object.entries(g.pids).map(([n, pid]) => [n, peakRssMb(pid)]));
    // Measured: nothing of theirs is needed any more, so they get little time to go.
    await Promise.all([...gateways.values()].map((g) => stop(g.gw, 1500)));
  }
  if (targets.includes('ours-nobatch')) {
    if (subgraphs) for (const s of SYSTEMS) await stop(subgraphs[s]);
    log('starting the three subgraphs with batching off (*_BATCH_SIZE=1) …');
    subgraphs = await startSubgraphs(emulators, { ...auth.subgraphEnv(true), ...NO_BATCH_ENV });
    const g = await startTarget('ours-nobatch', subgraphs);
    for (const profile of profiles) {
      await setProfile(emulators, profile);
      for (const sc of measuredScenarios) rows.push(await runScenario('ours-nobatch', profile, g.gw.url, sc, emulators, g.pids, g.headers));
    }
    rss['ours-nobatch'] = Object.fromEntries(Object.entries(g.pids).map(([n, pid]) => [n, peakRssMb(pid)]));
    await stop(g.gw);
  }
  if (SECURITY) {
    if (subgraphs) for (const s of SYSTEMS) await stop(subgraphs[s]);
    for (const profile of profiles) {
      await setProfile(emulators, profile);
      security.push(await securityFigure(emulators, profile));
    }
  }
  // the hand-written aggregator: latency of S1 at concurrency 1, straight to the emulators
  if ((!arg('targets') || targets.includes('ours')) && measuredScenarios.some((sc) => sc.id === 'S1')) {
    log('hand-written aggregator (S1, latency only) …');
    aggregator = { S1: [] };
    for (const profile of profiles) {
      await setProfile(emulators, profile);
      const r = await handWrittenCustomer360(
        { crm: emulators['customer-service'].url, billing: emulators.billing.url, network: emulators.network.url },
        scenarios[0]!.variables.map((v) => String(v.n)),
        (quick ? 1 : DURATION_S) * 1000,
      );
      aggregator.S1!.push({ profile, ...r });
      log(`  aggregator ${profile} S1 c=1: p50 ${r.p50} ms, p99 ${r.p99} ms (${r.requests} requests${r.errors ? `, ${r.errors} errors` : ''})`);
    }
  }
} catch (e) {
  console.error(`[bench] failed: ${(e as Error).stack ?? e}`);
  shutdown(1);
}
await Promise.all([...procs].map((p) => stop(p, 2000)));

// ---------------------------------------------------------------------------------------------
// report

function version(pkgDir: string): string {
  try {
    return (JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '—';
  }
}
const versions = {
  node: process.version,
  '@apollo/gateway': version(path.join(root, 'node_modules/@apollo/gateway')),
  '@apollo/server': version(path.join(root, 'node_modules/@apollo/server')),
  graphql: version(path.join(root, 'node_modules/graphql')),
  autocannon: version(path.join(root, 'node_modules/autocannon')),
  '@graphql-hive/gateway': version(path.join(peerDir, 'node_modules/@graphql-hive/gateway')),
  '@graphql-hive/router-runtime': version(path.join(peerDir, 'node_modules/@graphql-hive/router-runtime')),
};
const cpus = os.cpus();
const machine = { cpus: cpus.length, cpuModel: cpus[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), platform: `${os.platform()} ${os.release()}` };
const command = `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`;
const date = new Date().toISOString();

const fmt = (n: number | undefined, d = 0) => (n === undefined || Number.isNaN(n) ? '—' : n.toFixed(d));
const ratio = (a: number | undefined, b: number | undefined, d = 2) => (a === undefined || b === undefined || !b ? '—' : (a / b).toFixed(d));
const phase = (r: Row | undefined, c: number) => r?.phases.find((p) => p.connections === c);
const find = (t: TargetName, p: Profile, s: string) => rows.find((r) => r.target === t && r.profile === p && r.scenario === s);

const md: string[] = [
  '# Gateway benchmark',
  '',
  `\`${command}\` — ${date}`,
  '',
  `Machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GiB, ${machine.platform}. Versions: ${Object.entries(versions).map(([k, v]) => `${k} ${v}`).join(', ')}.`,
  '',
  `Every part is its own process, ours compiled (\`npm run build\`, \`node dist/…/main.js\`): three emulators (10 000 customers, clock pinned at ${NOW}, fixed latency per call: ` +
    `lan = billing 30 ms, CRM 20 ms, NMS 10 ms; zero = 0), three subgraphs, the compared gateways running side by side over them, ${ROUNDS === 2 ? "each scenario measured in two rounds in opposite orders (A B, then B A) and every figure the mean of a target's two" : 'each scenario measured in one round, the order of the gateways alternating from one scenario to the next (quick run: noisier than a full one)'}; load from the bench process with autocannon, ` +
    `${DURATION_S} s per phase (concurrency ${CONCURRENCY.join(', ')}) after ${WARMUP_REQUESTS ? `up to ${WARMUP_REQUESTS} warm-up queries (at most ${WARMUP_MS / 1000} s) and ` : ''}${WARMUP_LOAD_S} s of warm-up load at concurrency 10 (discarded), keys rotated over a pool taken from the emulators' world ` +
    `(S1: 100 mobile numbers; S2, S3: the provinces; S4: the open outages).`,
  'Legacy calls: the emulators\' `operations` counters around one query (first key of the pool). Bound: per system and dependency level, ceil(keys ÷ max batch) ' +
    'for operations with a batch form (OR-ed searchspecs on the CRM), one per key without, plus the pages the data needs. Critical path: the sum over levels of the ' +
    'slowest system, ceil(calls ÷ concurrency limit) × latency (limits: billing 20, NMS 10, CRM 5).',
  'CPU ms/request: utime+stime of each process from /proc/<pid>/stat, before and after the load phase, divided by the requests of that phase (at c=10 in the tables). ' +
    'Peak RSS: VmHWM from /proc/<pid>/status at the end of the target\'s phases (subgraphs: since they started, so cumulative over the targets before).',
  '',
];

for (const profile of profiles) {
  md.push(`## Profile \`${profile}\``, '');
  const head = ['scenario', 'gateway', 'legacy calls CRM/billing/NMS (bound)', 'p50 c=1 ms', 'p99 c=1 ms', 'critical path ms', 'req/s c=10', ...(CONCURRENCY.includes(50) ? ['req/s c=50'] : []), 'CPU ms/req gw', 'CPU ms/req subgraphs CRM/billing/NMS', 'errors: GraphQL in answer / HTTP under load'];
  md.push(`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`);
  for (const sc of scenarios) {
    for (const t of targets) {
      const r = find(t, profile, sc.id);
      if (!r) continue;
      const p1 = phase(r, 1);
      const p10 = phase(r, 10);
      const p50c = phase(r, 50);
      const calls = SYSTEMS.map((s) => r.calls[s]).join('/');
      const bound = SYSTEMS.map((s) => r.bound[s]).join('/');
      const errs = `${r.graphqlErrors} / ${r.phases.reduce((a, p) => a + p.errors, 0)}`;
      md.push(
        `| ${sc.id} | ${TARGET_LABEL[t]} | ${calls} (${bound}) | ${fmt(p1?.p50)} | ${fmt(p1?.p99)} | ${fmt(r.criticalPathMs)} | ${fmt(p10?.rps)} | ${CONCURRENCY.includes(50) ? `${fmt(p50c?.rps)} | ` : ''}${fmt(p10?.cpuMsPerRequest.gateway, 2)} | ${SYSTEMS.map((s) => fmt(p10?.cpuMsPerRequest[s], 2)).join('/')} | ${errs} |`,
      );
    }
    const agg = aggregator[sc.id]?.find((a) => a.profile === profile);
    if (agg) md.push(`| ${sc.id} | hand-written aggregator (latency only) | — | ${fmt(agg.p50)} | ${fmt(agg.p99)} | — | — | ${CONCURRENCY.includes(50) ? '— | ' : ''}— | — | — |`);
  }
  md.push('');
  const peers = targets.filter((t) => t !== 'ours');
  if (targets.includes('ours') && peers.length) {
    md.push(`Ratios ours ÷ other (p50 c=1 latency, req/s c=10, gateway CPU ms/req c=10; < 1 is better for latency and CPU, > 1 for req/s):`, '');
    const h = ['scenario', ...peers.flatMap((t) => [`${t} p50`, `${t} req/s`, `${t} CPU`])];
    md.push(`| ${h.join(' | ')} |`, `| ${h.map(() => '---').join(' | ')} |`);
    for (const sc of scenarios) {
      const o = find('ours', profile, sc.id);
      md.push(
        `| ${sc.id} | ${peers
          .map((t) => {
            const r = find(t, profile, sc.id);
            return [ratio(phase(o, 1)?.p50, phase(r, 1)?.p50), ratio(phase(o, 10)?.rps, phase(r, 10)?.rps), ratio(phase(o, 10)?.cpuMsPerRequest.gateway, phase(r, 10)?.cpuMsPerRequest.gateway)].join(' | ');
          })
          .join(' | ')} |`,
      );
    }
    md.push('');
  }
}
if (security.length) {
  md.push(
    '## Security on ÷ off (issue 6)',
    '',
    `S1 (customer 360) on our stack with authentication (JWT verified at the gateway, viewer re-signed for the subgraphs and verified there), region scope, PII masking and audit ` +
      `(one line per customer record to a file) on, against all off (\`AUTH_DISABLED=true\` on gateway and subgraphs, \`AUDIT_LOG=off\`): two stacks of subgraphs and gateway with NODE_ENV=${SECURITY_NODE_ENV}, side by side over the emulators, ` +
      `measured in two rounds in opposite orders (on off, off on), each figure the mean of its two; ${DURATION_S} s per phase after warm-up, as the HQ admin (every customer in scope, PII in full). Target: req/s ratio ≥ 0.9.`,
    '',
    '| profile | concurrency | req/s on | req/s off | ratio on ÷ off | p50 ms on / off | p99 ms on / off | gateway CPU ms/req on / off | subgraph CPU ms/req on / off (CRM/billing/NMS) | HTTP errors under load on / off |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const r of security) {
    for (const c of SECURITY_CONCURRENCY) {
      const on = r.on.find((p) => p.connections === c);
      const off = r.off.find((p) => p.connections === c);
      md.push(
        `| ${r.profile} | ${c} | ${fmt(on?.rps)} | ${fmt(off?.rps)} | **${ratio(on?.rps, off?.rps)}** | ${fmt(on?.p50)} / ${fmt(off?.p50)} | ${fmt(on?.p99)} / ${fmt(off?.p99)} | ${fmt(on?.cpuMsPerRequest.gateway, 2)} / ${fmt(off?.cpuMsPerRequest.gateway, 2)} | ${SYSTEMS.map((s) => fmt(on?.cpuMsPerRequest[s], 2)).join('/')} / ${SYSTEMS.map((s) => fmt(off?.cpuMsPerRequest[s], 2)).join('/')} | ${on?.errors ?? '—'} / ${off?.errors ?? '—'} |`,
      );
    }
    const requestsOn = r.on.reduce((a, p) => a + p.requests, 0);
    md.push('', `Audit (${r.profile}): ${r.auditLines} lines written for ${requestsOn} S1 requests under load with auth on.`, '');
  }
}
md.push('## Peak RSS (MB, VmHWM)', '', '| gateway | gateway process | subgraph CRM | subgraph billing | subgraph NMS |', '| --- | --- | --- | --- | --- |');
for (const t of targets) if (rss[t]) md.push(`| ${TARGET_LABEL[t]} | ${rss[t]!.gateway} | ${rss[t]!['customer-service']} | ${rss[t]!.billing} | ${rss[t]!.network} |`);
md.push('', '## Legacy calls by operation (first target, first profile)', '');
for (const sc of scenarios) {
  const r = rows.find((x) => x.scenario === sc.id);
  if (!r) continue;
  md.push(`- ${sc.id} ${sc.title}: ${SYSTEMS.map((s) => `${s} ${JSON.stringify(r.callsByOperation[s])}`).join('; ')}; bound by level ${JSON.stringify(r.levels)}`);
  for (const t of targets) {
    const e = rows.find((x) => x.scenario === sc.id && x.target === t && x.firstError);
    if (e) md.push(`  - ${TARGET_LABEL[t]}: ${e.graphqlErrors} GraphQL error(s) in the counted answer, first: "${e.firstError}"`);
  }
}
md.push('');

const text = md.join('\n');
await mkdir(path.join(root, 'bench/results'), { recursive: true });
await writeFile(path.join(root, `bench/results/${OUT}.json`), JSON.stringify({ command, date, machine, versions, quick, profiles, targets, durationS: DURATION_S, concurrency: CONCURRENCY, latencyMs: LATENCY, limits: SYSTEM_LIMITS, rows, security, peakRssMb: rss, aggregator }, null, 2) + '\n');
await writeFile(path.join(root, `bench/results/${OUT}.md`), text);
console.log(`\n${text}\nWrote bench/results/${OUT}.json and bench/results/${OUT}.md (${elapsed().trim()}).`);
process.exit(0);
