import { BillingModel } from '../../../emulators/billing/model.js';
import { GB18030_ONLY } from '../../../emulators/shared/names.js';
import type { Account, Line } from '../../../emulators/shared/world.js';
import { TEST_NOW, testWorld } from '../../helpers/emulators.js';

/** Customers, accounts and lines of the test world with the traits the billing tests need. */

export const NOW = Date.parse(TEST_NOW);
const world = testWorld;
/** Used only to pick subjects (e.g. an account that owes money), never to compute expectations of a test. */
const model = new BillingModel(world);

function first<T>(pick: (i: number) => T | undefined): T {
  for (let i = 0; i < world.customerCount; i++) {
    const v = pick(i);
    if (v !== undefined) return v;
  }
  throw new Error('no such subject in the test world');
}

const allAccounts = (i: number) => world.accounts(i);

export const subjects = {
  /** A customer with a prepaid account, at least two accounts and two lines. */
  prepaidCustomer: first((i) => {
    const accts = allAccounts(i);
    return accts.length >= 2 && world.lines(i).length >= 2 && accts.some((a) => a.type === 'PREPAID') && accts[0]!.status === 'Active' ? i : undefined;
  }),
  /** A customer with one account and one line (lists of one are not wrapped). */
  singleCustomer: first((i) => (allAccounts(i).length === 1 && world.lines(i).length === 1 ? i : undefined)),
  /** A customer whose name has a character that exists only in GB18030. */
  rareNameCustomer: first((i) => ([...world.customer(i).name].some((ch) => GB18030_ONLY.includes(ch)) ? i : undefined)),
  /** A long-standing postpaid account that owes money (unpaid bills at TEST_NOW). */
  owingAccount: first<Account>((i) =>
    allAccounts(i).find((a) => a.type === 'POSTPAID' && a.status === 'Active' && a.createdAt < Date.parse('2022-01-01') && model.ledger.unpaidFen(a, NOW) > 0),
  ),
  /** A postpaid account with lines, created recently (fewer than 36 bills). */
  youngPostpaid: first<Account>((i) =>
    allAccounts(i).find(
      (a) => a.type === 'POSTPAID' && a.status === 'Active' && a.createdAt > Date.parse('2024-06-01') && world.lines(i).some((l) => l.accountKey === a.key),
    ),
  ),
  prepaidAccount: first<Account>((i) => allAccounts(i).find((a) => a.type === 'PREPAID' && a.status === 'Active' && a.createdAt < Date.parse('2022-01-01'))),
  closedAccount: first<Account>((i) => allAccounts(i).find((a) => a.status === 'Closed')),
  groupMemberAccount: first<Account>((i) => allAccounts(i).find((a) => a.parentKey !== null)),
  /** An active mobile line in service for years. */
  mobileLine: first<Line>((i) => world.lines(i).find((l) => l.kind === 'MOBILE' && l.status === 'active' && l.activatedAt < Date.parse('2024-01-01'))),
  broadbandLine: first<Line>((i) => world.lines(i).find((l) => l.kind === 'BROADBAND' && l.status === 'active' && l.activatedAt < Date.parse('2024-01-01'))),
  leasedLine: first<Line>((i) => world.lines(i).find((l) => l.kind === 'LEASED_LINE')),
};

/** Up to `n` accounts of the world, in index order, from customer `from`. */
export function someAccounts(n: number, from = 0): Account[] {
  const out: Account[] = [];
  for (let i = from; out.length < n; i++) out.push(...world.accounts(i));
  return out.slice(0, n);
}

/** A customer outside province `p`, and one inside it. */
export function customerIn(province: string, other = false): number {
  return first((i) => ((world.customer(i).province === province) !== other ? i : undefined));
}
