import { shanghaiIso } from '../../shared/time.js';
import type {
  AccountBalances,
  AccountState,
  AccountType,
  Balance,
  BalanceType,
  Bill,
  BillState,
  BillingAccount,
  BillingCustomer,
  Money,
  Payment,
  ProductStatus,
  ServiceKind,
  ServiceLine,
  UsageRecord,
  UsageType,
} from '../domain.js';
import { moneyFromFen } from '../money.js';
import { BillingBadResponseError } from './errors.js';
import type { Text, WireAccount, WireBalanceInfo, WireBillInfo, WireCdrInfo, WireCustomerContent, WirePageHeader, WirePaymentInfo, WireSubscriber } from './wire.js';

/**
 * Billing's wire values → domain values, one small function per quirk of legacy-contracts §1
 * (and docs/legacy-systems/billing.md). A value that breaks the contract — a required field
 * missing, a time that names no real time, a code we do not know — makes the answer unusable:
 * {@link BillingBadResponseError}, never a guess.
 */

function bad(message: string): never {
  throw new BillingBadResponseError(message);
}

/** legacy-contracts §1: null is an empty element (the parser already made it `null`). */
export function optionalText(v: Text): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

export function requiredText(v: Text, field: string): string {
  return optionalText(v) ?? bad(`${field} is missing`);
}

// ------------------------------------------------------------------ money

/**
 * legacy-contracts §1: money is an integer number of fen (1/100 CNY), signed — `-8448` is
 * −84.48 CNY. Read as a bigint from its digits (never through a float), so `-12345` is exactly
 * `"-123.45"`.
 */
export function fenToMoney(v: Text, field: string): Money {
  const s = requiredText(v, field);
  if (!/^[+-]?\d{1,18}$/.test(s)) bad(`${field} is not a whole number of fen: ${JSON.stringify(s)}`);
  return moneyFromFen(BigInt(s));
}

/** legacy-contracts §1: "some fields (`CreditLimit`) arrive as strings" — a string of fen, `"0"` for prepaid. */
export function creditLimit(v: Text): Money {
  return fenToMoney(typeof v === 'string' ? v.trim() : v, 'CreditLimit');
}

// ------------------------------------------------------------------ times

/** legacy-contracts §1: times are local `yyyyMMddHHmmss`, Asia/Shanghai, no zone → ISO with `+08:00`. */
export function localTime(v: Text, field: string): string {
  const s = requiredText(v, field);
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(s);
  const iso = m && shanghaiIso(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return iso || bad(`${field} is not a local time yyyyMMddHHmmss: ${JSON.stringify(s)}`);
}

/** As {@link localTime}, an empty element being null (`ActiveTime` of a line not yet active). */
export function optionalLocalTime(v: Text, field: string): string | null {
  return optionalText(v) === null ? null : localTime(v, field);
}

/** legacy-contracts §1: CDRs split the start time into `dateOfEvent` (`yyyyMMdd`) and `timeOfEvent` (`HHmmss`). */
export function cdrStart(date: Text, time: Text): string {
  const d = requiredText(date, 'dateOfEvent');
  const t = requiredText(time, 'timeOfEvent');
  if (!/^\d{8}$/.test(d) || !/^\d{6}$/.test(t)) bad(`dateOfEvent/timeOfEvent are not yyyyMMdd/HHmmss: ${JSON.stringify(d)} ${JSON.stringify(t)}`);
  return localTime(d + t, 'dateOfEvent + timeOfEvent');
}

/** contract §1: months are `yyyyMM` → the schema's `YYYY-MM`. */
export function period(v: Text, field: string): string {
  const s = requiredText(v, field);
  const m = /^(\d{4})(\d{2})$/.exec(s);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) bad(`${field} is not a month yyyyMM: ${JSON.stringify(s)}`);
  return `${m[1]}-${m[2]}`;
}

// ------------------------------------------------------------------ numbers

/**
 * contract §1: `duration` is a string of seconds; `Volume` bytes, empty when not data. A whole
 * number, or null when empty.
 */
export function optionalWholeNumber(v: Text, field: string): number | null {
  const s = optionalText(v);
  if (s === null) return null;
  if (!/^\d{1,15}$/.test(s)) bad(`${field} is not a whole number: ${JSON.stringify(s)}`);
  return Number(s);
}

/** A non-negative count in a paging header (`TotalRowNum`). */
export function count(v: Text, field: string): number {
  return optionalWholeNumber(v, field) ?? bad(`${field} is missing`);
}

// ------------------------------------------------------------------ keys

/**
 * legacy-contracts §1: prepaid account keys appear with a `PRE-` prefix in some answers and
 * without it in others. The domain never carries it, so an account has one number everywhere.
 */
export function stripPrepaidPrefix(key: string): string {
  return key.startsWith('PRE-') ? key.slice(4) : key;
}

export function accountKey(v: Text, field: string): string {
  const key = stripPrepaidPrefix(requiredText(v, field));
  if (!/^\d{1,20}$/.test(key)) bad(`${field} is not an account key: ${JSON.stringify(key)}`);
  return key;
}

// ------------------------------------------------------------------ vendor codes → schema enums

function oneOf<T extends string>(table: Readonly<Record<string, T>>, v: Text, field: string): T {
  const s = requiredText(v, field);
  return (Object.hasOwn(table, s) ? table[s] : undefined) ?? bad(`${field} has a value billing does not document: ${JSON.stringify(s)}`);
}

const ACCOUNT_TYPES: Record<string, AccountType> = { PREPAID: 'PREPAID', POSTPAID: 'POSTPAID' };
/** contract §1 `PaymentType`. */
export const accountType = (v: Text) => oneOf(ACCOUNT_TYPES, v, 'PaymentType');

const ACCOUNT_STATES: Record<string, AccountState> = { Active: 'ACTIVE', Suspended: 'SUSPENDED', Closed: 'CLOSED' };
/** contract §1 account `Status`: `Active`/`Suspended`/`Closed` → the schema's upper case. */
export const accountState = (v: Text) => oneOf(ACCOUNT_STATES, v, 'Account.Status');

const BALANCE_TYPES: Record<string, BalanceType> = { MAIN: 'MAIN', DEPOSIT: 'DEPOSIT', BONUS: 'BONUS' };
export const balanceType = (v: Text) => oneOf(BALANCE_TYPES, v, 'BalanceType');

const BILL_STATES: Record<string, BillState> = {
  new: 'NEW',
  onHold: 'ON_HOLD',
  validated: 'VALIDATED',
  sent: 'SENT',
  settled: 'SETTLED',
  partiallyPaid: 'PARTIALLY_PAID',
};
/** contract §1 bill `Status`: TMF678 names in camelCase → the schema's enum. */
export const billState = (v: Text) => oneOf(BILL_STATES, v, 'BillInfo.Status');

const SERVICE_KINDS: Record<string, ServiceKind> = { MOBILE: 'MOBILE', BROADBAND: 'BROADBAND', FIXED: 'FIXED', LEASED_LINE: 'LEASED_LINE' };
export const serviceKind = (v: Text) => oneOf(SERVICE_KINDS, v, 'ServiceType');

const PRODUCT_STATUSES: Record<string, ProductStatus> = {
  created: 'CREATED',
  pendingActive: 'PENDING_ACTIVE',
  active: 'ACTIVE',
  suspended: 'SUSPENDED',
  pendingTerminate: 'PENDING_TERMINATE',
  terminated: 'TERMINATED',
  cancelled: 'CANCELLED',
  aborted: 'ABORTED',
};
/** contract §1 subscriber `Status`: TMF637 names in camelCase (`pendingActive`) → the schema's `PENDING_ACTIVE`. */
export const productStatus = (v: Text) => oneOf(PRODUCT_STATUSES, v, 'Subscriber.Status');

const USAGE_TYPES: Record<string, UsageType> = { VOICE: 'VOICE', SMS: 'SMS', DATA: 'DATA' };
export const usageType = (v: Text) => oneOf(USAGE_TYPES, v, 'CdrType');

// ------------------------------------------------------------------ records

function toAccount(a: WireAccount, customerId: string): BillingAccount {
  const parent = optionalText(a.ParentAcctKey);
  return {
    accountNumber: accountKey(a.AcctKey, 'Account.AcctKey'),
    type: accountType(a.PaymentType),
    state: accountState(a.Status),
    parentAccountNumber: parent === null ? null : accountKey(parent, 'ParentAcctKey'),
    customerId,
  };
}

function toServiceLine(s: WireSubscriber, customerId: string): ServiceLine {
  return {
    serviceNumber: requiredText(s.ServiceNumber, 'Subscriber.ServiceNumber'),
    kind: serviceKind(s.ServiceType),
    productName: optionalText(s.ProductName),
    status: productStatus(s.Status),
    // Empty while created or pendingActive.
    activatedAt: optionalLocalTime(s.ActiveTime, 'ActiveTime'),
    // Mobile only; empty elements elsewhere.
    imsi: optionalText(s.IMSI),
    iccid: optionalText(s.ICCID),
    accountNumber: accountKey(s.AcctKey, 'Subscriber.AcctKey'),
    customerId,
  };
}

/** `QueryCustomerInfo` content (or a batch `CustomerInfo` answered 0): the whole customer. */
export function toCustomer(content: WireCustomerContent): BillingCustomer {
  const c = content.Customer;
  if (!c || typeof c !== 'object') bad('Customer is missing');
  const id = requiredText(c.CrmCustId, 'Customer.CrmCustId');
  return {
    id,
    custKey: requiredText(c.CustKey, 'Customer.CustKey'),
    name: optionalText(c.CustName),
    province: optionalText(c.ProvinceCode),
    localNetwork: optionalText(c.RegionCode),
    accounts: (content.Account ?? []).map((a) => toAccount(a ?? {}, id)),
    serviceLines: (content.Subscriber ?? []).map((s) => toServiceLine(s ?? {}, id)),
  };
}

/** A `BalanceInfo` answered 0. MAIN comes first on the wire and stays first. */
export function toAccountBalances(info: WireBalanceInfo): AccountBalances {
  const balances: Balance[] = (info.Balance ?? []).map((b) => ({
    type: balanceType(b?.BalanceType),
    amount: fenToMoney(b?.Amount, 'Balance.Amount'),
  }));
  return {
    accountNumber: accountKey(info.AcctKey, 'BalanceInfo.AcctKey'),
    balances,
    creditLimit: creditLimit(info.CreditLimit),
  };
}

export function toBill(b: WireBillInfo): Bill {
  return {
    billNo: requiredText(b.BillNo, 'BillNo'),
    period: period(b.BillCycle, 'BillCycle'),
    billDate: localTime(b.BillDate, 'BillDate'),
    dueDate: optionalLocalTime(b.DueDate, 'DueDate'),
    amountDue: fenToMoney(b.AmountDue, 'AmountDue'),
    remaining: fenToMoney(b.Remaining, 'Remaining'),
    state: billState(b.Status),
  };
}

export function toPayment(p: WirePaymentInfo): Payment {
  return {
    id: requiredText(p.PaymentId, 'PaymentId'),
    paidAt: localTime(p.PayTime, 'PayTime'),
    amount: fenToMoney(p.Amount, 'PaymentInfo.Amount'),
    channel: optionalText(p.Channel),
    method: optionalText(p.PayMethod),
  };
}

/**
 * A CDR. contract §1: `duration` is a string of seconds and a misspelt duplicate `duraction`
 * carries the same value — we read `duration` only and never fail on the duplicate.
 */
export function toUsageRecord(c: WireCdrInfo): UsageRecord {
  return {
    startedAt: cdrStart(c.dateOfEvent, c.timeOfEvent),
    type: usageType(c.CdrType),
    durationSeconds: optionalWholeNumber(c.duration, 'duration'),
    volumeBytes: optionalWholeNumber(c.Volume, 'Volume'),
    destination: optionalText(c.CalledNumber),
    charge: fenToMoney(c.Charge, 'Charge'),
  };
}

/** The paging header: `TotalRowNum` rows in the whole result. */
export function totalRows(h: WirePageHeader): number {
  return count(h.TotalRowNum, 'TotalRowNum');
}

// ------------------------------------------------------------------ requests: the other way

const p2 = (n: number) => String(n).padStart(2, '0');

/** An instant → billing's local `yyyyMMddHHmmss` (contract §1: Asia/Shanghai, no zone), to the second. */
export function toLocalTime(ms: number): string {
  const t = new Date(Math.floor(ms / 1000) * 1000 + 8 * 3600_000);
  return `${String(t.getUTCFullYear()).padStart(4, '0')}${p2(t.getUTCMonth() + 1)}${p2(t.getUTCDate())}${p2(t.getUTCHours())}${p2(t.getUTCMinutes())}${p2(t.getUTCSeconds())}`;
}

/** `YYYY-MM` → billing's `yyyyMM`. */
export function toWireMonth(period: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(period);
  if (!m) throw new RangeError(`not a period YYYY-MM: ${period}`);
  return m[1]! + m[2]!;
}
