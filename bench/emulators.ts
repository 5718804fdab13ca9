import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { World } from '../emulators/shared/world.js';

/**
 * `npm run bench:emulators [-- --quick] [--systems=billing,network]`: start-up time, resident memory and batch-read throughput of
 * each emulator, each in its own process as `npm start` runs them, at 10 000 and 1 000 000
 * customers. Writes bench/results/emulators.{json,md}.
 *
 * Start-up is measured two ways: from spawn until the health endpoint answers (includes Node and
 * the TypeScript loader), and as the emulator reports it (from reading its configuration to
 * listening). Throughput is a batch read at concurrency 5 (within every system's limit) with the
 * emulated latency set to zero, so it shows the emulator's own CPU cost.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick');
const SIZES = [10_000, 1_000_000];
const DURATION_S = quick ? 3 : 10;
const CONNECTIONS = 5;
const AUTH = { user: 'gateway', password: 'gateway-dev' };

type System = 'billing' | 'network' | 'customer-service';
const ALL_SYSTEMS: System[] = ['billing', 'network', 'customer-service'];
const only = process.argv.find((a) => a.startsWith('--systems='))?.slice('--systems='.length).split(',');
const SYSTEMS = only ? ALL_SYSTEMS.filter((s) => only.includes(s)) : ALL_SYSTEMS;

interface Started {
  child: ChildProcess;
  url: string;
  spawnToReadyMs: number;
  reportedStartMs: number;
}

async function start(system: System, customers: number): Promise<Started> {
  const t0 = performance.now();
  const prefix = system.toUpperCase().replace('-', '_');
  const child = spawn(process.execPath, ['--import', 'tsx', `emulators/${system}/main.ts`], {
    cwd: root,
    env: { ...process.env, EMULATOR_CUSTOMERS: String(customers), [`${prefix}_EMULATOR_PORT`]: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => {
      out += d;
      if (out.includes('\n')) resolve(out);
    });
    child.once('exit', (code) => reject(new Error(`${system} emulator exited with ${code} before it listened`)));
  });
  const url = /listening on (http:\/\/\S+)/.exec(line)?.[1];
  const reported = Number(/in (\d+) ms/.exec(line)?.[1]);
  if (!url) throw new Error(`${system} emulator printed no URL: ${line}`);
  for (;;) {
    const r = await fetch(`${url}/__emulator/health`).catch(() => undefined);
    if (r?.ok) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  return { child, url, spawnToReadyMs: performance.now() - t0, reportedStartMs: reported };
}

async function rss(url: string): Promise<number> {
  const stats = (await (await fetch(`${url}/__emulator/stats`)).json()) as { process: { rssBytes: number } };
  return stats.process.rssBytes;
}

/** A pool of batch requests over random customers, so no two consecutive calls ask the same. */
function requestPool(system: System, world: World, token?: string): autocannon.Request[] {
  const pool: autocannon.Request[] = [];
  let state = 12345;
  const random = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state % world.customerCount;
  };
  for (let n = 0; n < 400; n++) {
    if (system === 'billing') {
      const numbers: string[] = [];
      while (numbers.length < 100) numbers.push(world.lines(random())[0]!.serviceNumber);
      const body =
        `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:bc="http://legacy.example/bss/customer"><soapenv:Body><bc:BatchQueryCustomerInfoRequestMsg>` +
        `<RequestHeader><Version>1.0</Version><BusinessCode>BatchQueryCustomerInfo</BusinessCode><MessageSeq>202611241000000${String(n).padStart(6, '0')}</MessageSeq>` +
        `<AccessSecurity><LoginSystemCode>${AUTH.user}</LoginSystemCode><Password>${AUTH.password}</Password></AccessSecurity><OperatorID>bench</OperatorID><ProvinceCode/><RegionCode/></RequestHeader>` +
        `<BatchQueryCustomerInfoRequest>${numbers.map((s) => `<ServiceNumber>${s}</ServiceNumber>`).join('')}</BatchQueryCustomerInfoRequest></bc:BatchQueryCustomerInfoRequestMsg></soapenv:Body></soapenv:Envelope>`;
      pool.push({ method: 'POST', path: '/services/CustomerService', headers: { 'content-type': 'text/xml; charset=UTF-8', soapaction: 'BatchQueryCustomerInfo' }, body });
    } else if (system === 'network') {
      const serviceNumbers: string[] = [];
      while (serviceNumbers.length < 100) serviceNumbers.push(...world.lines(random()).map((l) => l.serviceNumber));
      pool.push({
        method: 'POST',
        path: '/nms/rest/services/_batch',
        headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Basic ${Buffer.from(`${AUTH.user}:${AUTH.password}`).toString('base64')}` },
        body: JSON.stringify({ serviceNumbers: serviceNumbers.slice(0, 100) }),
      });
    } else {
      const ids = Array.from({ length: 50 }, () => world.customerId(random()));
      pool.push({
        method: 'POST',
        path: '/crm/v1/customers:lookup',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ ids }),
      });
    }
  }
  return pool;
}

const BATCH_NAME: Record<System, string> = {
  billing: 'BatchQueryCustomerInfo (100 service numbers)',
  network: 'POST /services/_batch (100 service numbers)',
  'customer-service': 'POST customers:lookup (50 ids)',
};

interface Row {
  system: System;
  customers: number;
  spawnToReadyMs: number;
  reportedStartMs: number;
  rssAfterStartMb: number;
  batch: string;
  requestsPerSecond: number;
  keysPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  rssAfterLoadMb: number;
}

async function measure(system: System, customers: number): Promise<Row> {
  process.stdout.write(`  ${system} @ ${customers.toLocaleString('en')} customers: starting … `);
  const s = await start(system, customers);
  try {
    const rssStart = await rss(s.url);
    await fetch(`${s.url}/__emulator/faults`, { method: 'PUT', body: JSON.stringify({ latencyMs: { p50: 0, p99: 0 } }) });
    let token: string | undefined;
    if (system === 'customer-service') {
      const r = await fetch(`${s.url}/crm/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(AUTH) });
      token = ((await r.json()) as { token: string }).token;
    }
    const world = new World({ customers });
    const requests = requestPool(system, world, token);
    process.stdout.write(`up in ${Math.round(s.spawnToReadyMs)} ms; load ${DURATION_S} s … `);
    let k = 0;
    const result = await autocannon({
      url: s.url,
      connections: CONNECTIONS,
      duration: DURATION_S,
      requests: [{ setupRequest: (req) => ({ ...req, ...requests[k++ % requests.length]! }) }],
    });
    const rssLoad = await rss(s.url);
    const keys = system === 'customer-service' ? 50 : 100;
    const errors = result.errors + result.non2xx;
    console.log(`${Math.round(result.requests.average)} req/s`);
    return {
      system,
      customers,
      spawnToReadyMs: Math.round(s.spawnToReadyMs),
      reportedStartMs: s.reportedStartMs,
      rssAfterStartMb: Math.round(rssStart / 1048576),
      batch: BATCH_NAME[system],
      requestsPerSecond: Math.round(result.requests.average),
      keysPerSecond: Math.round(result.requests.average * keys),
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      errors,
      rssAfterLoadMb: Math.round(rssLoad / 1048576),
    };
  } finally {
    s.child.kill('SIGTERM');
  }
}

console.log(`Emulator benchmark${quick ? ' (quick)' : ''}: ${SYSTEMS.length} systems × ${SIZES.length} sizes, ${DURATION_S} s of load each`);
const rows: Row[] = [];
for (const customers of SIZES) for (const system of SYSTEMS) rows.push(await measure(system, customers));

const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.release()}` };
const header = '| system | customers | spawn → ready (ms) | emulator start (ms) | RSS after start (MB) | batch read | req/s | keys/s | p50 (ms) | p99 (ms) | errors | RSS after load (MB) |';
const md = [
  `# Emulator figures`,
  '',
  `Measured ${new Date().toISOString()} with \`npm run bench:emulators${quick ? ' -- --quick' : ''}\` on ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GiB, Node ${machine.node}.`,
  `Each emulator in its own process; load from this process with autocannon, ${CONNECTIONS} connections, ${DURATION_S} s, emulated latency 0.`,
  '',
  header,
  header.replace(/[^|]+/g, ' --- '),
  ...rows.map((r) =>
    `| ${r.system} | ${r.customers.toLocaleString('en')} | ${r.spawnToReadyMs} | ${r.reportedStartMs} | ${r.rssAfterStartMb} | ${r.batch} | ${r.requestsPerSecond} | ${r.keysPerSecond} | ${r.p50Ms} | ${r.p99Ms} | ${r.errors} | ${r.rssAfterLoadMb} |`,
  ),
  '',
].join('\n');
await mkdir(path.join(root, 'bench/results'), { recursive: true });
await writeFile(path.join(root, 'bench/results/emulators.json'), JSON.stringify({ machine, quick, rows }, null, 2) + '\n');
await writeFile(path.join(root, 'bench/results/emulators.md'), md);
console.log(`\n${md}\nWrote bench/results/emulators.json and bench/results/emulators.md`);
