import DataLoader from 'dataloader';
import type { ProductError } from '../../lib/errors.js';
import { staleIfError, type StaleContext } from '../shared/staleCache.js';
import { rememberedOrLoad, remember, type MemoryContext } from '../shared/requestMemory.js';
import { lastCycles, twelveMonthsBefore } from './calendar.js';
import { BALANCE_BATCH_LIMIT, CUSTOMER_BATCH_LIMIT, type BillingClient } from './client/BillingClient.js';
import type { AccountBalances, Bill, BillingCustomer, CustomerKeyKind, Page, Payment, UsageRecord } from './domain.js';
import { normalizeAccountNumber, normalizeCustomerId, normalizeServiceNumber } from './keys.js';

/**
 * Per-request DataLoaders in front of every billing read (design.md, "Performance principles"):
 * batch endpoints at billing's limits, one read per thing per request, keys normalised (`PRE-`
 * stripped, service numbers upper-cased) so that the same thing asked two ways is read once.
 */

export interface LoaderOptions {
  /** The clock bills and payments are counted from ("the last N cycles", "the last 12 months"). @default Date.now */
  readonly now?: () => number;
  /** Keys per `BatchQueryCustomerInfo`. @default 100 (billing's limit) */
  readonly customerBatchSize?: number;
  /** Keys per `BatchQueryBalance`. @default 50 (billing's limit) */
  readonly balanceBatchSize?: number;
  /** Stale-if-error for customers and balances (subgraphs/shared/staleCache.ts). @default none */
  readonly stale?: StaleContext | undefined;
  /** What this gateway request already read in its earlier fetches (subgraphs/shared/requestMemory.ts). @default none */
  readonly memory?: MemoryContext | undefined;
}

/** `bills(last)` of one account: the bills of the `last` most recent cycles. */
export interface BillsKey {
  readonly accountNumber: string;
  readonly last: number;
}

/** `payments(first)` of one account: its `first` newest payments of the last 12 months. */
export interface PaymentsKey {
  readonly accountNumber: string;
  readonly first: number;
}

/** One page of a line's usage: `count` records from `offset` between `from` and `to` (epoch ms). */
export interface UsageKey {
  readonly serviceNumber: string;
  readonly from: number;
  readonly to: number;
  readonly offset: number;
  readonly count: number;
}

export interface Loaders {
  /** `BatchQueryCustomerInfo` by `ServiceNumber` (≤ 100 per call). */
  readonly customerByServiceNumber: DataLoader<string, BillingCustomer | null>;
  /** `BatchQueryCustomerInfo` by `CrmCustId` (≤ 100 per call). */
  readonly customerById: DataLoader<string, BillingCustomer | null>;
  /** `BatchQueryCustomerInfo` by `AcctKey` (≤ 100 per call), with or without `PRE-`. */
  readonly customerByAccount: DataLoader<string, BillingCustomer | null>;
  /** `BatchQueryBalance` (≤ 50 per call). */
  readonly balances: DataLoader<string, AccountBalances | null>;
  /** `QueryBillList`, one call per account (all pages), whatever the `last`s asked of it. */
  readonly bills: DataLoader<BillsKey, Bill[] | null, string>;
  /** `QueryPaymentLog`, one call per account (as many pages as the largest `first`). */
  readonly payments: DataLoader<PaymentsKey, Payment[] | null, string>;
  /** `QueryCDR`, one call per distinct page. */
  readonly usage: DataLoader<UsageKey, Page<UsageRecord> | null, string>;
  /** This request's "now" (one instant for the whole request). */
  readonly now: number;
}

type Loaded<T> = T | null | ProductError | Error;

const stripPrefix = (key: string) => normalizeAccountNumber(key) ?? key.trim();

/** Groups keys by a property, keeping each key's position. */
function groupBy<K, G>(keys: readonly K[], group: (k: K) => G): Map<G, number[]> {
  const out = new Map<G, number[]>();
  keys.forEach((k, i) => {
    const g = group(k);
    const list = out.get(g);
    if (list) list.push(i);
    else out.set(g, [i]);
  });
  return out;
}

/**
 * One call per group (an account), in parallel; each group's outcome answers its own keys, so one
 * account's failure fails only the fields that asked about it.
 */
async function perGroup<K, G, R, V>(keys: readonly K[], group: (k: K) => G, fetch: (g: G, members: K[]) => Promise<R>, answer: (result: R, key: K) => V): Promise<Loaded<V>[]> {
  const groups = groupBy(keys, group);
  const out: Loaded<V>[] = new Array(keys.length);
  await Promise.all(
    [...groups].map(async ([g, positions]) => {
      const members = positions.map((i) => keys[i]!);
      try {
        const result = await fetch(g, members);
        for (const i of positions) out[i] = answer(result, keys[i]!);
      } catch (e) {
        const err = e instanceof Error ? e : new Error(String(e));
        for (const i of positions) out[i] = err;
      }
    }),
  );
  return out;
}

export function createLoaders(client: BillingClient, options: LoaderOptions = {}): Loaders {
  const now = (options.now ?? Date.now)();
  const customerBatch = Math.min(options.customerBatchSize ?? CUSTOMER_BATCH_LIMIT, CUSTOMER_BATCH_LIMIT);
  const balanceBatch = Math.min(options.balanceBatchSize ?? BALANCE_BATCH_LIMIT, BALANCE_BATCH_LIMIT);

  const normalizers: Record<CustomerKeyKind, (key: string) => string> = {
    ServiceNumber: (k) => normalizeServiceNumber(k) ?? k.trim(),
    CrmCustId: (k) => normalizeCustomerId(k) ?? k.trim(),
    AcctKey: stripPrefix,
  };

  // Filled right below: each customer loader primes the others with what it learnt.
  const byKind = {} as Record<CustomerKeyKind, DataLoader<string, BillingCustomer | null>>;

  /**
   * A customer answers every key it has: its CRM id, each of its lines' numbers and each of its
   * accounts. Once one batch has read it, resolving a line's customer or an account's lines costs
   * nothing more.
   */
  const prime = (c: BillingCustomer) => {
    byKind.CrmCustId.prime(c.id, c);
    for (const l of c.serviceLines) byKind.ServiceNumber.prime(l.serviceNumber, c);
    for (const a of c.accounts) byKind.AcctKey.prime(a.accountNumber, c);
    // The same for this gateway request's later fetches (subgraphs/shared/requestMemory.ts).
    if (!options.memory) return;
    remember(options.memory, 'Customer:CrmCustId', c.id, c);
    for (const l of c.serviceLines) remember(options.memory, 'Customer:ServiceNumber', l.serviceNumber, c);
    for (const a of c.accounts) remember(options.memory, 'Customer:AcctKey', a.accountNumber, c);
  };

  const customerLoader = (kind: CustomerKeyKind) =>
    new DataLoader<string, BillingCustomer | null>(
      async (keys) => {
        const normalized = keys.map((k) => normalizers[kind](k));
        // A customer this gateway request read in an earlier fetch (by any of its keys) is not read again.
        const answers = await rememberedOrLoad(options.memory, options.stale, 'Customer', normalized, (missing) => client.customers(kind, missing), `Customer:${kind}`);
        for (const a of answers) if (a !== null && !(a instanceof Error)) prime(a);
        return answers;
      },
      { maxBatchSize: customerBatch, cacheKeyFn: normalizers[kind] },
    );
  byKind.ServiceNumber = customerLoader('ServiceNumber');
  byKind.CrmCustId = customerLoader('CrmCustId');
  byKind.AcctKey = customerLoader('AcctKey');

  const balances = new DataLoader<string, AccountBalances | null>(
    (keys) => {
      const accounts = keys.map(stripPrefix);
      return staleIfError(options.stale, 'BillingAccount', accounts, () => client.balances(accounts));
    },
    { maxBatchSize: balanceBatch, cacheKeyFn: stripPrefix },
  );

  // bills(last): one QueryBillList per account covering the largest `last` asked in this batch,
  // each key then keeping the cycles of its own window.
  const bills = new DataLoader<BillsKey, Bill[] | null, string>(
    (keys) =>
      perGroup(
        keys,
        (k) => stripPrefix(k.accountNumber),
        (account, members) => client.bills(account, lastCycles(now, Math.max(...members.map((m) => m.last)))),
        (all, key) => {
          if (all === null) return null;
          const from = lastCycles(now, key.last).from;
          return all.filter((b) => b.period >= from).slice(0, key.last);
        },
      ),
    { cacheKeyFn: (k) => `${stripPrefix(k.accountNumber)}|${k.last}` },
  );

  // payments(first): one QueryPaymentLog per account, as many as the largest `first` asked.
  const since = twelveMonthsBefore(now);
  const payments = new DataLoader<PaymentsKey, Payment[] | null, string>(
    (keys) =>
      perGroup(
        keys,
        (k) => stripPrefix(k.accountNumber),
        (account, members) => client.payments(account, { since, count: Math.max(...members.map((m) => m.first)) }),
        (all, key) => (all === null ? null : all.slice(0, key.first)),
      ),
    { cacheKeyFn: (k) => `${stripPrefix(k.accountNumber)}|${k.first}` },
  );

  const usageKey = (k: UsageKey) => `${normalizers.ServiceNumber(k.serviceNumber)}|${k.from}|${k.to}|${k.offset}|${k.count}`;
  const usage = new DataLoader<UsageKey, Page<UsageRecord> | null, string>(
    (keys) =>
      perGroup(
        keys,
        usageKey,
        (_, [k]) => client.usage(normalizers.ServiceNumber(k!.serviceNumber), { from: k!.from, to: k!.to, offset: k!.offset, count: k!.count }),
        (page) => page,
      ),
    { cacheKeyFn: usageKey },
  );

  return {
    customerByServiceNumber: byKind.ServiceNumber,
    customerById: byKind.CrmCustId,
    customerByAccount: byKind.AcctKey,
    balances,
    bills,
    payments,
    usage,
    now,
  };
}
