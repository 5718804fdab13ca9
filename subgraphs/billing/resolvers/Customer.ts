import { badUserInput, ProductError } from '../../../lib/errors.js';
import type { CustomerResolvers } from '../generated/resolvers-types.js';
import { normalizeCustomerId } from '../keys.js';
import { divideFen, moneyFromFen } from '../money.js';
import { BILL_HISTORY_CYCLES } from '../domain.js';
import { loadVisibleCustomer } from '../scope.js';

export const Customer: CustomerResolvers = {
  /**
   * A customer the CRM knows, by its Row Id (billing `CrmCustId`). One billing does not know (or a
   * malformed id, never sent) resolves to null: it simply has no billing data — no error. One
   * outside the viewer's region is null with FORBIDDEN (scope.ts), so none of its billing data is read.
   */
  __resolveReference: async (ref, ctx) => {
    const id = normalizeCustomerId(ref.id);
    return id ? loadVisibleCustomer(ctx, ctx.loaders.customerById, id, `Customer ${id}`, { customerId: id }) : null;
  },
  id: (c) => c.id,
  accounts: (c) => [...c.accounts],
  serviceLines: (c) => [...c.serviceLines],

  /** The sum of the MAIN balances of its accounts: one BatchQueryBalance for all the customers of a request. */
  balance: async (c, _args, ctx) => {
    const results = await ctx.loaders.balances.loadMany(c.accounts.map((a) => a.accountNumber));
    let fen = 0n;
    results.forEach((r, i) => {
      if (r instanceof Error) throw r;
      if (r === null) {
        throw new ProductError('NOT_FOUND', 'billing', `billing lists account ${c.accounts[i]!.accountNumber} for customer ${c.id} but has no balance for it.`);
      }
      fen += r.balances.find((b) => b.type === 'MAIN')?.amount.fen ?? 0n;
    });
    return moneyFromFen(fen);
  },

  /**
   * Average revenue per line per month: what the postpaid accounts were billed (AmountDue) over the
   * last `months` complete cycles ÷ `months` ÷ the active lines charged to those accounts, to the
   * fen. Null when there are no such bills or no such lines.
   */
  arpu: async (c, { months }, ctx) => {
    if (!Number.isInteger(months) || months < 1 || months > BILL_HISTORY_CYCLES) {
      throw badUserInput('billing', 'months', months, `a whole number of billing cycles from 1 to ${BILL_HISTORY_CYCLES} (billing keeps ${BILL_HISTORY_CYCLES})`);
    }
    const postpaid = new Set(c.accounts.filter((a) => a.type === 'POSTPAID').map((a) => a.accountNumber));
    const lines = c.serviceLines.filter((l) => l.status === 'ACTIVE' && postpaid.has(l.accountNumber)).length;
    if (postpaid.size === 0 || lines === 0) return null;
    const bills = await Promise.all([...postpaid].map((accountNumber) => ctx.loaders.bills.load({ accountNumber, last: months })));
    const all = bills.flatMap((b) => b ?? []);
    if (all.length === 0) return null;
    const billed = all.reduce((sum, b) => sum + b.amountDue.fen, 0n);
    return moneyFromFen(divideFen(billed, BigInt(months * lines)));
  },
};
