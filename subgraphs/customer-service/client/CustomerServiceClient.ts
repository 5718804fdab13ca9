import type { BulkheadPolicy } from 'cockatiel';
import type { z } from 'zod';
import { ProductError } from '../../../lib/errors.js';
import type { Logger } from '../../../lib/logger.js';
import { InflightDedup } from '../../shared/inflight.js';
import { LegacyPolicy, passThroughSettings, type ResilienceSettings, type ResilienceState } from '../../shared/resilience.js';
import type { RequestScope, SystemState } from '../../shared/server.js';
import type { Customer, CustomerSearch, Interaction, Page, Survey, Ticket, TicketSearch, TicketStatus } from '../domain.js';
import { credentialsRejected, CrmBadResponseError, readErrorBody, sblCode, toProductError } from './errors.js';
import { createCrmHttp, HTTPError, type CrmHttp, type CrmHttpOptions } from './http.js';
import { toCustomer, toInteraction, toSurvey, toTicket } from './normalize.js';
import { and, customerSearchSpec, eq, orChunks, regionCondition, statusCondition, ticketSearchSpec, type Spec } from './searchspec.js';
import { CrmSession } from './session.js';
import {
  SESSION_EXPIRED,
  wireActivity,
  wireCustomer,
  wireItems,
  wireSearchPage,
  wireServiceRequest,
  wireSession,
  wireSurvey,
} from './wire.js';

/**
 * What the subgraph asks of the CRM, in domain values. Methods that take keys take any number of
 * them and answer what the CRM found (unknown keys are simply absent); batching at the CRM's
 * limits, paging to the end, the session and the concurrency limit are the implementation's
 * business. Failures are {@link ProductError}s with `system: 'customer-service'`.
 */
export interface CustomerServiceClient {
  /** `POST customers:lookup {ids}`, 50 a call. */
  customersByIds(ids: readonly string[]): Promise<Customer[]>;
  /** `GET data/Customer` with a searchspec from `filter`, in the CRM's order: `count` from `offset`. */
  searchCustomers(filter: CustomerSearch, offset: number, count: number): Promise<Page<Customer>>;
  /** `GET data/ServiceRequest` with OR-ed `[SR Number]` terms (50 a call), every page. */
  ticketsByIds(ids: readonly string[]): Promise<Ticket[]>;
  /** `GET data/ServiceRequest` with a searchspec from `filter`, newest first (the CRM's own order): `count` from `offset`. */
  searchTickets(filter: TicketSearch, offset: number, count: number): Promise<Page<Ticket>>;
  /**
   * `POST data/ServiceRequest:byCustomer` (50 customers a call): up to `limitPerCustomer` tickets of
   * each customer, newest first, only the given statuses (absent = all).
   */
  ticketsByCustomers(customerIds: readonly string[], statuses: readonly TicketStatus[] | undefined, limitPerCustomer: number, region?: CrmRegion): Promise<Ticket[]>;
  /** `POST data/Activity:byCustomer`: up to `limitPerCustomer` interactions of each, newest first. */
  interactionsByCustomers(customerIds: readonly string[], limitPerCustomer: number): Promise<Interaction[]>;
  /** `POST data/Survey:byCustomer` with `limitPerCustomer: 1`: each customer's latest survey. */
  latestSurveys(customerIds: readonly string[]): Promise<Survey[]>;
}

/** A viewer's region as a CRM condition (`[Province]`, `[Local Network]`); see scope.ts. */
export interface CrmRegion {
  readonly province: string;
  readonly localNetwork?: string | undefined;
}

export interface HttpCustomerServiceClientOptions extends Omit<CrmHttpOptions, 'maxSockets'> {
  readonly user: string;
  readonly password: string;
  /** Calls in flight on our session (contract §3: the 6th answers 429). @default 5 */
  readonly maxConcurrency: number;
  /** Calls waiting for a slot before we refuse more ourselves. @default 1000 */
  readonly maxQueue: number;
  /** Keys per batch call (contract §3: at most 50). @default 50 */
  readonly batchSize: number;
  /** Budget, retries, breaker, windows (subgraphs/shared/resilience.ts). @default none of them: the bulkhead only */
  readonly resilience?: ResilienceSettings;
  /** Identical reads in flight at once (same operation, request and scope) share one call (CUSTOMER_SERVICE_DEDUP). @default true */
  readonly dedup?: boolean;
}

/** contract §3: `customers:lookup` and `:byCustomer` take at most 50 keys. */
export const CRM_BATCH_LIMIT = 50;
/** contract §3: `PageSize` defaults to 10 (so it is always sent) and is at most 100. */
export const CRM_MAX_PAGE_SIZE = 100;
/** contract §3: `:byCustomer` answers 20 per customer unless told (always told). */
export const CRM_MAX_LIMIT_PER_CUSTOMER = 100;

/** Newest first, on each component's own date (contract §3 sortspec; cheap within one customer). */
const NEWEST_TICKETS = '[Opened] (DESCENDING)';
const NEWEST_ACTIVITIES = '[Start] (DESCENDING)';
const NEWEST_SURVEYS = '[Date] (DESCENDING)';

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
    const detail = `${failed} of the last ${this.outcomes.length} CRM calls failed`;
    return { state: failed === this.outcomes.length && failed >= 3 ? 'down' : 'degraded', detail };
  }
}

/** Per process: keep-alive sockets, the session and its bulkhead are shared by every request. */
interface Transport {
  readonly http: CrmHttp;
  readonly session: CrmSession;
  readonly bulkhead: BulkheadPolicy;
  /** Every CRM call goes through it; its bulkhead is {@link bulkhead}. */
  readonly policy: LegacyPolicy;
  /** Identical reads in flight across requests share one call (subgraphs/shared/inflight.ts). */
  readonly dedup: InflightDedup;
  readonly health: CallHealth;
  readonly batchSize: number;
  readonly logger: Logger;
}

interface CallSpec {
  /** For messages and logs: `POST customers:lookup`. */
  readonly op: string;
  readonly method: 'GET' | 'POST';
  /** Relative to the REST base, without a leading slash. */
  readonly path: string;
  readonly searchParams?: Record<string, string | number>;
  readonly json?: unknown;
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let k = 0; k < items.length; k += size) out.push(items.slice(k, k + size));
  return out;
}

function unique(keys: readonly string[]): string[] {
  return [...new Set(keys)];
}

const isSessionExpired = (e: unknown) => e instanceof HTTPError && e.response.statusCode === 401 && sblCode(e) === SESSION_EXPIRED;

/** The CRM over HTTP. One per process ({@link HttpCustomerServiceClient.create}); {@link forRequest} binds a request. */
export class HttpCustomerServiceClient implements CustomerServiceClient {
  private constructor(
    private readonly t: Transport,
    private readonly scope: RequestScope | undefined,
  ) {}

  static create(o: HttpCustomerServiceClientOptions): HttpCustomerServiceClient {
    // One more socket than calls in flight: the login happens while calls hold their slots.
    const http = createCrmHttp({ ...o, maxSockets: o.maxConcurrency + 1 });
    const login = async () => {
      try {
        const res = await http.got('session', { method: 'POST', json: { user: o.user, password: o.password } });
        const parsed = wireSession.safeParse(readJson('POST session', res.body, res.headers['content-type']));
        if (!parsed.success) throw new CrmBadResponseError(`POST session: ${parsed.error.issues[0]!.path.join('.') || 'the body'} — ${parsed.error.issues[0]!.message}`);
        return parsed.data;
      } catch (e) {
        if (e instanceof HTTPError && e.response.statusCode === 401) {
          const body = readErrorBody(e.response.body);
          // design.md: wrong credentials towards a legacy system are logged loudly.
          o.logger.error(
            { status: 401, sbl: body?.ErrorCode, message: body?.ErrorMsg },
            'THE CRM REJECTS OUR CREDENTIALS: every customer-service field fails until CUSTOMER_SERVICE_USER / CUSTOMER_SERVICE_PASSWORD are fixed',
          );
          throw credentialsRejected(`${body?.ErrorCode ?? 'HTTP 401'} on login`, e);
        }
        throw toProductError(e);
      }
    };
    const policy = new LegacyPolicy({
      system: 'customer-service',
      // contract §3: more than 5 calls in flight on one session answer 429 — we never provoke that.
      concurrency: o.maxConcurrency,
      maxQueue: o.maxQueue,
      ...(o.resilience ?? passThroughSettings()),
      toProductError,
      // contract §3: during the bulkLoad window writes answer 503 with Retry-After (reads go on).
      windowOf: (e, kind) => (kind === 'write' && e.cause instanceof HTTPError && e.cause.response.statusCode === 503 ? (e.retryAfterSeconds ?? true) : undefined),
    });
    return new HttpCustomerServiceClient(
      {
        http,
        session: new CrmSession(login, o.logger),
        bulkhead: policy.bulkhead,
        policy,
        dedup: new InflightDedup(o.dedup ?? true),
        health: new CallHealth(),
        batchSize: Math.min(Math.max(1, o.batchSize), CRM_BATCH_LIMIT),
        logger: o.logger,
      },
      undefined,
    );
  }

  /** The same client (same session), forwarding the request's id (`x-request-id`) and logging under it. */
  forRequest(scope: RequestScope): HttpCustomerServiceClient {
    return new HttpCustomerServiceClient(this.t, scope);
  }

  /** How the CRM has been answering lately (for `/health/ready`). */
  health(): { state: SystemState; detail?: string } {
    return this.t.health.state();
  }

  /** Breaker, windows and recent outcomes of the CRM policy (for `/health/ready`). */
  resilienceState(): ResilienceState {
    return this.t.policy.state();
  }

  close(): void {
    this.t.http.close();
  }

  // ------------------------------------------------------------------ customers

  async customersByIds(ids: readonly string[]): Promise<Customer[]> {
    const pages = await Promise.all(
      chunk(unique(ids), this.t.batchSize).map((ids) =>
        this.call({ op: 'POST customers:lookup', method: 'POST', path: 'customers:lookup', json: { ids } }, wireItems(wireCustomer)),
      ),
    );
    return this.normalize('POST customers:lookup', pages.flatMap((p) => p.items), toCustomer);
  }

  async searchCustomers(filter: CustomerSearch, offset: number, count: number): Promise<Page<Customer>> {
    const page = await this.searchPage('Customer', customerSearchSpec(filter), undefined, offset, count, wireCustomer);
    return { items: this.normalize('GET Customer', page.items, toCustomer), hasNextPage: page.hasNextPage };
  }

  // ------------------------------------------------------------------ tickets

  async ticketsByIds(ids: readonly string[]): Promise<Ticket[]> {
    const specs = orChunks(unique(ids).map((id) => eq('SR Number', id)));
    const lists = await Promise.all(specs.map((spec) => this.searchAll('ServiceRequest', spec, wireServiceRequest)));
    return this.normalize('GET ServiceRequest', lists.flat(), toTicket);
  }

  async searchTickets(filter: TicketSearch, offset: number, count: number): Promise<Page<Ticket>> {
    const spec = ticketSearchSpec(filter);
    if (spec === 'none') return { items: [], hasNextPage: false };
    // docs/legacy-systems/customer-service.md: without a sortspec the CRM lists service requests
    // newest `Opened` first. Asking for that order explicitly makes it sort every matching request
    // of its two years online before answering (measured 4–7× slower at 10 000 customers).
    const page = await this.searchPage('ServiceRequest', spec, undefined, offset, count, wireServiceRequest);
    return { items: this.normalize('GET ServiceRequest', page.items, toTicket), hasNextPage: page.hasNextPage };
  }

  async ticketsByCustomers(customerIds: readonly string[], statuses: readonly TicketStatus[] | undefined, limitPerCustomer: number, region?: CrmRegion): Promise<Ticket[]> {
    const status = statusCondition(statuses);
    if (status === 'none') return [];
    const parts = [...regionCondition(region), ...(status === 'all' ? [] : [status])];
    const items = await this.byCustomer('ServiceRequest', customerIds, limitPerCustomer, NEWEST_TICKETS, parts.length ? and(...parts) : undefined, wireServiceRequest);
    return this.normalize('POST ServiceRequest:byCustomer', items, toTicket);
  }

  // ------------------------------------------------------------------ interactions and surveys

  async interactionsByCustomers(customerIds: readonly string[], limitPerCustomer: number): Promise<Interaction[]> {
    const items = await this.byCustomer('Activity', customerIds, limitPerCustomer, NEWEST_ACTIVITIES, undefined, wireActivity);
    return this.normalize('POST Activity:byCustomer', items, toInteraction);
  }

  async latestSurveys(customerIds: readonly string[]): Promise<Survey[]> {
    const items = await this.byCustomer('Survey', customerIds, 1, NEWEST_SURVEYS, undefined, wireSurvey);
    return this.normalize('POST Survey:byCustomer', items, toSurvey);
  }

  // ------------------------------------------------------------------ plumbing

  /** Wire records → domain values; a value the contract does not allow fails the call as LEGACY_BAD_RESPONSE. */
  private normalize<W, T>(op: string, items: readonly W[], fn: (w: W) => T): T[] {
    try {
      return items.map(fn);
    } catch (e) {
      const err = toProductError(e);
      this.t.health.record(false);
      (this.scope?.logger ?? this.t.logger).warn({ op, code: err.code, message: err.message }, 'CRM answer unusable');
      throw err;
    }
  }

  /** `POST data/{bc}:byCustomer`, 50 customers a call, chunks in parallel (within the bulkhead). */
  private async byCustomer<S extends z.ZodType>(
    bc: 'ServiceRequest' | 'Activity' | 'Survey',
    customerIds: readonly string[],
    limitPerCustomer: number,
    sortspec: string,
    spec: Spec | undefined,
    item: S,
  ): Promise<z.infer<S>[]> {
    const limit = Math.min(limitPerCustomer, CRM_MAX_LIMIT_PER_CUSTOMER);
    if (limit < 1 || customerIds.length === 0) return [];
    const pages = await Promise.all(
      chunk(unique(customerIds), this.t.batchSize).map((ids) =>
        this.call(
          {
            op: `POST ${bc}:byCustomer`,
            method: 'POST',
            path: `data/${bc}:byCustomer`,
            json: { customerIds: ids, ...(spec ? { searchspec: spec.text } : {}), sortspec, limitPerCustomer: limit },
          },
          wireItems(item),
        ),
      ),
    );
    return pages.flatMap((p) => p.items as z.infer<S>[]);
  }

  /**
   * `count` records from `offset` of a search, in pages of at most 100, and whether more follow
   * (the CRM's `LastPage`). `count` 0 still asks one record, to learn whether there is any.
   */
  private async searchPage<S extends z.ZodType>(
    bc: string,
    spec: Spec | undefined,
    sortspec: string | undefined,
    offset: number,
    count: number,
    item: S,
  ): Promise<{ items: z.infer<S>[]; hasNextPage: boolean }> {
    const items: z.infer<S>[] = [];
    let at = offset;
    for (;;) {
      const size = Math.min(Math.max(1, count - items.length), CRM_MAX_PAGE_SIZE);
      const page = await this.call(this.searchCall(bc, spec, sortspec, at, size), wireSearchPage(item));
      const got = page.items as z.infer<S>[];
      if (count === 0) return { items: [], hasNextPage: got.length > 0 };
      items.push(...got.slice(0, count - items.length));
      at += got.length;
      // More follow when the CRM says this is not the last page (or gave more than we asked).
      if (items.length >= count) return { items, hasNextPage: !page.LastPage || got.length > size };
      if (page.LastPage || got.length === 0) return { items, hasNextPage: false };
    }
  }

  /** Every record of a search: pages of 100 until `LastPage` (contract §3: never trust the default 10). */
  private async searchAll<S extends z.ZodType>(bc: string, spec: Spec | undefined, item: S): Promise<z.infer<S>[]> {
    const items: z.infer<S>[] = [];
    for (let at = 0; ; ) {
      const page = await this.call(this.searchCall(bc, spec, undefined, at, CRM_MAX_PAGE_SIZE), wireSearchPage(item));
      items.push(...(page.items as z.infer<S>[]));
      at += page.items.length;
      if (page.LastPage || page.items.length === 0) return items;
    }
  }

  private searchCall(bc: string, spec: Spec | undefined, sortspec: string | undefined, start: number, size: number): CallSpec {
    return {
      op: `GET ${bc}`,
      method: 'GET',
      path: `data/${bc}`,
      searchParams: { ...(spec ? { searchspec: spec.text } : {}), PageSize: size, StartRowNum: start, ...(sortspec ? { sortspec } : {}) },
    };
  }

  /** One call within the bulkhead, with the session (one re-login and retry on expiry); status, body and shape checked. */
  private async call<S extends z.ZodType>(spec: CallSpec, schema: S): Promise<z.infer<S>> {
    const logger = this.scope?.logger ?? this.t.logger;
    try {
      // Every CRM call here is a read (POST look-ups included): retried by the policy on passing failures.
      // Identical reads in flight share one call; each caller parses the body into its own values.
      const request = JSON.stringify([spec.method, spec.path, spec.searchParams ?? null, spec.json ?? null]);
      const res = await this.t.dedup.run('read', this.scope?.scopeKey, spec.op, request, () =>
        this.t.policy.execute('read', spec.op, (signal) => this.withSession(spec, logger, signal)),
      );
      const parsed = schema.safeParse(readJson(spec.op, res.body, res.headers['content-type']));
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new CrmBadResponseError(`${spec.op}: ${issue.path.join('.') || 'the body'} — ${issue.message}`);
      }
      this.t.health.record(true);
      return parsed.data;
    } catch (e) {
      const err = toProductError(e);
      this.t.health.record(false);
      if (err.code === 'INTERNAL_SERVER_ERROR') {
        // The policy hands failures back coerced; the HTTP error behind one is its cause.
        const raw = e instanceof ProductError && e.cause !== undefined ? e.cause : e;
        const body = raw instanceof HTTPError ? readErrorBody(raw.response.body) : undefined;
        // A 400 with an SBL code means we built a bad searchspec or body: a bug of ours, said loudly.
        logger.error({ err: raw, op: spec.op, sbl: body?.ErrorCode, sblMessage: body?.ErrorMsg, searchParams: spec.searchParams }, 'CRM call failed on our side');
      } else if (err.code === 'LEGACY_UNAVAILABLE' && !err.retryable) {
        logger.error({ op: spec.op, message: err.message }, 'CRM call failed: configuration or credentials');
      } else logger.warn({ op: spec.op, code: err.code, message: err.message }, 'CRM call failed');
      throw err;
    }
  }

  /** Sends with the current token; on `SBL-DAT-00175` logs in again (shared) and retries exactly once. */
  private async withSession(spec: CallSpec, logger: Logger, signal?: AbortSignal) {
    const token = await this.t.session.current();
    try {
      return await this.send(spec, token, signal);
    } catch (e) {
      if (!isSessionExpired(e)) throw e;
      logger.info({ op: spec.op }, 'CRM session expired: logging in again and retrying once');
      const fresh = await this.t.session.renew(token);
      return await this.send(spec, fresh, signal);
    }
  }

  private async send(spec: CallSpec, token: string, signal?: AbortSignal) {
    const res = await this.t.http.got(spec.path, {
      ...(signal ? { signal } : {}),
      method: spec.method,
      ...(spec.searchParams ? { searchParams: spec.searchParams } : {}),
      ...(spec.json === undefined ? {} : { json: spec.json }),
      headers: { authorization: `Bearer ${token}`, ...(this.scope ? { 'x-request-id': this.scope.requestId } : {}) },
    });
    this.t.session.touch();
    return res;
  }
}

/** The body of a 200 as JSON; anything else, or JSON cut off part way, is unusable. */
function readJson(op: string, body: unknown, contentType: string | undefined): unknown {
  const text = typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString('utf8') : '';
  if (!/json/i.test(contentType ?? '')) {
    throw new CrmBadResponseError(`${op} answered ${contentType ?? 'no Content-Type'} where JSON was expected`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new CrmBadResponseError(`${op} answered JSON that does not parse, probably cut off (${(e as Error).message})`);
  }
}
