import { ProductError } from '../../../lib/errors.js';
import type { AccountBalances, Bill, BillingCustomer, CustomerKeyKind, Page, Payment, PeriodRange, UsageRecord } from '../domain.js';
import { BALANCE_BATCH_LIMIT, CUSTOMER_BATCH_LIMIT, type BillingClient } from './BillingClient.js';

/**
 * An in-memory {@link BillingClient} for resolver and loader tests: it answers from the records
 * it was given, keeps billing's semantics (unknown keys → null, batch limits enforced, bills
 * newest first, usage oldest first) and records every call, so a test can count legacy calls and
 * see their keys. Failures are injected per method or per key.
 */

export type FakeMethod = keyof BillingClient;

export interface FakeCall {
  readonly method: FakeMethod;
  /** The keys of a batch call, or the one account/service number of a paged call. */
  readonly keys: readonly string[];
  /** `customers` only: which kind of key. */
  readonly kind?: CustomerKeyKind;
  /** The rest of the arguments of a paged call. */
  readonly options?: unknown;
}

export interface FakeBillingData {
  readonly customers?: readonly BillingCustomer[];
  /** By account number (no `PRE-`). */
  readonly balances?: readonly AccountBalances[];
  /** By account number: every bill, newest first. */
  readonly bills?: Readonly<Record<string, readonly Bill[]>>;
  /** By account number: every payment, newest first. */
  readonly payments?: Readonly<Record<string, readonly Payment[]>>;
  /** By service number: every record, oldest first. */
  readonly usage?: Readonly<Record<string, readonly UsageRecord[]>>;
}

export class FakeBillingClient implements BillingClient {
  readonly calls: FakeCall[] = [];
  /** A method set here fails as a whole with this error. */
  readonly failures: Partial<Record<FakeMethod, ProductError>> = {};
  /** Keys answered with this error alone (e.g. ResultCode 103 → FORBIDDEN for one key). */
  readonly keyFailures = new Map<string, ProductError>();

  private readonly customerList: BillingCustomer[];
  private readonly balanceByAccount: Map<string, AccountBalances>;

  constructor(private readonly data: FakeBillingData = {}) {
    this.customerList = [...(data.customers ?? [])];
    this.balanceByAccount = new Map((data.balances ?? []).map((b) => [b.accountNumber, b]));
  }

  /** How many calls a method received. */
  count(method: FakeMethod): number {
    return this.calls.filter((c) => c.method === method).length;
  }

  /** The calls of one method. */
  callsOf(method: FakeMethod): FakeCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  reset(): void {
    this.calls.length = 0;
  }

  private begin(call: FakeCall): void {
    this.calls.push(call);
    const failure = this.failures[call.method];
    if (failure) throw failure;
  }

  async customers(kind: CustomerKeyKind, keys: readonly string[]): Promise<(BillingCustomer | null | ProductError)[]> {
    this.begin({ method: 'customers', kind, keys: [...keys] });
    if (keys.length > CUSTOMER_BATCH_LIMIT) throw new ProductError('INTERNAL_SERVER_ERROR', 'billing', `fake: ${keys.length} keys exceed the batch limit of ${CUSTOMER_BATCH_LIMIT} (ResultCode 1010)`);
    return keys.map((key) => this.keyFailures.get(key) ?? this.customerBy(kind, key) ?? null);
  }

  private customerBy(kind: CustomerKeyKind, key: string): BillingCustomer | undefined {
    const account = key.replace(/^PRE-/, '');
    return this.customerList.find((c) =>
      kind === 'CrmCustId'
        ? c.id === key
        : kind === 'ServiceNumber'
          ? c.serviceLines.some((l) => l.serviceNumber === key)
          : c.accounts.some((a) => a.accountNumber === account),
    );
  }

  async balances(accountNumbers: readonly string[]): Promise<(AccountBalances | null | ProductError)[]> {
    this.begin({ method: 'balances', keys: [...accountNumbers] });
    if (accountNumbers.length > BALANCE_BATCH_LIMIT) throw new ProductError('INTERNAL_SERVER_ERROR', 'billing', `fake: ${accountNumbers.length} keys exceed the batch limit of ${BALANCE_BATCH_LIMIT} (ResultCode 1010)`);
    return accountNumbers.map((key) => this.keyFailures.get(key) ?? this.balanceByAccount.get(key.replace(/^PRE-/, '')) ?? null);
  }

  async bills(accountNumber: string, periods: PeriodRange): Promise<Bill[] | null> {
    this.begin({ method: 'bills', keys: [accountNumber], options: periods });
    const failure = this.keyFailures.get(accountNumber);
    if (failure) throw failure;
    if (!this.knowsAccount(accountNumber)) return null;
    return (this.data.bills?.[accountNumber] ?? []).filter((b) => b.period >= periods.from && b.period <= periods.to);
  }

  async payments(accountNumber: string, options: { since: number; count: number }): Promise<Payment[] | null> {
    this.begin({ method: 'payments', keys: [accountNumber], options });
    const failure = this.keyFailures.get(accountNumber);
    if (failure) throw failure;
    if (!this.knowsAccount(accountNumber)) return null;
    return (this.data.payments?.[accountNumber] ?? []).filter((p) => Date.parse(p.paidAt) >= options.since).slice(0, options.count);
  }

  async usage(serviceNumber: string, options: { from: number; to: number; offset: number; count: number }): Promise<Page<UsageRecord> | null> {
    this.begin({ method: 'usage', keys: [serviceNumber], options });
    const failure = this.keyFailures.get(serviceNumber);
    if (failure) throw failure;
    if (!this.customerBy('ServiceNumber', serviceNumber)) return null;
    const from = Math.floor(options.from / 1000) * 1000;
    const to = Math.floor(options.to / 1000) * 1000;
    const all = (this.data.usage?.[serviceNumber] ?? []).filter((r) => Date.parse(r.startedAt) >= from && Date.parse(r.startedAt) <= to);
    return { items: all.slice(options.offset, options.offset + options.count), total: all.length };
  }

  private knowsAccount(accountNumber: string): boolean {
    return this.customerBy('AcctKey', accountNumber) !== undefined;
  }
}
