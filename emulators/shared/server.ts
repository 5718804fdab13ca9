import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type { EmulatorConfig, SystemName } from './config.js';
import { World } from './world.js';

/**
 * The HTTP server every emulator runs on, and the control plane they share (contract §0):
 * fault injection, the clock, statistics and the request log under `/__emulator/`.
 *
 * A system plugs in a {@link SystemHandler}: its wire layer and model. This file applies what is
 * the same everywhere — `down`, latency, `hangRate`, concurrency accounting — and hands the
 * handler the rest (`errorRate`, `malformedRate`, windows, `maxConcurrency`), because what those
 * look like on the wire is the system's own.
 */

/** Fault settings, replaced as a whole by `PUT /__emulator/faults`. */
export interface Faults {
  latencyMs: { p50: number; p99: number };
  errorRate: number;
  hangRate: number;
  malformedRate: number;
  down: boolean;
  /** `none`, or the system's own maintenance window (`billRun`, `topologySync`, `bulkLoad`). */
  window: string;
  /** In-flight limit; defaults to the system's contract limit (billing 20, NMS 10, CRM 5 per session). */
  maxConcurrency: number;
  dynamics: boolean;
  /** Billing only: declare one charset and send the other. */
  charsetMismatch: boolean;
  /** CRM only: setting it expires every session that exists at that moment (new logins work). */
  expireSessions: boolean;
}

/** "Small latency" when no fault is set: enough to make concurrency real, not enough to slow tests. */
export const DEFAULT_LATENCY = { p50: 1, p99: 4 } as const;

function faultsSchema(windows: readonly string[], defaultConcurrency: number) {
  const rate = z.number().min(0).max(1).default(0);
  return z
    .object({
      latencyMs: z
        .object({ p50: z.number().min(0).max(120_000), p99: z.number().min(0).max(120_000) })
        .refine((l) => l.p99 >= l.p50, 'latencyMs.p99 must be at least latencyMs.p50')
        .default({ ...DEFAULT_LATENCY }),
      errorRate: rate,
      hangRate: rate,
      malformedRate: rate,
      down: z.boolean().default(false),
      window: z
        .string()
        .default('none')
        .refine((w) => w === 'none' || windows.includes(w), {
          message: `window must be "none" or this system's own window (${windows.map((w) => `"${w}"`).join(', ')})`,
        }),
      maxConcurrency: z.number().int().min(1).max(10_000).default(defaultConcurrency),
      dynamics: z.boolean().default(false),
      charsetMismatch: z.boolean().default(false),
      expireSessions: z.boolean().default(false),
    })
    .strict();
}

/** One entry of the request log. */
export interface RequestLogEntry {
  seq: number;
  time: string;
  method: string;
  path: string;
  /** The system's own name for what was asked (SOAP operation, resource + verb). */
  operation: string;
  /** The keys asked for (ids, service numbers, account keys…), as sent. */
  keys: string[];
  /** Access scope as the caller sent it (billing `ProvinceCode`/`RegionCode`), if any. */
  scope?: { province?: string; region?: string };
  /** The operator the caller named (billing `OperatorID`), if any. */
  operator?: string;
  /** The caller's `x-request-id` header, if any. */
  requestId?: string;
  status?: number;
  durationMs?: number;
}

/** What a handler learns about one request and fills in for the log. */
export interface RequestContext {
  readonly system: SystemName;
  readonly config: EmulatorConfig;
  readonly world: World;
  readonly faults: Readonly<Faults>;
  /** The emulator clock: a fixed instant when set, else real time. */
  now(): number;
  /** Requests in flight now, this one included (control-plane calls excluded). */
  readonly inFlight: number;
  /** True with probability `rate`. */
  roll(rate: number): boolean;
  /** The log entry of this request: set `operation`, `keys`, `scope`, `operator`. */
  readonly log: RequestLogEntry;
  /** Runs `fn` when the call is over: answered, or given up by the caller (aborted, hung and closed). */
  onRelease(fn: () => void): void;
}

export interface IncomingRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface OutgoingResponse {
  status: number;
  headers?: Record<string, string>;
  body?: Buffer | string;
}

/** Returned by a handler to leave the request unanswered (a stalled legacy thread). */
export const HANG = Symbol('hang');

export interface SystemHandler {
  /** Called at arrival, before latency: reject at once (over the in-flight limit, bad credentials…). */
  admit?(req: IncomingRequest, ctx: RequestContext): OutgoingResponse | typeof HANG | undefined;
  /** Called after the latency delay: the answer. */
  handle(req: IncomingRequest, ctx: RequestContext): Promise<OutgoingResponse | typeof HANG> | OutgoingResponse | typeof HANG;
  /** Forget every write and session (`POST /__emulator/reset`). */
  reset?(): void;
  /** Called after the fault settings change. */
  faultsChanged?(faults: Readonly<Faults>): void;
}

export interface EmulatorOptions {
  readonly config: EmulatorConfig;
  /** The system's own maintenance window names. */
  readonly windows: readonly string[];
  /** The contract's in-flight limit, the default of `maxConcurrency`. */
  readonly concurrencyLimit: number;
  /** Builds the system's handler once the shared parts exist. */
  readonly createHandler: (env: EmulatorEnvironment) => SystemHandler;
  /** Share a world between emulators in one process (tests); built from the config otherwise. */
  readonly world?: World;
}

/** What a handler can reach outside a request: the world, the clock and the faults. */
export interface EmulatorEnvironment {
  readonly config: EmulatorConfig;
  readonly world: World;
  now(): number;
  faults(): Readonly<Faults>;
}

export interface RunningEmulator {
  readonly system: SystemName;
  /** Base URL, e.g. `http://127.0.0.1:5002`. */
  readonly url: string;
  readonly port: number;
  readonly world: World;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 5 * 1024 * 1024;
/** A hung request is released after this long, so a forgotten client cannot pin memory forever. */
const MAX_HANG_MS = 10 * 60_000;
const LOG_CAPACITY = 10_000;

/** Draws a latency from a log-normal distribution with the given median and 99th percentile. */
export function sampleLatency(l: { p50: number; p99: number }, u1 = Math.random(), u2 = Math.random()): number {
  if (l.p99 <= l.p50) return l.p50;
  const sigma = Math.log(Math.max(l.p99, 0.001) / Math.max(l.p50, 0.001)) / 2.326;
  const z = Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
  return Math.min(l.p99 * 3, Math.max(0, l.p50 * Math.exp(sigma * z)));
}

function json(status: number, value: unknown): OutgoingResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(value) };
}

/** Starts an emulator and resolves once it listens. */
export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const { config } = options;
  const world = options.world ?? new World({ seed: config.seed, customers: config.customers });
  const schema = faultsSchema(options.windows, options.concurrencyLimit);
  let faults: Faults = schema.parse({});
  let fixedNow: number | null = null;
  const now = () => fixedNow ?? Date.now();

  let inFlight = 0;
  let peakInFlight = 0;
  let statsSince = new Date().toISOString();
  let perOperation = new Map<string, number>();
  let perStatus = new Map<number, number>();
  const log: (RequestLogEntry | undefined)[] = new Array(LOG_CAPACITY);
  let seq = 0;

  const env: EmulatorEnvironment = { config, world, now, faults: () => faults };
  const handler = options.createHandler(env);
  const hung = new Set<http.ServerResponse>();

  const control = async (req: IncomingRequest): Promise<OutgoingResponse> => {
    const path = req.url.pathname.replace(/\/+$/, '');
    const readJson = (): { ok: true; value: unknown } | { ok: false; response: OutgoingResponse } => {
      try {
        return { ok: true, value: req.body.length ? JSON.parse(req.body.toString('utf8')) : {} };
      } catch (e) {
        return { ok: false, response: json(400, { error: `The body is not JSON: ${(e as Error).message}` }) };
      }
    };
    switch (`${req.method} ${path}`) {
      case 'GET /__emulator/health':
        return json(200, { system: config.system, status: 'up', customers: world.customerCount, seed: world.seed });
      case 'GET /__emulator/faults':
        return json(200, faults);
      case 'PUT /__emulator/faults': {
        const body = readJson();
        if (!body.ok) return body.response;
        const parsed = schema.safeParse(body.value);
        if (!parsed.success) {
          return json(400, { error: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') });
        }
        faults = parsed.data;
        handler.faultsChanged?.(faults);
        return json(200, faults);
      }
      case 'GET /__emulator/clock':
        return json(200, { now: new Date(now()).toISOString(), fixed: fixedNow !== null });
      case 'PUT /__emulator/clock': {
        const body = readJson();
        if (!body.ok) return body.response;
        const parsed = z.object({ now: z.string().nullable() }).strict().safeParse(body.value);
        const at = parsed.success && parsed.data.now !== null ? Date.parse(parsed.data.now) : null;
        if (!parsed.success || (parsed.data.now !== null && Number.isNaN(at))) {
          return json(400, { error: 'Send { "now": "<ISO-8601 instant>" } to fix the clock, or { "now": null } for real time.' });
        }
        fixedNow = at;
        return json(200, { now: new Date(now()).toISOString(), fixed: fixedNow !== null });
      }
      case 'GET /__emulator/stats': {
        const mem = process.memoryUsage();
        return json(200, {
          system: config.system,
          since: statsSince,
          requests: [...perOperation.values()].reduce((a, b) => a + b, 0),
          operations: Object.fromEntries([...perOperation].sort()),
          statuses: Object.fromEntries(perStatus),
          concurrency: { current: inFlight, peak: peakInFlight },
          process: { rssBytes: mem.rss, heapUsedBytes: mem.heapUsed, uptimeSeconds: process.uptime() },
        });
      }
      case 'DELETE /__emulator/stats':
        perOperation = new Map();
        perStatus = new Map();
        peakInFlight = inFlight;
        statsSince = new Date().toISOString();
        return { status: 204 };
      case 'GET /__emulator/requests': {
        const sinceRaw = req.url.searchParams.get('since') ?? '0';
        const since = Number(sinceRaw);
        if (!Number.isInteger(since) || since < 0) return json(400, { error: 'since must be a whole number ≥ 0 (a sequence number)' });
        const items: RequestLogEntry[] = [];
        for (let s = Math.max(since + 1, seq - LOG_CAPACITY + 1); s <= seq; s++) {
          const e = log[s % LOG_CAPACITY];
          if (e && e.seq === s) items.push(e);
        }
        return json(200, { items, last: seq });
      }
      case 'POST /__emulator/reset':
        faults = schema.parse({});
        handler.faultsChanged?.(faults);
        fixedNow = null;
        perOperation = new Map();
        perStatus = new Map();
        peakInFlight = inFlight;
        handler.reset?.();
        return { status: 204 };
      default:
        return json(404, {
          error: `No control endpoint ${req.method} ${path}. Try GET /__emulator/health, GET|PUT /__emulator/faults, GET|PUT /__emulator/clock, GET|DELETE /__emulator/stats, GET /__emulator/requests?since=N, POST /__emulator/reset.`,
        });
    }
  };

  const send = (res: http.ServerResponse, out: OutgoingResponse) => {
    if (res.destroyed || res.writableEnded) return;
    res.writeHead(out.status, out.headers);
    res.end(out.body);
  };

  const server = http.createServer((raw, res) => {
    const url = new URL(raw.url ?? '/', 'http://emulator');
    const isControl = url.pathname.startsWith('/__emulator/');
    if (!isControl && faults.down) {
      // A crashed process behind a balancer: the connection closes with no answer.
      raw.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    raw.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(c);
    });
    raw.on('error', () => raw.socket.destroy());
    raw.on('end', () => {
      const req: IncomingRequest = { method: raw.method ?? 'GET', url, headers: raw.headers, body: Buffer.concat(chunks) };
      if (isControl) {
        control(req).then(
          (out) => send(res, out),
          (e: unknown) => send(res, json(500, { error: String(e) })),
        );
        return;
      }
      void serve(req, res, tooLarge);
    });
  });

  const serve = async (req: IncomingRequest, res: http.ServerResponse, tooLarge: boolean) => {
    inFlight++;
    peakInFlight = Math.max(peakInFlight, inFlight);
    const started = performance.now();
    const entry: RequestLogEntry = {
      seq: ++seq,
      time: new Date().toISOString(),
      method: req.method,
      path: req.url.pathname,
      operation: `${req.method} ${req.url.pathname}`,
      keys: [],
    };
    const requestId = req.headers['x-request-id'];
    if (typeof requestId === 'string') entry.requestId = requestId;
    log[entry.seq % LOG_CAPACITY] = entry;
    let released = false;
    const onRelease: (() => void)[] = [];
    const release = () => {
      if (released) return;
      released = true;
      inFlight--;
      for (const fn of onRelease) fn();
      entry.durationMs = Math.round((performance.now() - started) * 10) / 10;
      perOperation.set(entry.operation, (perOperation.get(entry.operation) ?? 0) + 1);
      if (entry.status !== undefined) perStatus.set(entry.status, (perStatus.get(entry.status) ?? 0) + 1);
    };
    res.on('close', release);
    const ctx: RequestContext = {
      system: config.system,
      config,
      world,
      faults,
      now,
      inFlight,
      roll: (rate) => rate > 0 && Math.random() < rate,
      log: entry,
      onRelease: (fn) => void onRelease.push(fn),
    };
    const finish = (out: OutgoingResponse | typeof HANG) => {
      if (out === HANG) {
        hung.add(res);
        const timer = setTimeout(() => res.destroy(), MAX_HANG_MS);
        res.on('close', () => {
          clearTimeout(timer);
          hung.delete(res);
        });
        return;
      }
      entry.status = out.status;
      send(res, out);
    };
    try {
      if (tooLarge) return finish({ status: 413, headers: { 'content-type': 'text/plain' }, body: `Request body over ${MAX_BODY_BYTES} bytes` });
      const early = handler.admit?.(req, ctx);
      if (early) return finish(early);
      const delay = sampleLatency(faults.latencyMs);
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      if (res.destroyed) return;
      if (ctx.roll(faults.hangRate)) return finish(HANG);
      finish(await handler.handle(req, ctx));
    } catch (e) {
      // A bug in the emulator must not look like a legacy answer: say so plainly.
      console.error(`[${config.system} emulator] internal error on ${req.method} ${req.url.pathname}:`, e);
      finish({ status: 500, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: `Emulator internal error: ${String(e)}` });
    }
  };

  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    system: config.system,
    url: `http://${config.host}:${port}`,
    port,
    world,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hung) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
