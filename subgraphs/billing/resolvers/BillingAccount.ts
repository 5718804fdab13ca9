import { badUserInput, ProductError } from '../../../lib/errors.js';
import { checkFirst } from '../../shared/pagination.js';
import { BILL_HISTORY_CYCLES, type BillingAccount as Account } from '../domain.js';
import type { BillingAccountResolvers } from '../generated/resolvers-types.js';
import { normalizeAccountNumber } from '../keys.js';
import type { Context } from '../context.js';
import { loadVisibleCustomer } from '../scope.js';

/**
 * The account with this number, through the customer look-up by AcctKey (free once the customer
 * was read by any key in this request). Billing not knowing an account it referred to itself —
 * an entity reference, a parent — is a data inconsistency: NOT_FOUND. An account whose customer
 * is outside the viewer's region (a group's parent account in another province, say) is FORBIDDEN.
 */
export async function accountByNumber(accountNumber: string, ctx: Context, from: string): Promise<Account> {
  const number = normalizeAccountNumber(accountNumber);
  const customer = number ? await ownerOf(number, ctx) : null;
  const account = customer?.accounts.find((a) => a.accountNumber === number);
  if (!account) throw new ProductError('NOT_FOUND', 'billing', `billing does not know account ${JSON.stringify(accountNumber)} (${from}).`);
  return account;
}

/** The customer who owns an account, scope-checked (scope.ts). */
function ownerOf(accountNumber: string, ctx: Context) {
  return loadVisibleCustomer(ctx, ctx.loaders.customerByAccount, accountNumber, `Account ${accountNumber}`, { accountNumber });
}

export const BillingAccount: BillingAccountResolvers = {
  __resolveReference: (ref, ctx) => accountByNumber(ref.accountNumber, ctx, 'entity reference'),
  accountNumber: (a) => a.accountNumber,
  type: (a) => a.type,
  state: (a) => a.state,
  creditLimit: async (a, _args, ctx) => (await ctx.loaders.balances.load(a.accountNumber))?.creditLimit ?? null,
  balances: async (a, _args, ctx) => {
    const b = await ctx.loaders.balances.load(a.accountNumber);
    return b ? [...b.balances] : null;
  },
  bills: async (a, { last }, ctx) => {
    if (!Number.isInteger(last) || last < 0 || last > BILL_HISTORY_CYCLES) {
      throw badUserInput('billing', 'last', last, `a whole number of billing cycles from 0 to ${BILL_HISTORY_CYCLES} (billing keeps ${BILL_HISTORY_CYCLES})`);
    }
    // legacy-contracts §1: prepaid accounts have no bills — asking billing would be a wasted call.
    if (last === 0 || a.type === 'PREPAID') return [];
    return ctx.loaders.bills.load({ accountNumber: a.accountNumber, last });
  },
  payments: async (a, { first }, ctx) => {
    const n = checkFirst('billing', first);
    if (n === 0) return [];
    return ctx.loaders.payments.load({ accountNumber: a.accountNumber, first: n });
  },
  serviceLines: async (a, _args, ctx) => {
    const customer = await ownerOf(a.accountNumber, ctx);
    return customer ? customer.serviceLines.filter((l) => l.accountNumber === a.accountNumber) : null;
  },
  parent: (a, _args, ctx) => (a.parentAccountNumber === null ? null : accountByNumber(a.parentAccountNumber, ctx, `parent of ${a.accountNumber}`)),
  customer: (a, _args, ctx) => ownerOf(a.accountNumber, ctx),
};
