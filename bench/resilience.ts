import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { World } from '../emulators/shared/world.js';
import { build } from '../scripts/build.js';
import { benchAuth, type BenchAuth } from './lib/auth.js';
import type { LegacySystem } from './lib/bounds.js';

/**
 * `npm run bench:resilience [-- --quick] [--figures=1,2,3]`
 *
 * Issue 5's resilience figures, each phase against a fresh set of processes (three emulators,
 * three subgraphs, our gateway, as `bench/run.ts` starts them), faults set with the emulators'
 * fault API. Writes bench/results/resilience.{json,md} (with `--figures=`, resilience-figures-<list>.{json,md}).
 *
 * 1. billing hanging: p99 of a CRM-rooted customer 360 at concurrency 1–5 < billing budget + 100 ms;
 * 2. billing at 50 % errors: ≥ 99 % of answers carry complete CRM data, and every answer whose
 *    billing part succeeded carries complete network data;
 * 3. RSS of the gateway and each subgraph flat (within 10 %) across many requests under faults:
 *    sampled every second, the median of the load's last tenth against that of its first tenth
 *    (a single reading is wherever the garbage collector happened to be).
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
/** `--figures=3`: only these figures (1, 2, 3). */
const ONLY_FIGURES = argv.find((a) => a.startsWith('--figures='))?.slice('--figures='.length).split(',');

const NOW = '2026-11-24T10:00:00+08:00';
const HOST = '127.0.0.1';
const SYSTEMS: LegacySystem[] = ['customer-service', 'billing', 'network'];
const ENV_PREFIX: Record<LegacySystem, string> = { 'customer-service': 'CUSTOMER_SERVICE', billing: 'BILLING', network: 'NETWORK' };

const BILLING_BUDGET_MS = 3000;
const SUBGRAPH_ENV = { BILLING_BUDGET_MS: String(BILLING_BUDGET_MS) };

const F1_REQUESTS = quick ? 30 : 100;
const F2_REQUESTS = quick ? 300 : 2000;
const F2_CONCURRENCY = 10;
const F3_WARMUP = quick ? 500 : 2000;
const F3_REQUESTS = quick ? 3000 : 20_000;
const F3_CONCURRENCY = 20;

const t0 = Date.now();
const log = (msg: string) => console.log(`[bench:resilience ${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${msg}`);

// ---------------------------------------------------------------------------------------------
// processes (as bench/run.ts)

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

function launch(name: string, entry: string, env: Record<string, string>, url: string): Proc {
  // What `npm run build` compiled (dist/…/main.js), as a deployment runs it: no TypeScript loader.
  const child = spawn(process.execPath, [path.join('dist', entry.replace(/\.ts$/, '.js'))], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn', NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
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
      console.error(`[bench:resilience] ${name} exited (${signal ?? `code ${code}`}); its last output:\n  ${p.tail.join('\n  ')}`);
      shutdown(1);
    }
  });
  return p;
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

async function stop(p: Proc): Promise<void> {
  procs.delete(p);
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  const exited = new Promise<void>((r) => p.child.once('exit', () => r()));
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 5000);
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

/** Resident set (VmRSS) in MB, from /proc/<pid>/status. */
function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? +(Number(m[1]) / 1024).toFixed(1) : NaN;
}

interface Stack {
  emulators: Record<LegacySystem, Proc>;
  subgraphs: Record<LegacySystem, Proc>;
  gateway: Proc;
}

async function control(e: Proc, method: string, what: string, body?: unknown): Promise<void> {
  const r = await fetch(`${e.url}/__emulator/${what}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!r.ok) throw new Error(`${method} ${e.url}/__emulator/${what} → ${r.status} ${await r.text()}`);
}

/** Keys of this run (as `npm start` makes them): the gateway verifies the load's token and signs viewers; the subgraphs verify those. Audit off: it is not what this bench measures. */
let auth: BenchAuth;
const clientHeaders = (): Record<string, string> => ({ 'content-type': 'application/json', ...auth.clientHeaders });

async function startStack(): Promise<Stack> {
  auth ??= await benchAuth();
  const emulators = {} as Record<LegacySystem, Proc>;
  await Promise.all(
    SYSTEMS.map(async (s) => {
      const port = await freePort();
      const url = `http://${HOST}:${port}`;
      const p = launch(`emulator:${s}`, `emulators/${s}/main.ts`, { [`${ENV_PREFIX[s]}_EMULATOR_PORT`]: String(port) }, url);
      await waitReady(p, `${url}/__emulator/health`);
      await control(p, 'PUT', 'clock', { now: NOW });
      emulators[s] = p;
    }),
  );
  const subgraphs = {} as Record<LegacySystem, Proc>;
  await Promise.all(
    SYSTEMS.map(async (s) => {
      const port = await freePort();
      const url = `http://${HOST}:${port}`;
      const prefix = ENV_PREFIX[s];
      const p = launch(`subgraph:${s}`, `subgraphs/${s}/main.ts`, { [`${prefix}_URL`]: emulators[s].url, [`${prefix}_SUBGRAPH_PORT`]: String(port), ...SUBGRAPH_ENV, ...auth.subgraphEnv(true) }, `${url}/graphql`);
      await waitReady(p, `${url}/health/live`);
      subgraphs[s] = p;
    }),
  );
  const port = await freePort();
  const url = `http://${HOST}:${port}`;
  const env: Record<string, string> = { GATEWAY_PORT: String(port), ...auth.gatewayEnv(true, 'off') };
  for (const s of SYSTEMS) env[`${ENV_PREFIX[s]}_SUBGRAPH_URL`] = subgraphs[s].url;
  const gateway = launch('gateway', 'gateway/main.ts', env, `${url}/graphql`);
  await waitReady(gateway, `${url}/health/live`);
  return { emulators, subgraphs, gateway };
}

async function stopStack(st: Stack): Promise<void> {
  await stop(st.gateway);
  for (const s of SYSTEMS) await stop(st.subgraphs[s]);
  for (const s of SYSTEMS) await stop(st.emulators[s]);
}

// ---------------------------------------------------------------------------------------------
// queries

const world = new World({ customers: 10_000 });
const QUERY = `query Q($id: ID!) { customer(id: $id) { name region { province } segment starLevel balance { amount }
  accounts { accountNumber } serviceLines { serviceNumber networkStatus { affected } } tickets(status: [ACKNOWLEDGED]) { id } } }`;
/** The k-th customer index of a spread-out sequence (different ids, so different stale-cache keys). */
const customerIndex = (k: number) => (k * 7919 + 13) % world.customerCount;

interface Answer {
  ms: number;
  status: number;
  body?: { data?: any; errors?: any[] };
}
async function ask(url: string, i: number): Promise<Answer> {
  const start = performance.now();
  try {
    const r = await fetch(url, { method: 'POST', headers: clientHeaders(), body: JSON.stringify({ query: QUERY, variables: { id: world.customerId(i) } }) });
    const body = (await r.json()) as Answer['body'];
    return { ms: performance.now() - start, status: r.status, body };
  } catch {
    return { ms: performance.now() - start, status: 0 };
  }
}

/** `total` requests over `concurrency` workers; request k asks for customer `customerIndex(offset + k)`. */
async function pool(url: string, total: number, concurrency: number, offset: number, each: (i: number, a: Answer) => void): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let k = next++; k < total; k = next++) {
        const i = customerIndex(offset + k);
        each(i, await ask(url, i));
      }
    }),
  );
}

const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN);

// ---------------------------------------------------------------------------------------------
// figures

interface Figure {
  id: string;
  title: string;
  target: string;
  met: boolean;
  values: Record<string, unknown>;
}
const figures: Figure[] = [];

async function figure1(): Promise<Figure> {
  log(`figure 1: billing hanging (hangRate 1), BILLING_BUDGET_MS=${BILLING_BUDGET_MS}; starting a fresh stack …`);
  const st = await startStack();
  try {
    await ask(st.gateway.url, customerIndex(99_999)); // warm-up before the fault (plans, connections)
    await control(st.emulators.billing, 'PUT', 'faults', { hangRate: 1 });
    const lat: number[] = [];
    const perC: Record<string, { requests: number; p50: number; max: number }> = {};
    let httpErrors = 0;
    let crmIncomplete = 0;
    const perLevel = Math.ceil(F1_REQUESTS / 5);
    let offset = 0;
    for (let c = 1; c <= 5; c++) {
      const mine: number[] = [];
      await pool(st.gateway.url, perLevel, c, offset, (i, a) => {
        lat.push(a.ms);
        mine.push(a.ms);
        if (a.status !== 200) httpErrors++;
        if (!crmComplete(i, a.body?.data?.customer)) crmIncomplete++;
      });
      offset += perLevel;
      mine.sort((a, b) => a - b);
      perC[`c${c}`] = { requests: mine.length, p50: Math.round(pct(mine, 50)), max: Math.round(mine[mine.length - 1]!) };
      log(`  c=${c}: ${mine.length} requests, p50 ${perC[`c${c}`]!.p50} ms, max ${perC[`c${c}`]!.max} ms`);
    }
    lat.sort((a, b) => a - b);
    const p50 = Math.round(pct(lat, 50));
    const p99 = Math.round(pct(lat, 99));
    const limit = BILLING_BUDGET_MS + 100;
    const ratio = +(p99 / limit).toFixed(3);
    log(`  figure 1: ${lat.length} requests, p50 ${p50} ms, p99 ${p99} ms, p99 ÷ ${limit} ms = ${ratio}`);
    return {
      id: '1',
      title: 'billing hanging (hangRate 1): latency of a CRM-rooted customer 360 at concurrency 1–5',
      target: `p99 < billing budget ${BILLING_BUDGET_MS} ms + 100 ms = ${limit} ms`,
      met: p99 < limit,
      values: { requests: lat.length, billingBudgetMs: BILLING_BUDGET_MS, p50Ms: p50, p99Ms: p99, ratio, perConcurrency: perC, httpErrors, crmIncomplete },
    };
  } finally {
    await stopStack(st);
  }
}

function crmComplete(i: number, c: any): boolean {
  const w = world.customer(i);
  return !!c && c.name === w.name && c.region?.province === w.province && c.segment === w.segment.toUpperCase() && c.starLevel === w.starLevel && Array.isArray(c.tickets);
}

async function figure2(): Promise<Figure> {
  log('figure 2: billing at 50 % errors (errorRate 0.5); starting a fresh stack …');
  const st = await startStack();
  try {
    await ask(st.gateway.url, customerIndex(99_999));
    await control(st.emulators.billing, 'PUT', 'faults', { errorRate: 0.5 });
    let answers = 0;
    let crmOk = 0;
    let billingOk = 0;
    let networkOk = 0;
    let httpErrors = 0;
    let firstCrmFailure: unknown;
    await pool(st.gateway.url, F2_REQUESTS, F2_CONCURRENCY, 0, (i, a) => {
      answers++;
      if (a.status !== 200) httpErrors++;
      const c = a.body?.data?.customer;
      if (crmComplete(i, c)) crmOk++;
      else firstCrmFailure ??= { id: world.customerId(i), status: a.status, body: a.body };
      if (c && Array.isArray(c.serviceLines)) {
        billingOk++;
        if (c.serviceLines.every((l: any) => l.networkStatus !== null && l.networkStatus !== undefined)) networkOk++;
      }
      if (answers % 100 === 0) log(`  ${answers}/${F2_REQUESTS} answers`);
    });
    const crmPct = +((100 * crmOk) / answers).toFixed(2);
    const netPct = billingOk ? +((100 * networkOk) / billingOk).toFixed(2) : NaN;
    log(`  figure 2: ${answers} answers, complete CRM ${crmPct} %; billing part succeeded in ${billingOk}, of which complete network ${netPct} %`);
    return {
      id: '2',
      title: `billing at 50 % errors (errorRate 0.5): ${answers} customer 360s over distinct ids, concurrency ${F2_CONCURRENCY}`,
      target: '≥ 99 % complete CRM data; 100 % complete network data where serviceLines non-null',
      met: crmPct >= 99 && netPct === 100,
      values: { requests: answers, distinctCustomers: new Set(Array.from({ length: F2_REQUESTS }, (_, k) => customerIndex(k))).size, completeCrmPct: crmPct, billingSucceeded: billingOk, completeNetworkOfThosePct: netPct, httpErrors, ...(firstCrmFailure ? { firstCrmFailure } : {}) },
    };
  } finally {
    await stopStack(st);
  }
}

async function figure3(): Promise<Figure> {
  log('figure 3: RSS under faults (billing errorRate 0.3; network errorRate 0.2, hangRate 0.02); starting a fresh stack …');
  const st = await startStack();
  try {
    await control(st.emulators.billing, 'PUT', 'faults', { errorRate: 0.3 });
    await control(st.emulators.network, 'PUT', 'faults', { errorRate: 0.2, hangRate: 0.02 });
    const pids: Record<string, number> = { gateway: st.gateway.child.pid! };
    for (const s of SYSTEMS) pids[`subgraph ${s}`] = st.subgraphs[s].child.pid!;
    const bodies = Array.from({ length: 1000 }, (_, k) => JSON.stringify({ query: QUERY, variables: { id: world.customerId(customerIndex(k)) } }));
    let n = 0;
    const run = async (amount: number) => {
      const r = await autocannon({
        url: st.gateway.url,
        method: 'POST',
        connections: F3_CONCURRENCY,
        amount,
        timeout: 60,
        headers: clientHeaders(),
        requests: [{ setupRequest: (req) => ({ ...req, method: 'POST', body: bodies[n++ % bodies.length]! }) }],
      });
      return { requests: r.requests.total, errors: r.errors + r.non2xx + r.timeouts, p50: r.latency.p50, p99: r.latency.p99, rps: Math.round(r.requests.average) };
    };
    const warm = await run(F3_WARMUP);
    const start = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, rssMb(pid)]));
    log(`  warm-up ${warm.requests} requests (${warm.errors} HTTP errors); RSS MB ${JSON.stringify(start)}`);
    // One reading is wherever the garbage collector happened to be (a process can read 30 % lower
    // just after a collection): RSS is also sampled every second during the load, and the median of
    // the last tenth of the samples compared with the median of the first tenth.
    const samples: Record<string, number[]> = Object.fromEntries(Object.keys(pids).map((k) => [k, []]));
    const sampler = setInterval(() => {
      for (const [k, pid] of Object.entries(pids)) samples[k]!.push(rssMb(pid));
    }, 1000);
    const main = await run(F3_REQUESTS).finally(() => clearInterval(sampler));
    const end = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, rssMb(pid)]));
    const median = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      return s.length ? s[Math.floor(s.length / 2)]! : NaN;
    };
    const windowed = Object.fromEntries(
      Object.entries(samples).map(([k, xs]) => {
        const tenth = Math.max(1, Math.floor(xs.length / 10));
        const first = median(xs.slice(0, tenth));
        const last = median(xs.slice(-tenth));
        return [k, { firstMb: first, lastMb: last, ratio: +(last / first).toFixed(3), samples: xs.length }];
      }),
    );
    log(`  RSS medians, first ÷ last tenth of the load: ${JSON.stringify(windowed)}`);
    log(`  load ${main.requests} requests at c=${F3_CONCURRENCY}, ${main.rps} req/s, p50 ${main.p50} ms, p99 ${main.p99} ms (${main.errors} HTTP errors); RSS MB ${JSON.stringify(end)}`);
    const perProcess = Object.fromEntries(Object.keys(pids).map((k) => [k, { startMb: start[k]!, endMb: end[k]!, ratio: +(end[k]! / start[k]!).toFixed(3) }]));
    const worstPoint = Math.max(...Object.values(perProcess).map((p) => p.ratio));
    const worst = Math.max(...Object.values(windowed).map((p) => p.ratio));
    return {
      id: '3',
      title: `RSS across ${main.requests} requests under faults at concurrency ${F3_CONCURRENCY}, after a warm-up of ${warm.requests}`,
      target: 'end ÷ start RSS ≤ 1.10 for the gateway and each subgraph (median RSS of the last tenth of the load ÷ that of the first tenth, sampled every second)',
      met: worst <= 1.1,
      values: { warmup: warm, load: main, perProcess, windowed, worstRatio: worst, worstPointRatio: worstPoint },
    };
  } finally {
    await stopStack(st);
  }
}

// ---------------------------------------------------------------------------------------------
// main

// Our processes run compiled, as a deployment runs them.
build((line) => log(line));
log(`${quick ? 'quick run' : 'full run'}: figure 1 ${F1_REQUESTS} requests, figure 2 ${F2_REQUESTS}, figure 3 ${F3_WARMUP} + ${F3_REQUESTS}; BILLING_BUDGET_MS=${BILLING_BUDGET_MS}`);
try {
  const wanted = (n: string) => !ONLY_FIGURES || ONLY_FIGURES.includes(n);
  if (wanted('1')) figures.push(await figure1());
  if (wanted('2')) figures.push(await figure2());
  if (wanted('3')) figures.push(await figure3());
} catch (e) {
  console.error(`[bench:resilience] failed: ${(e as Error).stack ?? e}`);
  shutdown(1);
}

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
  cockatiel: version(path.join(root, 'node_modules/cockatiel')),
  autocannon: version(path.join(root, 'node_modules/autocannon')),
};
const cpus = os.cpus();
const machine = { cpus: cpus.length, cpuModel: cpus[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), platform: `${os.platform()} ${os.release()}` };
const command = `npm run bench:resilience${argv.length ? ` -- ${argv.join(' ')}` : ''}`;
const date = new Date().toISOString();

const f = (id: string) => figures.find((x) => x.id === id);
const v1 = f('1')?.values as any;
const v2 = f('2')?.values as any;
const v3 = f('3')?.values as any;
const md: string[] = [
  '# Resilience benchmark (issue 5)',
  '',
  `\`${command}\` — ${date}`,
  '',
  `Machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GiB, ${machine.platform}. Versions: ${Object.entries(versions).map(([k, v]) => `${k} ${v}`).join(', ')}.`,
  '',
  `Each figure against a fresh set of processes (three emulators, 10 000 customers, clock pinned at ${NOW}, default latency; three subgraphs with BILLING_BUDGET_MS=${BILLING_BUDGET_MS}, other settings default; our gateway). ` +
    'Query: CRM-rooted customer 360 (`customer(id:) { name region { province } segment starLevel balance { amount } accounts { accountNumber } serviceLines { serviceNumber networkStatus { affected } } tickets(status: [ACKNOWLEDGED]) { id } }`), customer ids spread over the world.',
  '',
  '| # | figure | target | measured | met |',
  '| --- | --- | --- | --- | --- |',
  ...(v1 ? [`| 1 | ${f('1')!.title} (${v1.requests} requests) | ${f('1')!.target} | p50 ${v1.p50Ms} ms, p99 ${v1.p99Ms} ms; p99 ÷ (budget + 100 ms) = ${v1.ratio} | ${f('1')!.met ? 'met' : 'missed'} |`] : []),
  ...(v2 ? [`| 2 | ${f('2')!.title} | ${f('2')!.target} | complete CRM ${v2.completeCrmPct} %; billing part succeeded in ${v2.billingSucceeded}, complete network in ${v2.completeNetworkOfThosePct} % of those | ${f('2')!.met ? 'met' : 'missed'} |`] : []),
  ...(v3 ? [`| 3 | ${f('3')!.title} | ${f('3')!.target} | worst median-window ratio ${v3.worstRatio} (single readings after the warm-up and at the end: worst ${v3.worstPointRatio}) | ${f('3')!.met ? 'met' : 'missed'} |`] : []),
  '',
  ...(v1 ? ['Figure 1 by concurrency: ' + Object.entries(v1.perConcurrency as Record<string, { requests: number; p50: number; max: number }>).map(([c, x]) => `${c} ${x.requests} req p50 ${x.p50} ms max ${x.max} ms`).join('; ') + `. HTTP errors ${v1.httpErrors}; answers with incomplete CRM data ${v1.crmIncomplete}.`, ''] : []),
  ...(v3
    ? [
        `Figure 3 (VmRSS from /proc/<pid>/status: one reading after the warm-up and one at the end, and readings every second during the load, their median over its first and last tenth; load ${v3.load.rps} req/s, p50 ${v3.load.p50} ms, p99 ${v3.load.p99} ms, ${v3.load.errors} HTTP errors):`,
        '',
        '| process | after warm-up MB | at the end MB | end ÷ start | median first tenth MB | median last tenth MB | last ÷ first |',
        '| --- | --- | --- | --- | --- | --- | --- |',
        ...Object.entries(v3.perProcess as Record<string, { startMb: number; endMb: number; ratio: number }>).map(([k, p]) => {
          const w = (v3.windowed as Record<string, { firstMb: number; lastMb: number; ratio: number }>)[k]!;
          return `| ${k} | ${p.startMb} | ${p.endMb} | ${p.ratio} | ${w.firstMb} | ${w.lastMb} | ${w.ratio} |`;
        }),
        '',
      ]
    : []),
];
// A run of some figures only (`--figures=`) does not replace the full results.
const OUT = ONLY_FIGURES ? `resilience-figures-${ONLY_FIGURES.join('-')}` : 'resilience';
const text = md.join('\n');
await mkdir(path.join(root, 'bench/results'), { recursive: true });
await writeFile(path.join(root, `bench/results/${OUT}.json`), JSON.stringify({ command, date, machine, versions, quick, billingBudgetMs: BILLING_BUDGET_MS, figures }, null, 2) + '\n');
await writeFile(path.join(root, `bench/results/${OUT}.md`), text);
console.log(`\n${text}\nWrote bench/results/${OUT}.json and bench/results/${OUT}.md.`);
process.exit(0);
