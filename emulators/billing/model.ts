import { hash, Rng } from '../shared/hash.js';
import { MAX_ACCOUNTS, type Account, type Customer, type Line, type World } from '../shared/world.js';
import { BillingStream, Ledger } from './ledger.js';
import { Usage } from './usage.js';

/**
 * The billing system's records and business rules (contract §1): look-ups by every key, access
 * scope, balances, the write overlay of `AdjustBalance` and its idempotency log, batch limits and
 * the `billRun` window. Bills and payments live in {@link Ledger}, usage in {@link Usage}.
 * Everything is derived from the world and the clock; only writes are stored.
 */

/** contract §1: batch sizes, and the page size of the paged queries. */
export const LIMITS = {
  batchCustomerInfo: 100,
  batchBalance: 50,
  /** `FetchRowNum` above this is cut to it (the answer says so in its own `FetchRowNum`). */
  fetchRowMax: 200,
  /** `FetchRowNum` when the request has none. */
  fetchRowDefault: 20,
} as const;

/** The nightly bill run (contract §1 window `billRun`). */
export const BILL_RUN_WINDOW = 'billRun';
/** What `RetryAfter` says during the bill run, in seconds. */
export const BILL_RUN_RETRY_AFTER_SECONDS = 300;
/** The bill and balance operations the bill run refuses; customer info, payments, CDRs and QueryTransaction keep working. */
const BILL_RUN_OPERATIONS: ReadonlySet<string> = new Set(['QueryBalance', 'BatchQueryBalance', 'QueryBillList', 'AdjustBalance']);

/** The caller's access scope (`ProvinceCode`/`RegionCode`); an empty string means all. */
export interface Scope {
  readonly province: string;
  readonly region: string;
}

export type KeyKind = 'ServiceNumber' | 'CustKey' | 'CrmCustId' | 'AcctKey';
export const KEY_KINDS: readonly KeyKind[] = ['ServiceNumber', 'CustKey', 'CrmCustId', 'AcctKey'];

/** A look-up: the record, or why not (ResultCode 102 or 103). */
export type Lookup<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly result: 'notFound' | 'noPermission' };

export type BalanceType = 'MAIN' | 'DEPOSIT' | 'BONUS';

export interface Balances {
  readonly balances: readonly { readonly type: BalanceType; readonly amount: number }[];
  /** contract §1: a string on the wire; "0" for prepaid. */
  readonly creditLimit: string;
}

export interface CustomerView {
  readonly customer: Customer;
  readonly accounts: readonly Account[];
  readonly lines: readonly Line[];
}

/** One processed `AdjustBalance`, kept for `QueryTransaction` and duplicate detection. */
export interface Transaction {
  readonly messageSeq: string;
  readonly businessCode: 'AdjustBalance';
  /** The result the call answered: `0` when applied, else why not (102, 103, 104). */
  readonly result: 'ok' | 'notFound' | 'noPermission' | 'blocked';
  /** The AcctKey as the caller sent it. */
  readonly acctKey: string;
  readonly amount: number;
  readonly reason: string;
  readonly at: number;
  /** MAIN after the adjustment, when applied. */
  readonly newBalance: number | null;
}

export class BillingModel {
  readonly ledger: Ledger;
  readonly usage: Usage;
  /** The write overlay: fen added to an account's MAIN balance, by AcctKey (no prefix). */
  private adjustments = new Map<string, number>();
  /** Every processed AdjustBalance by MessageSeq. Grows with writes only. */
  private transactions = new Map<string, Transaction>();

  constructor(private readonly world: World) {
    this.ledger = new Ledger(world);
    this.usage = new Usage(world);
  }

  /** Forgets every write (`POST /__emulator/reset`). */
  reset(): void {
    this.adjustments = new Map();
    this.transactions = new Map();
  }

  // ---------------------------------------------------------------- look-ups and scope

  /** The customer a key of a kind names, or -1. AcctKey may carry the `PRE-` prefix. */
  customerIndex(kind: KeyKind, key: string): number {
    switch (kind) {
      case 'ServiceNumber':
        return this.world.line(key)?.customer ?? -1;
      case 'CustKey':
        return this.world.customerIndexByCustKey(key);
      case 'CrmCustId':
        return this.world.customerIndexById(key);
      case 'AcctKey':
        return this.world.account(key)?.customer ?? -1;
    }
  }

  /** contract §1: a record outside ProvinceCode/RegionCode answers 103; empty means all. */
  inScope(customer: number, scope: Scope): boolean {
    if (!scope.province && !scope.region) return true;
    const c = this.world.customer(customer);
    return (!scope.province || scope.province === c.province) && (!scope.region || scope.region === c.localNetwork);
  }

  private scoped<T>(value: T | undefined, customer: number, scope: Scope): Lookup<T> {
    if (value === undefined || customer < 0) return { ok: false, result: 'notFound' };
    if (!this.inScope(customer, scope)) return { ok: false, result: 'noPermission' };
    return { ok: true, value };
  }

  findCustomer(kind: KeyKind, key: string, scope: Scope): Lookup<CustomerView> {
    const i = this.customerIndex(kind, key);
    if (i < 0) return { ok: false, result: 'notFound' };
    if (!this.inScope(i, scope)) return { ok: false, result: 'noPermission' };
    return { ok: true, value: this.customerView(i) };
  }

  findAccount(key: string, scope: Scope): Lookup<Account> {
    const a = this.world.account(key);
    return this.scoped(a, a?.customer ?? -1, scope);
  }

  findLine(serviceNumber: string, scope: Scope): Lookup<Line> {
    const l = this.world.line(serviceNumber);
    return this.scoped(l, l?.customer ?? -1, scope);
  }

  customerView(i: number): CustomerView {
    return { customer: this.world.customer(i), accounts: this.world.accounts(i), lines: this.world.lines(i) };
  }

  // ---------------------------------------------------------------- balances

  /**
   * An account's balances at `now`, in fen. Prepaid: MAIN credit (rarely a little negative:
   * emergency credit), BONUS for some. Postpaid: MAIN = −(remainders of unpaid bills), DEPOSIT
   * for some. `AdjustBalance` writes add to MAIN.
   */
  balances(account: Account, now: number): Balances {
    const rng = new Rng(hash(this.world.seed, BillingStream.Balance, account.customer * MAX_ACCOUNTS + account.slot));
    const credit = rng.chance(0.05) ? 0 : rng.chance(0.03) ? -rng.int(100, 2000) : rng.int(100, 30_000);
    const bonus = rng.chance(0.3) ? rng.int(5, 100) * 100 : 0;
    const deposit = rng.chance(0.25) ? rng.pick([10_000, 20_000, 50_000, 100_000]) : 0;
    const delta = this.adjustments.get(account.key) ?? 0;
    const out: { type: BalanceType; amount: number }[] = [];
    if (account.type === 'PREPAID') {
      // A closed prepaid account was refunded: nothing left.
      const closed = account.status === 'Closed';
      out.push({ type: 'MAIN', amount: (closed ? 0 : credit) + delta });
      if (bonus > 0 && !closed) out.push({ type: 'BONUS', amount: bonus });
    } else {
      out.push({ type: 'MAIN', amount: delta - this.ledger.unpaidFen(account, now) });
      if (deposit > 0) out.push({ type: 'DEPOSIT', amount: deposit });
    }
    return { balances: out, creditLimit: String(account.creditLimitFen) };
  }

  mainBalance(account: Account, now: number): number {
    return this.balances(account, now).balances[0]!.amount;
  }

  // ---------------------------------------------------------------- writes and idempotency

  /** Whether a MessageSeq was already processed by a write. */
  hasTransaction(messageSeq: string): boolean {
    return this.transactions.has(messageSeq);
  }

  transaction(messageSeq: string): Transaction | undefined {
    return this.transactions.get(messageSeq);
  }

  /** contract §1 ResultCode 104: this system refuses adjustments on a Closed account. */
  adjustBlocked(account: Account): boolean {
    return account.status === 'Closed';
  }

  /**
   * Processes an `AdjustBalance` once: looks the account up in scope, applies the signed amount
   * to MAIN unless blocked, and records the outcome under its MessageSeq (applied or not) so
   * that a repeat is refused and `QueryTransaction` can tell what happened.
   */
  adjust(messageSeq: string, acctKey: string, amount: number, reason: string, scope: Scope, now: number): Transaction {
    const found = this.findAccount(acctKey, scope);
    let result: Transaction['result'];
    let newBalance: number | null = null;
    if (!found.ok) result = found.result;
    else if (this.adjustBlocked(found.value)) result = 'blocked';
    else {
      const key = found.value.key;
      this.adjustments.set(key, (this.adjustments.get(key) ?? 0) + amount);
      newBalance = this.mainBalance(found.value, now);
      result = 'ok';
    }
    const t: Transaction = { messageSeq, businessCode: 'AdjustBalance', result, acctKey, amount, reason, at: now, newBalance };
    this.transactions.set(messageSeq, t);
    return t;
  }

  // ---------------------------------------------------------------- windows

  /** Whether the current window refuses an operation (answered 2001 with RetryAfter). */
  refusedByWindow(window: string, operation: string): boolean {
    return window === BILL_RUN_WINDOW && BILL_RUN_OPERATIONS.has(operation);
  }
}
