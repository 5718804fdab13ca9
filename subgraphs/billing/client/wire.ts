/**
 * Billing's answers exactly as the system sends them (docs/legacy-systems/billing.md), after
 * `soap.ts` has parsed the XML: element local names as keys (namespace prefixes dropped), every
 * value a string (digits stay text: a leading zero or an 18-digit id must not become a number),
 * an empty element `null`, and the elements that can repeat always arrays ({@link REPEATED}) —
 * a list of one is a single element on the wire and no element at all when empty.
 *
 * Nothing here is trusted: `normalize.ts` checks every field it uses. Fields are therefore typed
 * optional and nullable as the wire allows.
 */

/** Text of a leaf element: `null` when the element is empty (`<IMSI/>`), absent when missing. */
export type Text = string | null | undefined;

/**
 * legacy-contracts §1 "a list of one element is not wrapped": the elements that may repeat, parsed
 * as arrays always.
 */
export const REPEATED: ReadonlySet<string> = new Set([
  'CustomerInfo',
  'Account',
  'Subscriber',
  'BalanceInfo',
  'Balance',
  'BillInfo',
  'PaymentInfo',
  'CDRInfo',
]);

/** `ResultHeader` of every `{Op}ResultMsg`. */
export interface WireResultHeader {
  readonly Version?: Text;
  /** `"0"` success; `102`, `103`, `104`, `1010`, `2001`. */
  readonly ResultCode?: Text;
  readonly ResultDesc?: Text;
  /** Echo of the request's MessageSeq. */
  readonly MessageSeq?: Text;
  /** Seconds, during the bill run (ResultCode 2001). */
  readonly RetryAfter?: Text;
}

export interface WireCustomer {
  readonly CustKey?: Text;
  readonly CrmCustId?: Text;
  /** Chinese; GB18030 bytes behind the GBK label. */
  readonly CustName?: Text;
  readonly ProvinceCode?: Text;
  readonly RegionCode?: Text;
}

export interface WireAccount {
  /** `PRE-3326324374` for a prepaid account here. */
  readonly AcctKey?: Text;
  /** `PREPAID` | `POSTPAID`. */
  readonly PaymentType?: Text;
  /** `Active` | `Suspended` | `Closed`. */
  readonly Status?: Text;
  /** A postpaid group account, or empty. */
  readonly ParentAcctKey?: Text;
}

export interface WireSubscriber {
  readonly ServiceNumber?: Text;
  /** `MOBILE` | `BROADBAND` | `FIXED` | `LEASED_LINE`. */
  readonly ServiceType?: Text;
  /** Mobile only, else empty. */
  readonly IMSI?: Text;
  readonly ICCID?: Text;
  readonly ProductName?: Text;
  /** TMF637 in camelCase: `created`, `pendingActive`, `active`, `suspended`, `pendingTerminate`, `terminated`. */
  readonly Status?: Text;
  /** `yyyyMMddHHmmss` local; empty while `created` or `pendingActive`. */
  readonly ActiveTime?: Text;
  /** Without the `PRE-` prefix here. */
  readonly AcctKey?: Text;
}

/** What `QueryCustomerInfo` answers, and a `CustomerInfo` of the batch holds when its code is 0. */
export interface WireCustomerContent {
  readonly Customer?: WireCustomer | null;
  readonly Account?: readonly WireAccount[];
  readonly Subscriber?: readonly WireSubscriber[];
}

/** Per-key results of the batch operations carry their own code. */
export interface WireItemStatus {
  /** The key as we sent it. */
  readonly Key?: Text;
  readonly ResultCode?: Text;
  readonly ResultDesc?: Text;
}

export interface WireCustomerInfo extends WireItemStatus, WireCustomerContent {}

export interface WireBatchQueryCustomerInfoResult {
  readonly CustomerInfo?: readonly WireCustomerInfo[];
}

export interface WireBalance {
  /** `MAIN` (always first) | `DEPOSIT` | `BONUS`. */
  readonly BalanceType?: Text;
  /** Signed integer fen. */
  readonly Amount?: Text;
}

export interface WireBalanceInfo extends WireItemStatus {
  /** With `PRE-` for a prepaid account here. */
  readonly AcctKey?: Text;
  readonly Balance?: readonly WireBalance[];
  /** A string of fen; `"0"` for prepaid. */
  readonly CreditLimit?: Text;
}

export interface WireBatchQueryBalanceResult {
  readonly BalanceInfo?: readonly WireBalanceInfo[];
}

/** The paging fields that open every paged answer. */
export interface WirePageHeader {
  readonly TotalRowNum?: Text;
  readonly BeginRowNum?: Text;
  /** The page size used (a request above 200 is cut to 200). */
  readonly FetchRowNum?: Text;
}

export interface WireBillInfo {
  /** `BillCycle` + AcctKey, 16 digits. */
  readonly BillNo?: Text;
  /** `yyyyMM`. */
  readonly BillCycle?: Text;
  readonly BillDate?: Text;
  readonly DueDate?: Text;
  readonly AmountDue?: Text;
  readonly Remaining?: Text;
  /** TMF678 camelCase: `new`, `onHold`, `validated`, `sent`, `settled`, `partiallyPaid`. */
  readonly Status?: Text;
}

export interface WireQueryBillListResult extends WirePageHeader {
  readonly BillInfo?: readonly WireBillInfo[];
}

export interface WirePaymentInfo {
  readonly PaymentId?: Text;
  readonly PayTime?: Text;
  readonly Amount?: Text;
  /** `Counter` | `Online` | `Bank` | `Agent`. */
  readonly Channel?: Text;
  /** `Cash` | `Card` | `Alipay` | `WeChat` | `BankTransfer`. */
  readonly PayMethod?: Text;
}

export interface WireQueryPaymentLogResult extends WirePageHeader {
  readonly PaymentInfo?: readonly WirePaymentInfo[];
}

export interface WireCdrInfo {
  /** `VOICE` | `SMS` | `DATA`. */
  readonly CdrType?: Text;
  /** `yyyyMMdd`. */
  readonly dateOfEvent?: Text;
  /** `HHmmss`. */
  readonly timeOfEvent?: Text;
  /** A string of seconds (`0` for SMS). */
  readonly duration?: Text;
  /** The misspelt duplicate of `duration`: present, same value, ignored. */
  readonly duraction?: Text;
  /** Bytes, DATA only. */
  readonly Volume?: Text;
  /** The other party (VOICE/SMS). */
  readonly CalledNumber?: Text;
  /** Fen. */
  readonly Charge?: Text;
}

export interface WireQueryCdrResult extends WirePageHeader {
  readonly CDRInfo?: readonly WireCdrInfo[];
}

/** SOAP 1.1 fault (HTTP 500). `faultcode` is `prefix:Server` or `prefix:Client`, the prefix varies. */
export interface WireFault {
  readonly faultcode?: Text;
  readonly faultstring?: Text;
  readonly detail?: { readonly ErrorCode?: Text } | null;
}
