import { badUserInput, ProductError } from '../../../lib/errors.js';
import { checkFirst, connection, offsetAfter } from '../../shared/pagination.js';
import { USAGE_RETENTION_DAYS } from '../domain.js';
import type { ServiceLineResolvers } from '../generated/resolvers-types.js';
import { normalizeServiceNumber } from '../keys.js';
import type { Context } from '../context.js';
import { loadVisibleCustomer } from '../scope.js';
import { accountByNumber } from './BillingAccount.js';

const DAY_MS = 86_400_000;

/** The customer who owns a line, scope-checked (scope.ts). */
function ownerOf(serviceNumber: string, ctx: Context) {
  return loadVisibleCustomer(ctx, ctx.loaders.customerByServiceNumber, serviceNumber, `Service line ${serviceNumber}`, { serviceNumber });
}

export const ServiceLine: ServiceLineResolvers = {
  /**
   * A line another subgraph refers to (an outage's affected lines, a ticket's line). Billing is the
   * truth for lines: one it does not know is a data inconsistency, NOT_FOUND (design.md, "Errors").
   * A line whose customer is outside the viewer's region is FORBIDDEN (scope.ts).
   */
  __resolveReference: async (ref, ctx) => {
    const number = normalizeServiceNumber(ref.serviceNumber);
    const customer = number ? await ownerOf(number, ctx) : null;
    const line = customer?.serviceLines.find((l) => l.serviceNumber === number);
    if (!line) throw new ProductError('NOT_FOUND', 'billing', `billing does not know service line ${JSON.stringify(ref.serviceNumber)}.`);
    return line;
  },
  serviceNumber: (l) => l.serviceNumber,
  kind: (l) => l.kind,
  productName: (l) => l.productName,
  status: (l) => l.status,
  activatedAt: (l) => l.activatedAt,
  imsi: (l) => l.imsi,
  iccid: (l) => l.iccid,
  account: (l, _args, ctx) => accountByNumber(l.accountNumber, ctx, `account of line ${l.serviceNumber}`),
  customer: (l, _args, ctx) => ownerOf(l.serviceNumber, ctx),

  /**
   * CDRs between `from` and `to` as a Relay connection over billing's row paging. The range is
   * checked before billing is asked: `to` before `from`, or longer than the 180 days billing keeps,
   * is BAD_USER_INPUT.
   */
  usage: async (l, { from, to, first, after }, ctx) => {
    const start = Date.parse(from);
    const end = Date.parse(to);
    if (end < start) throw badUserInput('billing', 'to', to, `an instant at or after from (${from})`);
    if (end - start > USAGE_RETENTION_DAYS * DAY_MS) {
      throw badUserInput('billing', 'to', to, `an instant at most ${USAGE_RETENTION_DAYS} days after from (${from}): billing keeps ${USAGE_RETENTION_DAYS} days of usage`);
    }
    const count = checkFirst('billing', first);
    const offset = offsetAfter('billing', after);
    const page = await ctx.loaders.usage.load({ serviceNumber: l.serviceNumber, from: start, to: end, offset, count });
    if (page === null) return null;
    return connection(page.items, offset, offset + page.items.length < page.total);
  },
};
