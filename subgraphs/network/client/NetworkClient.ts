import type { BulkheadPolicy } from 'cockatiel';
import type { z } from 'zod';
import { ProductError } from '../../../lib/errors.js';
import type { Logger } from '../../../lib/logger.js';
import { InflightDedup } from '../../shared/inflight.js';
import { LegacyPolicy, passThroughSettings, type ResilienceSettings, type ResilienceState } from '../../shared/resilience.js';
import type { RequestScope, SystemState } from '../../shared/server.js';
import type { Alarm, AlarmSeverity, NetworkElement, Outage, Page, Service } from '../domain.js';
import { NmsBadResponseError, readErrorBody, toProductError } from './errors.js';
import { createNmsHttp, HTTPError, type NmsHttp, type NmsHttpOptions } from './http.js';
import { toAlarm, toElement, toOutage, toService } from './normalize.js';
import { wireAlarmList, wireElementList, wireOutageList, wireServiceList } from './wire.js';

/**
 * What the subgraph asks of the network-management system, in domain values. Every method takes
 * any number of keys and answers what the NMS found (unknown keys are simply absent); batching at
 * the NMS's limit, paging to the end and the concurrency limit are the implementation's business.
 * Failures are {@link ProductError}s with `system: 'network'`.
 */
export interface NetworkClient {
  /** `POST /services/_batch`: the services the NMS inventories under these numbers. */
  servicesByNumbers(serviceNumbers: readonly string[]): Promise<Service[]>;
  /** `POST /nes/_batch`. */
  elementsByIds(ids: readonly string[]): Promise<NetworkElement[]>;
  /** `POST /alarms/_query` with `active: true`: every active alarm of at least `minSeverity` on these elements. */
  activeAlarms(elementIds: readonly string[], minSeverity: Exclude<AlarmSeverity, 'CLEARED'>): Promise<Alarm[]>;
  /** `POST /alarms/_byIds`: cleared ones included, up to 90 days old. */
  alarmsByIds(ids: readonly string[]): Promise<Alarm[]>;
  /** `POST /outages/_byIds`. */
  outagesByIds(ids: readonly string[]): Promise<Outage[]>;
  /** `GET /outages`: open outages and those cleared in the last 24 h, newest first, every page. */
  outages(filter: { province?: string | undefined; localNetwork?: string | undefined }): Promise<Outage[]>;
  /**
   * `GET /outages/{id}/services`: `count` services from position `offset` (fewer at the end), and
   * the total. Null when the NMS does not know the outage.
   */
  outageServices(outageId: string, offset: number, count: number): Promise<Page<Service> | null>;
}

export interface HttpNetworkClientOptions extends Omit<NmsHttpOptions, 'maxSockets'> {
  /** Calls in flight at once (contract §2: the 11th answers 503). @default 10 */
  readonly maxConcurrency: number;
  /** Calls waiting for a slot before we refuse more ourselves. */
  readonly maxQueue: number;
  /** Keys per batch call (contract §2: at most 100). @default 100 */
  readonly batchSize: number;
  /** `limit` sent on every list call (contract §2: default 10, at most 5 000). */
  readonly pageSize: number;
  /** Budget, retries, breaker, windows (subgraphs/shared/resilience.ts). @default none of them: the bulkhead only */
  readonly resilience?: ResilienceSettings;
  /** Identical reads in flight at once (same operation, request and scope) share one call (NETWORK_DEDUP). @default true */
  readonly dedup?: boolean;
}

/** contract §2: every batch call takes up to 100 keys; 101 answer 400 BATCH_TOO_LARGE. */
export const NMS_BATCH_LIMIT = 100;
/** contract §2: `limit` above 5 000 is capped at 5 000 (and `limit=0` means 5 000, never sent). */
export const NMS_MAX_PAGE_SIZE = 5000;

/** What the readiness endpoint reports: the outcome of the last calls. */
class CallHealth {
  private readonly outcomes: boolean[] = [];
  record(ok: boolean): void {
    this.outcomes.push(ok);
    if (this.outcomes.length > 20) this.outcomes.shift();
  }
  state(): { state: SystemState; detail?: string } {
    const failed = this.outcomes.filter((ok) => !ok).length;
    if (failed === 0) return { state: 'up' };
    const detail = `${failed} of the last ${this.outcomes.length} NMS calls failed`;
    return { state: failed === this.outcomes.length && failed >= 3 ? 'down' : 'degraded', detail };
  }
}

/** Per process: the HTTP client (keep-alive sockets) and the bulkhead are shared by every request. */
interface Transport {
  readonly http: NmsHttp;
  readonly bulkhead: BulkheadPolicy;
  /** Every NMS call goes through it; its bulkhead is {@link bulkhead}. */
  readonly policy: LegacyPolicy;
  /** Identical reads in flight across requests share one call (subgraphs/shared/inflight.ts). */
  readonly dedup: InflightDedup;
  readonly health: CallHealth;
  readonly batchSize: number;
  readonly pageSize: number;
  readonly logger: Logger;
}

interface CallSpec {
  /** For messages and logs: `POST /services/_batch`. */
  readonly op: string;
  readonly method: 'GET' | 'POST';
  /** Relative to the REST base, without a leading slash. */
  readonly path: string;
  readonly searchParams?: Record<string, string | number>;
  readonly json?: unknown;
  /** A by-id read: 404 means "unknown", answered as null. */
  readonly notFoundIsNull?: boolean;
}

interface ListPage<T> {
  readonly totalCount: number;
  readonly items: T[];
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let k = 0; k < items.length; k += size) out.push(items.slice(k, k + size));
  return out;
}

function unique(keys: readonly string[]): string[] {
  return [...new Set(keys)];
}

/** The NMS over HTTP. One per process ({@link HttpNetworkClient.create}); {@link forRequest} binds a request. */
export class HttpNetworkClient implements NetworkClient {
  private constructor(
    private readonly t: Transport,
    private readonly scope: RequestScope | undefined,
  ) {}

  static create(o: HttpNetworkClientOptions): HttpNetworkClient {
    const http = createNmsHttp({ ...o, maxSockets: o.maxConcurrency });
    const policy = new LegacyPolicy({
      system: 'network',
      // contract §2: more than 10 calls in flight answer 503 — we never provoke that ourselves.
      concurrency: o.maxConcurrency,
      maxQueue: o.maxQueue,
      ...(o.resilience ?? passThroughSettings()),
      toProductError,
      // contract §2: 503 TOPOLOGY_SYNC with Retry-After during the topologySync window.
      windowOf: (e) => {
        const c = e.cause;
        if (!(c instanceof HTTPError) || c.response.statusCode !== 503) return undefined;
        return readErrorBody(c.response.body, c.response.headers['content-type'])?.code === 'TOPOLOGY_SYNC' ? (e.retryAfterSeconds ?? true) : undefined;
      },
    });
    return new HttpNetworkClient(
      {
        http,
        bulkhead: policy.bulkhead,
        policy,
        dedup: new InflightDedup(o.dedup ?? true),
        health: new CallHealth(),
        batchSize: Math.min(o.batchSize, NMS_BATCH_LIMIT),
        pageSize: Math.min(Math.max(1, o.pageSize), NMS_MAX_PAGE_SIZE),
        logger: o.logger,
      },
      undefined,
    );
  }

  /** The same client, forwarding the request's id (`x-request-id`) and logging under it. */
  forRequest(scope: RequestScope): HttpNetworkClient {
    return new HttpNetworkClient(this.t, scope);
  }

  /** How the NMS has been answering lately (for `/health/ready`). */
  health(): { state: SystemState; detail?: string } {
    return this.t.health.state();
  }

  /** Breaker, windows and recent outcomes of the NMS policy (for `/health/ready`). */
  resilienceState(): ResilienceState {
    return this.t.policy.state();
  }

  close(): void {
    this.t.http.close();
  }

  // ------------------------------------------------------------------ reads

  servicesByNumbers(serviceNumbers: readonly string[]): Promise<Service[]> {
    return this.batched(serviceNumbers, (chunk) =>
      this.call({ op: 'POST /services/_batch', method: 'POST', path: 'services/_batch', json: { serviceNumbers: chunk } }, wireServiceList, (w) => w.service.map(toService)),
    );
  }

  elementsByIds(ids: readonly string[]): Promise<NetworkElement[]> {
    return this.batched(ids, (chunk) =>
      this.call({ op: 'POST /nes/_batch', method: 'POST', path: 'nes/_batch', json: { ids: chunk } }, wireElementList, (w) => w.ne.map(toElement)),
    );
  }

  async activeAlarms(elementIds: readonly string[], minSeverity: Exclude<AlarmSeverity, 'CLEARED'>): Promise<Alarm[]> {
    const alarms = await this.batched(elementIds, (neIds) =>
      this.pageAll((offset, limit) => {
        // Paging as body fields (the NMS takes them there too, and the body wins).
        const spec: CallSpec = { op: 'POST /alarms/_query', method: 'POST', path: 'alarms/_query', json: { neIds, minSeverity, active: true, offset, limit } };
        return this.call(spec, wireAlarmList, (w) => ({ totalCount: w.totalCount, items: w.alarm.map(toAlarm) }));
      }),
    );
    // With the real clock an alarm can move between two pages and be listed twice: keep it once.
    const byId = new Map<string, Alarm>();
    for (const a of alarms) if (!byId.has(a.id)) byId.set(a.id, a);
    return [...byId.values()];
  }

  alarmsByIds(ids: readonly string[]): Promise<Alarm[]> {
    // Ids go as digit strings, which the NMS takes: no id is ever squeezed through a JS number.
    return this.batched(ids, (chunk) =>
      this.call({ op: 'POST /alarms/_byIds', method: 'POST', path: 'alarms/_byIds', json: { ids: chunk } }, wireAlarmList, (w) => w.alarm.map(toAlarm)),
    );
  }

  outagesByIds(ids: readonly string[]): Promise<Outage[]> {
    return this.batched(ids, (chunk) =>
      this.call({ op: 'POST /outages/_byIds', method: 'POST', path: 'outages/_byIds', json: { ids: chunk } }, wireOutageList, (w) => w.outage.map(toOutage)),
    );
  }

  async outages(filter: { province?: string | undefined; localNetwork?: string | undefined }): Promise<Outage[]> {
    const region: Record<string, string> = {};
    if (filter.province) region.province = filter.province;
    if (filter.localNetwork) region.localNetwork = filter.localNetwork;
    const all = await this.pageAll(async (offset, limit) => {
      const spec: CallSpec = { op: 'GET /outages', method: 'GET', path: 'outages', searchParams: { ...region, offset, limit } };
      return this.call(spec, wireOutageList, (w) => ({ totalCount: w.totalCount, items: w.outage.map(toOutage) }));
    });
    const seen = new Set<string>();
    return all.filter((o) => !seen.has(o.id) && seen.add(o.id));
  }

  async outageServices(outageId: string, offset: number, count: number): Promise<Page<Service> | null> {
    const items: Service[] = [];
    let totalCount = 0;
    // `count` may be 0 (a page of nothing, to learn the total): ask for 1, never for `limit=0` (= all).
    const want = Math.max(1, count);
    for (let at = offset; ; ) {
      const limit = Math.min(want - items.length, this.t.pageSize);
      const spec: CallSpec = {
        op: 'GET /outages/{id}/services',
        method: 'GET',
        path: `outages/${encodeURIComponent(outageId)}/services`,
        searchParams: { offset: at, limit },
        notFoundIsNull: true,
      };
      const page = await this.callOrNull(spec, wireServiceList, (w) => ({ totalCount: w.totalCount, items: w.service.map(toService) }));
      if (page === null) return null;
      totalCount = page.totalCount;
      items.push(...page.items);
      at += page.items.length;
      // Done when we have enough, when the list ends, or when the NMS stops giving (no endless loop).
      if (items.length >= want || at >= totalCount || page.items.length === 0) break;
    }
    return { totalCount, items: items.slice(0, count) };
  }

  // ------------------------------------------------------------------ plumbing

  /**
   * contract §2: batch calls take up to 100 keys. Each key is sent once, in chunks of the batch
   * size, all chunks at once (the bulkhead keeps them within the NMS's in-flight limit).
   */
  private async batched<T>(keys: readonly string[], read: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
    return (await Promise.all(chunk(unique(keys), this.t.batchSize).map(read))).flat();
  }

  /**
   * contract §2: lists default to ten entries, so `limit` is always sent and pages are read until
   * `totalCount`. The first page tells the total and, by its length, the page size in force (the
   * NMS caps ours at 5 000); the remaining pages are then read in parallel, within the bulkhead.
   */
  private async pageAll<T>(fetchPage: (offset: number, limit: number) => Promise<ListPage<T>>): Promise<T[]> {
    const first = await fetchPage(0, this.t.pageSize);
    const items = [...first.items];
    let total = first.totalCount;
    if (items.length >= total || items.length === 0) return items;
    const step = items.length;
    const offsets: number[] = [];
    for (let o = step; o < total; o += step) offsets.push(o);
    const pages = await Promise.all(offsets.map((o) => fetchPage(o, step)));
    let next = step;
    for (const [k, p] of pages.entries()) {
      items.push(...p.items);
      total = Math.max(total, p.totalCount);
      next = offsets[k]! + p.items.length;
    }
    // The list grew while we read it (alarms are raised as we page): read on to its new end.
    while (next < total) {
      const p = await fetchPage(next, step);
      if (p.items.length === 0) break;
      items.push(...p.items);
      next += p.items.length;
      total = p.totalCount;
    }
    return items;
  }

  /**
   * One HTTP call within the bulkhead: status, body and shape checked, then turned into domain
   * values by `map`; every failure (normalisation included) as a ProductError.
   */
  private async call<S extends z.ZodType, T>(spec: CallSpec, schema: S, map: (wire: z.infer<S>) => T): Promise<T> {
    return (await this.callOrNull({ ...spec, notFoundIsNull: false }, schema, map)) as T;
  }

  /** {@link call} for a by-id read: null when the NMS answers 404 (it does not know the key). */
  private async callOrNull<S extends z.ZodType, T>(spec: CallSpec, schema: S, map: (wire: z.infer<S>) => T): Promise<T | null> {
    const logger = this.scope?.logger ?? this.t.logger;
    try {
      // Every NMS call here is a read (POST batches included): retried by the policy on passing failures.
      // Identical reads in flight share one call; each caller parses the body into its own values.
      const request = JSON.stringify([spec.method, spec.path, spec.searchParams ?? null, spec.json ?? null]);
      const res = await this.t.dedup.run('read', this.scope?.scopeKey, spec.op, request, () =>
        this.t.policy.execute('read', spec.op, (signal) =>
          this.t.http.got(spec.path, {
            signal,
            method: spec.method,
            ...(spec.searchParams ? { searchParams: spec.searchParams } : {}),
            ...(spec.json === undefined ? {} : { json: spec.json }),
            ...(this.scope ? { headers: { 'x-request-id': this.scope.requestId } } : {}),
          }),
        ),
      );
      const value = readJson(spec.op, res.body, res.headers['content-type']);
      const parsed = schema.safeParse(value);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new NmsBadResponseError(`${spec.op}: ${issue.path.join('.') || 'the body'} — ${issue.message}`);
      }
      const mapped = map(parsed.data);
      this.t.health.record(true);
      return mapped;
    } catch (e) {
      // The policy hands failures back as ProductErrors, the HTTP error as their cause.
      const raw = e instanceof ProductError ? e.cause : e;
      if (spec.notFoundIsNull && raw instanceof HTTPError && raw.response.statusCode === 404) {
        this.t.health.record(true);
        return null;
      }
      const err = toProductError(e);
      this.t.health.record(false);
      if (err.code === 'INTERNAL_SERVER_ERROR') logger.error({ err: e, op: spec.op }, 'unexpected failure calling the NMS');
      else logger.warn({ op: spec.op, code: err.code, message: err.message }, 'NMS call failed');
      throw err;
    }
  }
}

/**
 * The body of a 200 as JSON. We asked for JSON; anything else (XML from a proxy that dropped our
 * `Accept`, an HTML page) or JSON cut off part way (the NMS dying while streaming) is unusable.
 */
function readJson(op: string, body: unknown, contentType: string | undefined): unknown {
  const text = typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString('utf8') : '';
  if (!/application\/json/i.test(contentType ?? '')) {
    throw new NmsBadResponseError(`${op} answered ${contentType ?? 'no Content-Type'} where JSON was asked for`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new NmsBadResponseError(`${op} answered JSON that does not parse, probably cut off (${(e as Error).message})`);
  }
}
