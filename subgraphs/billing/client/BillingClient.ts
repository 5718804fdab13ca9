import type { BulkheadPolicy } from 'cockatiel';
import { ProductError } from '../../../lib/errors.js';
import type { Logger } from '../../../lib/logger.js';
import type { Viewer } from '../../../lib/viewer.js';
import { UNRESTRICTED_VIEWER } from '../../shared/auth.js';
import { InflightDedup } from '../../shared/inflight.js';
import { LegacyPolicy, passThroughSettings, type ResilienceSettings } from '../../shared/resilience.js';
import type { SystemState } from '../../shared/server.js';
import type { AccountBalances, Bill, BillingCustomer, CustomerKeyKind, Page, Payment, PeriodRange, UsageRecord } from '../domain.js';
import { BillingBadResponseError, BillingFaultError, BillingResultError, RESULT_BILL_RUN, RESULT_NOT_FOUND, RESULT_OK, retryAfterSeconds, toProductError } from './errors.js';
import { createBillingHttp, HTTPError, type BillingHttp, type BillingHttpOptions } from './http.js';
import { toAccountBalances, toBill, toCustomer, toLocalTime, toPayment, toUsageRecord, toWireMonth, totalRows } from './normalize.js';
import {
  decodeBody,
  faultCodeName,
  MessageSeqGenerator,
  OPERATIONS,
  parseAnswer,
  readFault,
  REQUEST_CONTENT_TYPE,
  requestEnvelope,
  type OperationName,
  type RequestField,
} from './soap.js';
import type {
  WireBatchQueryBalanceResult,
  WireBatchQueryCustomerInfoResult,
  WireFault,
  WireItemStatus,
  WirePageHeader,
  WireQueryBillListResult,
  WireQueryCdrResult,
  WireQueryPaymentLogResult,
  WireResultHeader,
} from './wire.js';

/**
 * What the subgraph asks of billing, in domain values. Batch methods take any number of keys and
 * answer one entry per key, in key order: the record, `null` when billing does not know the key
 * (ResultCode 102), or a {@link ProductError} for that key alone (103 → FORBIDDEN …). Paged
 * methods answer `null` for an unknown account or line. Chunking at billing's batch limits,
 * paging to the end and the in-flight limit are the implementation's business. Every failure is a
 * {@link ProductError} with `system: 'billing'`.
 */
export interface BillingClient {
  /** `BatchQueryCustomerInfo` by one kind of key: whole customers (customer, accounts, lines). */
  customers(kind: CustomerKeyKind, keys: readonly string[]): Promise<(BillingCustomer | null | ProductError)[]>;
  /** `BatchQueryBalance`: balances and credit limit per account number (without `PRE-`). */
  balances(accountNumbers: readonly string[]): Promise<(AccountBalances | null | ProductError)[]>;
  /** `QueryBillList`: every bill of the billing months in `periods`, newest first, all pages. */
  bills(accountNumber: string, periods: PeriodRange): Promise<Bill[] | null>;
  /** `QueryPaymentLog`: the `count` newest payments made at or after `since` (epoch ms), newest first. */
  payments(accountNumber: string, options: { since: number; count: number }): Promise<Payment[] | null>;
  /**
   * `QueryCDR`: `count` records from position `offset` (fewer at the end) of the records between
   * `from` and `to` (epoch ms, inclusive, to the second), oldest first, and how many there are.
   */
  usage(serviceNumber: string, options: { from: number; to: number; offset: number; count: number }): Promise<Page<UsageRecord> | null>;
}

/** contract §1: `BatchQueryCustomerInfo` takes up to 100 keys of one kind; 101 answer 1010. */
export const CUSTOMER_BATCH_LIMIT = 100;
/** contract §1: `BatchQueryBalance` takes up to 50. */
export const BALANCE_BATCH_LIMIT = 50;
/** contract §1: `FetchRowNum` at most 200 (more is cut to 200 without an error). */
export const PAGE_SIZE_LIMIT = 200;

/**
 * Who is asking, and within which scope: the `RequestHeader`'s `OperatorID`, `ProvinceCode` and
 * `RegionCode` (contract §1; empty codes mean all). This is the one place they come from.
 */
export interface BillingCaller {
  readonly operatorId: string;
  readonly provinceCode: string;
  readonly regionCode: string;
}

/**
 * The caller of a request's billing calls (design.md, "Viewers, roles and scope": "Billing receives
 * the scope as ProvinceCode/RegionCode and the viewer as OperatorID"). Billing then answers
 * ResultCode 103 for any record outside the viewer's region, so its own access control holds even
 * if ours had a gap. Only the unrestricted viewer of `AUTH_DISABLED=true` has no operator of its
 * own: its calls name the configured `BILLING_OPERATOR_ID`, over every region.
 */
export function callerFor(viewer: Viewer, configuredOperatorId: string): BillingCaller {
  return {
    operatorId: viewer === UNRESTRICTED_VIEWER ? configuredOperatorId : viewer.sub,
    provinceCode: viewer.region.province ?? '',
    regionCode: viewer.region.localNetwork ?? '',
  };
}

export interface BillingTransportOptions extends Omit<BillingHttpOptions, 'maxSockets'> {
  /** `AccessSecurity/LoginSystemCode`. */
  readonly user: string;
  /** `AccessSecurity/Password`. */
  readonly password: string;
  /** Calls in flight at once (contract §1: the 21st answers "System busy"). @default 20 */
  readonly maxInFlight: number;
  /** Calls waiting for a slot before we refuse more ourselves. */
  readonly maxQueue: number;
  /** Keys per `BatchQueryCustomerInfo`, at most {@link CUSTOMER_BATCH_LIMIT}. */
  readonly customerBatchSize: number;
  /** Keys per `BatchQueryBalance`, at most {@link BALANCE_BATCH_LIMIT}. */
  readonly balanceBatchSize: number;
  /** `FetchRowNum` of every paged call, at most {@link PAGE_SIZE_LIMIT}. */
  readonly pageSize: number;
  /** Budget, retries, breaker, windows (subgraphs/shared/resilience.ts). @default none of them: the bulkhead only */
  readonly resilience?: ResilienceSettings;
  /** Identical reads in flight at once (same operation, fields, caller and scope) share one call (BILLING_DEDUP). @default true */
  readonly dedup?: boolean;
}

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
    const detail = `${failed} of the last ${this.outcomes.length} billing calls failed`;
    return { state: failed === this.outcomes.length && failed >= 3 ? 'down' : 'degraded', detail };
  }
}

/**
 * Per process: keep-alive sockets, the bulkhead that keeps us under billing's in-flight limit
 * (so that we never provoke "System busy" ourselves), the MessageSeq sequence and the readiness
 * record — shared by every request's {@link HttpBillingClient}.
 */
export class BillingTransport {
  readonly http: BillingHttp;
  readonly bulkhead: BulkheadPolicy;
  /** Every billing call goes through it; its bulkhead is {@link bulkhead}. */
  readonly policy: LegacyPolicy;
  readonly messageSeq = new MessageSeqGenerator();
  readonly health = new CallHealth();
  /** Identical reads in flight across requests share one call (subgraphs/shared/inflight.ts). */
  readonly dedup: InflightDedup;

  constructor(readonly options: BillingTransportOptions) {
    this.dedup = new InflightDedup(options.dedup ?? true);
    const limit = (name: string, value: number, max: number) => {
      if (!Number.isInteger(value) || value < 1 || value > max) throw new RangeError(`${name} must be a whole number from 1 to ${max} (billing's limit), got ${value}`);
    };
    limit('customerBatchSize', options.customerBatchSize, CUSTOMER_BATCH_LIMIT);
    limit('balanceBatchSize', options.balanceBatchSize, BALANCE_BATCH_LIMIT);
    limit('pageSize', options.pageSize, PAGE_SIZE_LIMIT);
    this.http = createBillingHttp({ ...options, maxSockets: options.maxInFlight });
    this.policy = new LegacyPolicy({
      system: 'billing',
      concurrency: options.maxInFlight,
      maxQueue: options.maxQueue,
      ...(options.resilience ?? passThroughSettings()),
      toProductError,
      // contract §1: ResultCode 2001 (bill run) with RetryAfter — leave that operation alone meanwhile.
      windowOf: (e) => (e.cause instanceof BillingResultError && e.cause.resultCode === RESULT_BILL_RUN ? (e.cause.retryAfterSeconds ?? true) : undefined),
    });
    this.bulkhead = this.policy.bulkhead;
  }

  close(): void {
    this.http.close();
  }
}

/** What one request's calls carry: its id (forwarded as `x-request-id`), logger and caller. */
export interface BillingCallContext {
  readonly requestId: string;
  readonly logger: Logger;
  readonly caller: BillingCaller;
  /** The viewer's scope (RequestScope.scopeKey); without it no call is shared with another request. */
  readonly scopeKey?: string | undefined;
}

interface Answer {
  readonly header: WireResultHeader;
  readonly result: unknown;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function faultError(op: OperationName, fault: WireFault, retryAfter?: number): BillingFaultError {
  return new BillingFaultError(op, faultCodeName(fault.faultcode), fault.faultstring ?? '', fault.detail?.ErrorCode ?? undefined, retryAfter);
}

/** The billing client of one request, over the process's {@link BillingTransport}. */
export class HttpBillingClient implements BillingClient {
  constructor(
    private readonly transport: BillingTransport,
    private readonly ctx: BillingCallContext,
  ) {}

  async customers(kind: CustomerKeyKind, keys: readonly string[]): Promise<(BillingCustomer | null | ProductError)[]> {
    const op = 'BatchQueryCustomerInfo';
    const chunks = chunk(keys, this.transport.options.customerBatchSize);
    const answers = await Promise.all(
      chunks.map((part) =>
        this.read(op, part.map((k): RequestField => [kind, k]), (result) => {
          const items = isRecord(result) ? ((result as WireBatchQueryCustomerInfoResult).CustomerInfo ?? []) : [];
          return this.perKey(op, part, items, (item) => toCustomer(item));
        }),
      ),
    );
    return answers.flat();
  }

  async balances(accountNumbers: readonly string[]): Promise<(AccountBalances | null | ProductError)[]> {
    const op = 'BatchQueryBalance';
    const chunks = chunk(accountNumbers, this.transport.options.balanceBatchSize);
    const answers = await Promise.all(
      chunks.map((part) =>
        this.read(op, part.map((k): RequestField => ['AcctKey', k]), (result) => {
          const items = isRecord(result) ? ((result as WireBatchQueryBalanceResult).BalanceInfo ?? []) : [];
          return this.perKey(op, part, items, (item) => toAccountBalances(item));
        }),
      ),
    );
    return answers.flat();
  }

  async bills(accountNumber: string, periods: PeriodRange): Promise<Bill[] | null> {
    const fields: RequestField[] = [
      ['AcctKey', accountNumber],
      ['BeginMonth', toWireMonth(periods.from)],
      ['EndMonth', toWireMonth(periods.to)],
    ];
    const page = await this.paged('QueryBillList', fields, (r: WireQueryBillListResult) => r.BillInfo, toBill, 0, Number.POSITIVE_INFINITY);
    return page && [...page.items];
  }

  async payments(accountNumber: string, options: { since: number; count: number }): Promise<Payment[] | null> {
    const fields: RequestField[] = [
      ['AcctKey', accountNumber],
      ['StartTime', toLocalTime(options.since)],
    ];
    const page = await this.paged('QueryPaymentLog', fields, (r: WireQueryPaymentLogResult) => r.PaymentInfo, toPayment, 0, options.count);
    return page && [...page.items];
  }

  usage(serviceNumber: string, options: { from: number; to: number; offset: number; count: number }): Promise<Page<UsageRecord> | null> {
    const fields: RequestField[] = [
      ['ServiceNumber', serviceNumber],
      ['StartTime', toLocalTime(options.from)],
      ['EndTime', toLocalTime(options.to)],
    ];
    return this.paged('QueryCDR', fields, (r: WireQueryCdrResult) => r.CDRInfo, toUsageRecord, options.offset, options.count);
  }

  // ---------------------------------------------------------------- paging and batches

  /**
   * contract §1 paging: `count` rows from `offset` (Infinity: to the end). The page size is always
   * sent (never billing's default of 20), and we move on by the rows really answered — billing
   * may cut `FetchRowNum` — until we have enough or `BeginRowNum` reaches `TotalRowNum`.
   */
  private async paged<R extends WirePageHeader, W, T>(
    op: OperationName,
    fields: readonly RequestField[],
    rowsOf: (result: R) => readonly W[] | undefined,
    toItem: (row: W) => T,
    offset: number,
    count: number,
  ): Promise<Page<T> | null> {
    const items: T[] = [];
    let begin = offset;
    let total = 0;
    for (let page = 0; ; page++) {
      const want = Math.min(count - items.length, this.transport.options.pageSize);
      const pageFields: RequestField[] = [...fields, ['BeginRowNum', String(begin)], ['FetchRowNum', String(want)]];
      const rows = await this.read(
        op,
        pageFields,
        (result) => {
          if (!isRecord(result)) throw new BillingBadResponseError(`${op}Result is missing`);
          total = totalRows(result as R);
          const wire = rowsOf(result as R) ?? [];
          if (wire.length > want) throw new BillingBadResponseError(`${op} answered ${wire.length} rows where ${want} were asked for`);
          return wire.map((w) => toItem(w));
        },
        // 102 on a later page would mean the record vanished between pages: not "unknown".
        page === 0,
      );
      if (rows === null) return null;
      items.push(...rows);
      begin += rows.length;
      if (items.length >= count || begin >= total || rows.length === 0) break;
    }
    return { items, total };
  }

  /**
   * contract §1 batches: one item per key, in request order, each with its own `Key` and
   * `ResultCode`. A batch that does not answer every key in order is unusable as a whole; a key
   * that cannot be read is an error for that key only.
   */
  private perKey<W extends WireItemStatus, T>(op: OperationName, keys: readonly string[], items: readonly W[], convert: (item: W) => T): (T | null | ProductError)[] {
    if (items.length !== keys.length) throw new BillingBadResponseError(`${op} answered ${items.length} items for ${keys.length} keys`);
    return items.map((item, i) => {
      if ((item?.Key ?? null) !== keys[i]) throw new BillingBadResponseError(`${op} item ${i} answers key ${JSON.stringify(item?.Key)}, asked ${JSON.stringify(keys[i])}`);
      const code = item.ResultCode ?? '';
      if (code === RESULT_NOT_FOUND) return null;
      try {
        if (code !== RESULT_OK) throw new BillingResultError(op, code, item.ResultDesc ?? '');
        return convert(item);
      } catch (e) {
        const err = toProductError(e);
        this.ctx.logger.warn({ operation: op, key: keys[i], err: e }, 'billing could not answer one key of a batch');
        return err;
      }
    });
  }

  // ---------------------------------------------------------------- one call

  /**
   * One SOAP call, its answer turned into domain values by `convert`: null when the whole call
   * answers ResultCode 102 (and `notFoundIsNull`); any other failure a {@link ProductError}.
   */
  private async read<T>(op: OperationName, fields: readonly RequestField[], convert: (result: unknown) => T, notFoundIsNull = true): Promise<T | null> {
    try {
      // Every billing operation is a read (no writes yet): retried by the policy when it fails for a passing reason.
      // Identical reads in flight share one call; each caller converts the answer into its own values.
      // The key holds the viewer's scope and the whole caller (OperatorID, ProvinceCode, RegionCode):
      // billing answers by them (103 outside the scope), so two viewers' calls are never shared.
      const answer = await this.transport.dedup.run('read', this.ctx.scopeKey, op, JSON.stringify([this.ctx.caller, fields]), () =>
        this.transport.policy.execute('read', op, (signal) => this.call(op, fields, signal)),
      );
      if (answer === null) {
        if (notFoundIsNull) return null;
        throw new BillingResultError(op, RESULT_NOT_FOUND, 'The record does not exist.');
      }
      return convert(answer.result);
    } catch (e) {
      throw this.fail(op, e);
    }
  }

  private async call(op: OperationName, fields: readonly RequestField[], signal?: AbortSignal): Promise<Answer | null> {
    const { options, http, messageSeq } = this.transport;
    const seq = messageSeq.next();
    const body = requestEnvelope(
      op,
      seq,
      { loginSystemCode: options.user, password: options.password, ...this.ctx.caller },
      fields,
    );
    let res;
    try {
      // Within the policy's bulkhead (BillingTransport.policy), which keeps us under billing's in-flight limit.
      res = await http.got.post(OPERATIONS[op].service, {
          ...(signal ? { signal } : {}),
          body: Buffer.from(body, 'utf8'),
          responseType: 'buffer',
          headers: {
            'content-type': REQUEST_CONTENT_TYPE,
            // contract §1: SOAPAction = the operation name, quoted.
            soapaction: `"${op}"`,
            'x-request-id': this.ctx.requestId,
          },
        });
    } catch (e) {
      // contract §1: technical errors are HTTP 500 SOAP faults; read the fault out of the body.
      if (e instanceof HTTPError) {
        const raw = e.response.rawBody ?? (Buffer.isBuffer(e.response.body) ? e.response.body : undefined);
        const fault = raw && readFault(e.response.headers['content-type'], raw);
        if (fault) throw faultError(op, fault, retryAfterSeconds(e.response.headers['retry-after']));
      }
      throw e;
    }
    const answer = parseAnswer(op, decodeBody(res.headers['content-type'], res.body));
    if (answer.kind === 'fault') throw faultError(op, answer.fault);
    const { header } = answer;
    if (header.MessageSeq && header.MessageSeq !== seq) throw new BillingBadResponseError(`${op} answered MessageSeq ${header.MessageSeq} to our ${seq}`);
    const code = header.ResultCode ?? '';
    this.transport.health.record(true);
    if (code === RESULT_OK) return answer;
    if (code === RESULT_NOT_FOUND) return null;
    throw new BillingResultError(op, code, header.ResultDesc ?? '', retryAfterSeconds(header.RetryAfter));
  }

  /** Coerces a failure, records it for readiness, and logs it at the level it deserves. */
  private fail(op: OperationName, e: unknown): ProductError {
    const err = toProductError(e);
    // The policy hands failures back coerced; the billing error behind one is its cause.
    const raw = e instanceof ProductError && e.cause !== undefined ? e.cause : e;
    const log = this.ctx.logger;
    if (raw instanceof BillingFaultError && raw.isAuthentication) {
      log.error(
        { operation: op, fault: raw.faultString },
        'BILLING REJECTS OUR CREDENTIALS (fault 8005): every billing field fails until BILLING_USER / BILLING_PASSWORD are fixed',
      );
    } else if (err.code === 'LEGACY_UNAVAILABLE' && !err.retryable) {
      log.error({ operation: op, err: raw }, `BILLING IS MISCONFIGURED: ${err.message}`);
    } else if (err.code === 'INTERNAL_SERVER_ERROR') {
      log.error({ operation: op, err: raw }, 'billing refused a request this subgraph built: a bug here');
    } else {
      log.warn({ operation: op, code: err.code, err: raw }, 'billing call failed');
    }
    if (['LEGACY_UNAVAILABLE', 'LEGACY_TIMEOUT', 'LEGACY_BAD_RESPONSE'].includes(err.code)) this.transport.health.record(false);
    return err;
  }
}
