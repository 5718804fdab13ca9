import { formatLocal, parseLocal } from '../shared/time.js';
import { BillingFault, FAULT, RESULT, type ResultKind } from './errors.js';
import { KEY_KINDS, LIMITS, type BillingModel, type KeyKind, type Scope } from './model.js';
import { balanceContent, billContent, cdrContent, customerContent, pageHeader, paymentContent } from './views.js';
import { childText, type XmlChild, type XmlNode } from './wire.js';

/**
 * The operations of contract §1, each with the service that offers it, how its request is read
 * and validated (a bad field is a `Client` fault), and what it answers.
 */

export const SERVICES = {
  CustomerService: { prefix: 'bc', uri: 'http://legacy.example/bss/customer' },
  AccountService: { prefix: 'ba', uri: 'http://legacy.example/bss/account' },
  BillService: { prefix: 'bb', uri: 'http://legacy.example/bss/bill' },
  PaymentService: { prefix: 'bp', uri: 'http://legacy.example/bss/payment' },
  UsageService: { prefix: 'bu', uri: 'http://legacy.example/bss/usage' },
} as const;

export type ServiceName = keyof typeof SERVICES;

export function isService(name: string): name is ServiceName {
  return Object.hasOwn(SERVICES, name);
}

export interface OperationContext {
  readonly model: BillingModel;
  readonly now: number;
  readonly scope: Scope;
  /** The request's own MessageSeq. */
  readonly messageSeq: string;
}

/** What an operation answers: a result code and, on success, the children of `{Op}Result`. */
export interface Outcome {
  readonly result: ResultKind;
  readonly content?: readonly XmlChild[];
}

export interface Operation<I = unknown> {
  readonly name: string;
  readonly service: ServiceName;
  /** A write: its MessageSeq must not have been processed before (contract §1). */
  readonly write?: boolean;
  /** The keys asked for, read leniently for the request log before any validation. */
  keys(request: XmlNode | undefined): string[];
  /** Reads and validates `{Op}Request`; throws a `Client` fault naming the bad field. */
  parse(request: XmlNode): I;
  run(input: I, ctx: OperationContext): Outcome;
}

// ------------------------------------------------------------------ field readers

const invalid = (detail: string) => new BillingFault(FAULT.invalidField, detail);

function required(req: XmlNode, name: string): string {
  const v = childText(req, name);
  if (!v) throw invalid(`${name} is required`);
  return v;
}

/** A whole number within bounds; absent or empty gives `fallback`. */
function integer(req: XmlNode, name: string, fallback: number | undefined, min: number, max: number): number {
  const raw = childText(req, name);
  if (!raw) {
    if (fallback === undefined) throw invalid(`${name} is required`);
    return fallback;
  }
  if (!/^[+-]?\d{1,15}$/.test(raw)) throw invalid(`${name} must be a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw invalid(`${name} must be from ${min} to ${max}, got ${raw}`);
  return n;
}

/** A local `yyyyMMddHHmmss` time (contract §1: Asia/Shanghai, no zone). */
function localTime(req: XmlNode, name: string, fallback: number | undefined): number {
  const raw = childText(req, name);
  if (!raw) {
    if (fallback === undefined) throw invalid(`${name} is required`);
    return fallback;
  }
  const t = parseLocal(raw, 'yyyyMMddHHmmss');
  if (t === undefined) throw invalid(`${name} must be a local time yyyyMMddHHmmss, got "${raw}"`);
  return t;
}

function month(req: XmlNode, name: string, fallback: number): number {
  const raw = childText(req, name);
  if (!raw) return fallback;
  const m = /^(\d{4})(\d{2})$/.exec(raw);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) throw invalid(`${name} must be a month yyyyMM, got "${raw}"`);
  return Number(raw);
}

interface Paging {
  readonly begin: number;
  readonly fetch: number;
}

/**
 * `BeginRowNum` (0-based, default 0) and `FetchRowNum` (default {@link LIMITS.fetchRowDefault}).
 * A `FetchRowNum` above {@link LIMITS.fetchRowMax} is cut to it, silently but for the answer's own
 * `FetchRowNum`: a client pages by `TotalRowNum`, never by what it asked for.
 */
function paging(req: XmlNode): Paging {
  const begin = integer(req, 'BeginRowNum', 0, 0, Number.MAX_SAFE_INTEGER);
  const fetch = integer(req, 'FetchRowNum', LIMITS.fetchRowDefault, 0, Number.MAX_SAFE_INTEGER);
  return { begin, fetch: Math.min(fetch, LIMITS.fetchRowMax) };
}

function paged<T>(items: readonly T[], p: Paging, element: string, view: (item: T) => XmlChild[]): XmlChild[] {
  const rows = items.slice(p.begin, p.begin + p.fetch);
  return [...pageHeader(items.length, p.begin, p.fetch), ...rows.map((r): XmlChild => [element, view(r)])];
}

/** The key elements of a customer look-up, in request order. */
function keyElements(req: XmlNode | undefined): XmlNode[] {
  return req ? req.children.filter((c) => (KEY_KINDS as readonly string[]).includes(c.name)) : [];
}

const lookupKeys = (req: XmlNode | undefined) => keyElements(req).map((k) => k.text);
const textKeys = (name: string) => (req: XmlNode | undefined) => (req ? req.children.filter((c) => c.name === name).map((c) => c.text) : []);

function resultOf(found: { ok: false; result: 'notFound' | 'noPermission' }): Outcome {
  return { result: found.result };
}

const formatTime = (ms: number) => formatLocal(ms, 'yyyyMMddHHmmss');

const itemStatus = (kind: ResultKind): XmlChild[] => [
  ['ResultCode', RESULT[kind].code],
  ['ResultDesc', RESULT[kind].desc],
];

// ------------------------------------------------------------------ the operations

const queryCustomerInfo: Operation<{ kind: KeyKind; key: string }> = {
  name: 'QueryCustomerInfo',
  service: 'CustomerService',
  keys: lookupKeys,
  parse(req) {
    const keys = keyElements(req).filter((k) => k.text);
    if (keys.length !== 1) throw invalid(`give exactly one of ${KEY_KINDS.join(', ')} (got ${keys.length})`);
    return { kind: keys[0]!.name as KeyKind, key: keys[0]!.text };
  },
  run({ kind, key }, { model, scope }) {
    const found = model.findCustomer(kind, key, scope);
    return found.ok ? { result: 'ok', content: customerContent(found.value) } : resultOf(found);
  },
};

const batchQueryCustomerInfo: Operation<{ kind: KeyKind; keys: string[] }> = {
  name: 'BatchQueryCustomerInfo',
  service: 'CustomerService',
  keys: lookupKeys,
  parse(req) {
    const elements = keyElements(req);
    if (elements.length === 0) throw invalid(`give at least one key: ServiceNumber, CustKey, CrmCustId or AcctKey elements`);
    const kinds = new Set(elements.map((e) => e.name));
    if (kinds.size > 1) throw invalid(`the keys of one batch must be of one kind, got ${[...kinds].join(' and ')}`);
    if (elements.some((e) => !e.text)) throw invalid(`${elements[0]!.name} must not be empty`);
    return { kind: elements[0]!.name as KeyKind, keys: elements.map((e) => e.text) };
  },
  run({ kind, keys }, { model, scope }) {
    if (keys.length > LIMITS.batchCustomerInfo) return { result: 'batchTooLarge' };
    const content = keys.map((key): XmlChild => {
      const found = model.findCustomer(kind, key, scope);
      const status = found.ok ? 'ok' : found.result;
      return ['CustomerInfo', [['Key', key], ...itemStatus(status), ...(found.ok ? customerContent(found.value) : [])]];
    });
    return { result: 'ok', content };
  },
};

const queryBalance: Operation<{ acctKey: string }> = {
  name: 'QueryBalance',
  service: 'AccountService',
  keys: textKeys('AcctKey'),
  parse: (req) => ({ acctKey: required(req, 'AcctKey') }),
  run({ acctKey }, { model, scope, now }) {
    const found = model.findAccount(acctKey, scope);
    return found.ok ? { result: 'ok', content: balanceContent(found.value, model.balances(found.value, now)) } : resultOf(found);
  },
};

const batchQueryBalance: Operation<{ keys: string[] }> = {
  name: 'BatchQueryBalance',
  service: 'AccountService',
  keys: textKeys('AcctKey'),
  parse(req) {
    const keys = textKeys('AcctKey')(req);
    if (keys.length === 0) throw invalid('give at least one AcctKey');
    if (keys.some((k) => !k)) throw invalid('AcctKey must not be empty');
    return { keys };
  },
  run({ keys }, { model, scope, now }) {
    if (keys.length > LIMITS.batchBalance) return { result: 'batchTooLarge' };
    const content = keys.map((key): XmlChild => {
      const found = model.findAccount(key, scope);
      const body = found.ok ? balanceContent(found.value, model.balances(found.value, now)) : [];
      return ['BalanceInfo', [['Key', key], ...itemStatus(found.ok ? 'ok' : found.result), ...body]];
    });
    return { result: 'ok', content };
  },
};

const adjustBalance: Operation<{ acctKey: string; amount: number; reason: string }> = {
  name: 'AdjustBalance',
  service: 'AccountService',
  write: true,
  keys: textKeys('AcctKey'),
  parse(req) {
    const amount = integer(req, 'Amount', undefined, -1_000_000_000, 1_000_000_000);
    if (amount === 0) throw invalid('Amount must not be 0');
    return { acctKey: required(req, 'AcctKey'), amount, reason: required(req, 'Reason') };
  },
  run({ acctKey, amount, reason }, { model, scope, now, messageSeq }) {
    const t = model.adjust(messageSeq, acctKey, amount, reason, scope, now);
    if (t.result !== 'ok') return { result: t.result };
    const account = model.findAccount(acctKey, scope);
    return {
      result: 'ok',
      content: [
        ['AcctKey', account.ok ? account.value.key : acctKey],
        ['BalanceType', 'MAIN'],
        ['Amount', amount],
        ['NewBalance', t.newBalance ?? 0],
      ],
    };
  },
};

const queryTransaction: Operation<{ messageSeq: string }> = {
  name: 'QueryTransaction',
  service: 'AccountService',
  keys: textKeys('MessageSeq'),
  parse: (req) => ({ messageSeq: required(req, 'MessageSeq') }),
  run({ messageSeq }, { model, scope }) {
    const t = model.transaction(messageSeq);
    // An unknown MessageSeq was never processed: nothing was applied.
    if (!t) return { result: 'notFound' };
    const account = model.findAccount(t.acctKey, scope);
    if (!account.ok && account.result === 'noPermission') return { result: 'noPermission' };
    return {
      result: 'ok',
      content: [
        ['MessageSeq', t.messageSeq],
        ['BusinessCode', t.businessCode],
        ['Applied', t.result === 'ok' ? 'true' : 'false'],
        ['TransResultCode', RESULT[t.result].code],
        ['TransResultDesc', RESULT[t.result].desc],
        ['AcctKey', account.ok ? account.value.key : t.acctKey],
        ['Amount', t.amount],
        ['TransTime', formatTime(t.at)],
      ],
    };
  },
};

const queryBillList: Operation<{ acctKey: string; from: number; to: number; paging: Paging }> = {
  name: 'QueryBillList',
  service: 'BillService',
  keys: textKeys('AcctKey'),
  parse(req) {
    const from = month(req, 'BeginMonth', 0);
    const to = month(req, 'EndMonth', 999_999);
    if (from > to) throw invalid('BeginMonth must not be after EndMonth');
    return { acctKey: required(req, 'AcctKey'), from, to, paging: paging(req) };
  },
  run({ acctKey, from, to, paging: p }, { model, scope, now }) {
    const found = model.findAccount(acctKey, scope);
    if (!found.ok) return resultOf(found);
    // Prepaid accounts have no bills (contract §1): an empty page.
    return { result: 'ok', content: paged(model.ledger.bills(found.value, now, from, to), p, 'BillInfo', billContent) };
  },
};

const queryPaymentLog: Operation<{ acctKey: string; start: number; end: number; paging: Paging }> = {
  name: 'QueryPaymentLog',
  service: 'PaymentService',
  keys: textKeys('AcctKey'),
  parse(req) {
    const start = localTime(req, 'StartTime', Number.NEGATIVE_INFINITY);
    const end = localTime(req, 'EndTime', Number.POSITIVE_INFINITY);
    if (start > end) throw invalid('StartTime must not be after EndTime');
    return { acctKey: required(req, 'AcctKey'), start, end, paging: paging(req) };
  },
  run({ acctKey, start, end, paging: p }, { model, scope, now }) {
    const found = model.findAccount(acctKey, scope);
    if (!found.ok) return resultOf(found);
    const payments = model.ledger.payments(found.value, now).filter((x) => x.at >= start && x.at <= end);
    return { result: 'ok', content: paged(payments, p, 'PaymentInfo', paymentContent) };
  },
};

const queryCdr: Operation<{ serviceNumber: string; start: number; end: number; paging: Paging }> = {
  name: 'QueryCDR',
  service: 'UsageService',
  keys: textKeys('ServiceNumber'),
  parse(req) {
    const start = localTime(req, 'StartTime', undefined);
    const end = localTime(req, 'EndTime', undefined);
    if (start > end) throw invalid('StartTime must not be after EndTime');
    return { serviceNumber: required(req, 'ServiceNumber'), start, end, paging: paging(req) };
  },
  run({ serviceNumber, start, end, paging: p }, { model, scope, now }) {
    const found = model.findLine(serviceNumber, scope);
    if (!found.ok) return resultOf(found);
    const q = model.usage.query(found.value, start, end, now);
    const rows = q.page(p.begin, p.fetch);
    return { result: 'ok', content: [...pageHeader(q.total, p.begin, p.fetch), ...rows.map((r): XmlChild => ['CDRInfo', cdrContent(r)])] };
  },
};

/** Every operation by name. */
export const OPERATIONS: ReadonlyMap<string, Operation> = new Map(
  (
    [
      queryCustomerInfo,
      batchQueryCustomerInfo,
      queryBalance,
      batchQueryBalance,
      adjustBalance,
      queryTransaction,
      queryBillList,
      queryPaymentLog,
      queryCdr,
    ] as Operation<never>[]
  ).map((op) => [op.name, op as unknown as Operation]),
);

/** The operations a service offers, in WSDL order. */
export function operationsOf(service: ServiceName): Operation[] {
  return [...OPERATIONS.values()].filter((op) => op.service === service);
}
