import type { AccountBalances, AccountType, Bill, BillingCustomer, Payment, UsageRecord } from '../../../subgraphs/billing/domain.js';
import { FakeBillingClient } from '../../../subgraphs/billing/client/FakeBillingClient.js';
import { moneyFromFen } from '../../../subgraphs/billing/money.js';

/**
 * Domain records for resolver and loader tests, made from a number: customer `n` has CRM id
 * `1-C0000n`, accounts `33…` and lines `139…`, all distinct across customers.
 */

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/** "Now" of these tests: 24 November 2026, 10:00 in Shanghai. */
export const NOW = Date.parse('2026-11-24T10:00:00+08:00');

export const customerId = (n: number) => `1-C${pad(n, 5)}`;
export const accountNumber = (n: number, k: number) => `33${pad(n * 3 + k, 8)}`;
export const serviceNumber = (n: number, k: number) => `139${pad(n * 5 + k, 8)}`;

export interface CustomerShape {
  /** Account types, one per account (default one POSTPAID). */
  accounts?: AccountType[];
  /** Lines, each charged to account `acct` (index), with a TMF637 status (default ACTIVE). */
  lines?: { acct: number; status?: BillingCustomer['serviceLines'][number]['status'] }[];
  /** A parent account (another customer's) for account 0. */
  parent?: string;
}

export function makeCustomer(n: number, shape: CustomerShape = {}): BillingCustomer {
  const id = customerId(n);
  const types = shape.accounts ?? ['POSTPAID'];
  const lines = shape.lines ?? [{ acct: 0 }];
  return {
    id,
    custKey: `88${pad(n, 8)}`,
    name: '钟翔文',
    province: 'GD',
    localNetwork: 'SZ',
    accounts: types.map((type, k) => ({
      accountNumber: accountNumber(n, k),
      type,
      state: 'ACTIVE',
      parentAccountNumber: k === 0 && shape.parent ? shape.parent : null,
      customerId: id,
    })),
    serviceLines: lines.map((l, k) => ({
      serviceNumber: serviceNumber(n, k),
      kind: 'MOBILE',
      productName: '全球通 128 元套餐',
      status: l.status ?? 'ACTIVE',
      activatedAt: '2012-10-06T02:24:26+08:00',
      imsi: `4600076211${pad(n * 5 + k, 5)}`,
      iccid: `8986007621134${pad(n * 5 + k, 7)}`,
      accountNumber: accountNumber(n, l.acct),
      customerId: id,
    })),
  };
}

/** MAIN = −(100·n + k) fen for postpaid, +(1000·n + k) for prepaid; a credit limit of 500.00 / 0.00. */
export function balancesOf(c: BillingCustomer): AccountBalances[] {
  return c.accounts.map((a, k) => {
    const n = Number(c.id.slice(3));
    const main = a.type === 'POSTPAID' ? -(100 * n + k) : 1000 * n + k;
    return {
      accountNumber: a.accountNumber,
      balances: [
        { type: 'MAIN', amount: moneyFromFen(BigInt(main)) },
        ...(a.type === 'POSTPAID' ? [{ type: 'DEPOSIT' as const, amount: moneyFromFen(10_000n) }] : []),
      ],
      creditLimit: moneyFromFen(a.type === 'POSTPAID' ? 50_000n : 0n),
    };
  });
}

/** Monthly bills from `fromCycle` (yyyyMM) up to October 2026, newest first, `amountFen` each. */
export function billsFor(account: string, amountFen: number, fromCycle = 202401): Bill[] {
  const out: Bill[] = [];
  for (let y = 2026, m = 10; y * 100 + m >= fromCycle; m === 1 ? ((m = 12), y--) : m--) {
    const ym = `${y}${pad(m, 2)}`;
    const next = m === 12 ? `${y + 1}-01` : `${y}-${pad(m + 1, 2)}`;
    out.push({
      billNo: `${ym}${account}`,
      period: `${y}-${pad(m, 2)}`,
      billDate: `${next}-01T00:00:00+08:00`,
      dueDate: `${next}-20T23:59:59+08:00`,
      amountDue: moneyFromFen(BigInt(amountFen)),
      remaining: moneyFromFen(0n),
      state: 'SETTLED',
    });
  }
  return out;
}

/** One payment a month, newest first, from October 2026 back `months` months. */
export function paymentsFor(account: string, months: number): Payment[] {
  return Array.from({ length: months }, (_, k) => {
    const t = new Date(Date.UTC(2026, 9 - k, 11, 3, 34, 53));
    const iso = `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1, 2)}-11T11:34:53+08:00`;
    return { id: `P${t.getUTCFullYear()}${pad(t.getUTCMonth() + 1, 2)}${account.slice(2)}1`, paidAt: iso, amount: moneyFromFen(4352n), channel: 'Online', method: 'WeChat' };
  });
}

/** `n` voice calls on 1 November 2026, one a minute from 08:00, oldest first. */
export function callsOn(n: number): UsageRecord[] {
  return Array.from({ length: n }, (_, k) => ({
    startedAt: `2026-11-01T${pad(8 + Math.floor(k / 60), 2)}:${pad(k % 60, 2)}:00+08:00`,
    type: 'VOICE',
    durationSeconds: 60 + k,
    volumeBytes: null,
    destination: '15277806141',
    charge: moneyFromFen(BigInt(k)),
  }));
}

/** A fake billing with these customers, their balances, and bills/payments/usage as given. */
export function fakeBilling(customers: BillingCustomer[], extra: { bills?: Record<string, Bill[]>; payments?: Record<string, Payment[]>; usage?: Record<string, UsageRecord[]> } = {}) {
  return new FakeBillingClient({ customers, balances: customers.flatMap(balancesOf), ...extra });
}
