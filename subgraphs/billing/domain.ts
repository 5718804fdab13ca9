/**
 * The billing subgraph's domain values: what the BSS knows, in the graph's vocabulary (TMF names
 * for states, money as exact decimals, ISO-8601 times with `+08:00`, account numbers without the
 * `PRE-` prefix, lists that are always lists). `client/normalize.ts` makes them from the wire;
 * loaders and resolvers only ever see these.
 */

/** legacy-contracts §1: billing keeps the bills (and top-ups) of the last 36 cycles. */
export const BILL_HISTORY_CYCLES = 36;
/** legacy-contracts §1: usage (CDRs) is online for the last 180 local days. */
export const USAGE_RETENTION_DAYS = 180;

export type AccountType = 'PREPAID' | 'POSTPAID';
export type AccountState = 'ACTIVE' | 'SUSPENDED' | 'CLOSED';
export type BalanceType = 'MAIN' | 'DEPOSIT' | 'BONUS';
/** TMF678 customer-bill states. */
export type BillState = 'NEW' | 'ON_HOLD' | 'VALIDATED' | 'SENT' | 'SETTLED' | 'PARTIALLY_PAID';
export type ServiceKind = 'MOBILE' | 'BROADBAND' | 'FIXED' | 'LEASED_LINE';
/** TMF637 product states. */
export type ProductStatus = 'CREATED' | 'PENDING_ACTIVE' | 'ACTIVE' | 'SUSPENDED' | 'PENDING_TERMINATE' | 'TERMINATED' | 'CANCELLED' | 'ABORTED';
export type UsageType = 'VOICE' | 'SMS' | 'DATA';

/**
 * An exact amount: `amount` is the decimal string the schema serves (`"-123.45"`), `fen` the same
 * value as a whole number of 1/100 CNY for arithmetic (sums, averages) without floating point.
 */
export interface Money {
  readonly amount: string;
  readonly currency: 'CNY';
  readonly fen: bigint;
}

/** A customer as billing knows it, with all its accounts and lines (billing's list is the truth). */
export interface BillingCustomer {
  /** The CRM Row Id (billing `CrmCustId`): the graph's `Customer.id`. */
  readonly id: string;
  /** Billing's own customer key (`CustKey`, 10 digits). */
  readonly custKey: string;
  readonly name: string | null;
  readonly province: string | null;
  readonly localNetwork: string | null;
  readonly accounts: readonly BillingAccount[];
  readonly serviceLines: readonly ServiceLine[];
}

export interface BillingAccount {
  /** AcctKey without the `PRE-` prefix. */
  readonly accountNumber: string;
  readonly type: AccountType;
  readonly state: AccountState;
  /** The group account it rolls up to, or null. */
  readonly parentAccountNumber: string | null;
  /** The owning customer's CRM Row Id. */
  readonly customerId: string;
}

export interface ServiceLine {
  readonly serviceNumber: string;
  readonly kind: ServiceKind;
  readonly productName: string | null;
  readonly status: ProductStatus;
  /** Null until the line is activated. */
  readonly activatedAt: string | null;
  readonly imsi: string | null;
  readonly iccid: string | null;
  /** AcctKey of the account it is charged to, without the prefix. */
  readonly accountNumber: string;
  /** The owning customer's CRM Row Id. */
  readonly customerId: string;
}

export interface Balance {
  readonly type: BalanceType;
  readonly amount: Money;
}

/** `QueryBalance` content for one account. */
export interface AccountBalances {
  readonly accountNumber: string;
  /** MAIN first. */
  readonly balances: readonly Balance[];
  /** `0.00` for prepaid accounts. */
  readonly creditLimit: Money;
}

export interface Bill {
  readonly billNo: string;
  /** `YYYY-MM`. */
  readonly period: string;
  readonly billDate: string;
  readonly dueDate: string | null;
  readonly amountDue: Money;
  readonly remaining: Money;
  readonly state: BillState;
}

export interface Payment {
  readonly id: string;
  readonly paidAt: string;
  readonly amount: Money;
  readonly channel: string | null;
  readonly method: string | null;
}

export interface UsageRecord {
  readonly startedAt: string;
  readonly type: UsageType;
  readonly durationSeconds: number | null;
  readonly volumeBytes: number | null;
  readonly destination: string | null;
  readonly charge: Money;
}

/** Rows `offset …` of a paged list, and how many the whole list has. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly total: number;
}

/** What a customer look-up can be keyed by (one loader per kind). */
export type CustomerKeyKind = 'ServiceNumber' | 'CrmCustId' | 'AcctKey';

/** A billing month, `YYYY-MM`, both bounds inclusive. */
export interface PeriodRange {
  readonly from: string;
  readonly to: string;
}
