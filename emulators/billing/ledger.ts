import { hash, Rng } from '../shared/hash.js';
import { DAY, HOUR, addCycles, cycleOf, cycleStart, fromLocal } from '../shared/time.js';
import { MAX_ACCOUNTS, type Account, type Line, type World } from '../shared/world.js';

/**
 * Bills and payments of billing accounts, derived on demand from the world and the clock (the
 * model side of contract §1 `QueryBillList`, `QueryPaymentLog` and the postpaid MAIN balance).
 *
 * Each bill has a fixed plan — its amount and when each payment towards it is made — drawn from
 * `(seed, account, cycle)`. What the clock has reached decides its state: a payment counts once
 * its time has passed, so bills settle as time moves on and the answers stay consistent with
 * each other (remaining = amount − payments made; MAIN = −unpaid remainders).
 */

/** TMF678 customer-bill states, as this system writes them (contract §1). */
export type BillStatus = 'new' | 'onHold' | 'validated' | 'sent' | 'settled' | 'partiallyPaid';

export interface Bill {
  /** `yyyyMM` + the AcctKey: unique, stable. */
  readonly billNo: string;
  readonly cycle: number;
  readonly billDate: number;
  readonly dueDate: number;
  readonly amountDue: number;
  readonly remaining: number;
  readonly status: BillStatus;
}

export interface Payment {
  /** `P` + `yyyyMM` + the AcctKey's last 8 digits + a sequence digit: unique, stable. */
  readonly id: string;
  readonly at: number;
  readonly amount: number;
  readonly channel: 'Counter' | 'Online' | 'Bank' | 'Agent';
  readonly method: 'Cash' | 'Card' | 'Alipay' | 'WeChat' | 'BankTransfer';
}

/** Bills (and prepaid top-ups) go back this many cycles at most. */
export const HISTORY_CYCLES = 36;

/** Random streams of the billing model (apart from the world's own). */
export const enum BillingStream {
  Bill = 0xb1_0001,
  Usage,
  TopUp,
  Balance,
  Closed,
  Terminated,
  Cdr,
}

/** A bill is `new` on its first day, `validated` on its second, and `sent` from then on. */
const SENT_AFTER = 2 * DAY;
const TOP_UPS = [3000, 5000, 10_000, 10_000, 20_000, 30_000, 50_000];
const PAY_WAYS: [[Payment['channel'], Payment['method']], number][] = [
  [['Online', 'Alipay'], 30],
  [['Online', 'WeChat'], 30],
  [['Online', 'Card'], 5],
  [['Bank', 'BankTransfer'], 12],
  [['Counter', 'Cash'], 8],
  [['Counter', 'Card'], 5],
  [['Agent', 'Cash'], 5],
  [['Agent', 'WeChat'], 5],
];

interface BillPlan {
  readonly cycle: number;
  readonly amount: number;
  /** Payments towards this bill in time order; only those at or before `now` have happened. */
  readonly payments: Payment[];
  /** A disputed bill is `onHold` until this instant. */
  readonly holdUntil: number;
}

const acctIndex = (a: Account) => a.customer * MAX_ACCOUNTS + a.slot;

export class Ledger {
  constructor(private readonly world: World) {}

  /** The lines billed to an account (billing's truth). */
  linesOf(account: Account): Line[] {
    return this.world.lines(account.customer).filter((l) => l.accountKey === account.key);
  }

  /**
   * The cycles an account has bills for at `now`, oldest first: from the cycle it was created in
   * to the last complete cycle (the bill for cycle M is dated the 1st of M+1), at most
   * {@link HISTORY_CYCLES}; a Closed account's bills stop at the cycle it closed in; prepaid
   * accounts have none.
   */
  billCycles(account: Account, now: number): number[] {
    if (account.type !== 'POSTPAID') return [];
    let last = addCycles(cycleOf(now), -1);
    if (account.status === 'Closed') last = Math.min(last, cycleOf(this.closedAt(account)));
    const first = Math.max(cycleOf(account.createdAt), addCycles(last, 1 - HISTORY_CYCLES));
    const out: number[] = [];
    for (let c = first; c <= last; c = addCycles(c, 1)) out.push(c);
    return out;
  }

  /** Bills of an account at `now`, newest first, optionally only cycles in `[from, to]`. */
  bills(account: Account, now: number, from = 0, to = 999_999): Bill[] {
    const lines = this.linesOf(account);
    const out: Bill[] = [];
    for (const cycle of this.billCycles(account, now).reverse()) {
      if (cycle < from || cycle > to) continue;
      out.push(this.billAt(account, this.plan(account, lines, cycle, now), now));
    }
    return out;
  }

  /**
   * What the account owes at `now`, in fen: the remainders of its unpaid bills. Every payment
   * plan ends within about two months of the bill date, so only the last few cycles can be open.
   */
  unpaidFen(account: Account, now: number): number {
    const lines = this.linesOf(account);
    let owed = 0;
    for (const cycle of this.billCycles(account, now).slice(-4)) owed += this.billAt(account, this.plan(account, lines, cycle, now), now).remaining;
    return owed;
  }

  /**
   * Payments of an account made at or before `now`, newest first: the payments towards its bills
   * (postpaid) or its top-ups (prepaid).
   */
  payments(account: Account, now: number): Payment[] {
    const out: Payment[] = [];
    if (account.type === 'POSTPAID') {
      const lines = this.linesOf(account);
      for (const cycle of this.billCycles(account, now)) {
        for (const p of this.plan(account, lines, cycle, now).payments) if (p.at <= now) out.push(p);
      }
    } else {
      const last = cycleOf(now);
      const first = Math.max(cycleOf(account.createdAt), addCycles(last, 1 - HISTORY_CYCLES));
      for (let m = first; m <= last; m = addCycles(m, 1)) {
        for (const p of this.topUps(account, m)) if (p.at <= now && p.at > account.createdAt) out.push(p);
      }
    }
    return out.sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1));
  }

  /** When a Closed account closed: a fixed instant after it was created. */
  closedAt(account: Account): number {
    const h = hash(this.world.seed, BillingStream.Closed, acctIndex(account));
    return Math.max(account.createdAt + 45 * DAY, fromLocal(2024, 1, 1) + (h % 900) * DAY);
  }

  private billAt(account: Account, plan: BillPlan, now: number): Bill {
    const next = addCycles(plan.cycle, 1);
    const billDate = cycleStart(next);
    const dueDate = fromLocal(Math.floor(next / 100), next % 100, 20, 23, 59, 59);
    let paid = 0;
    for (const p of plan.payments) if (p.at <= now) paid += p.amount;
    const remaining = plan.amount - paid;
    let status: BillStatus;
    if (now < billDate + DAY) status = 'new';
    else if (now < billDate + SENT_AFTER) status = 'validated';
    else if (now < plan.holdUntil) status = 'onHold';
    else if (remaining <= 0) status = 'settled';
    else status = paid > 0 ? 'partiallyPaid' : 'sent';
    return { billNo: `${plan.cycle}${account.key}`, cycle: plan.cycle, billDate, dueDate, amountDue: plan.amount, remaining, status };
  }

  private plan(account: Account, lines: readonly Line[], cycle: number, now: number): BillPlan {
    let amount = 0;
    for (const line of lines) amount += this.lineCharge(line, cycle);
    const rng = new Rng(hash(this.world.seed, BillingStream.Bill, acctIndex(account), cycle));
    const billDate = cycleStart(addCycles(cycle, 1));
    const sentAt = billDate + SENT_AFTER;
    const payments: Payment[] = [];
    let holdUntil = 0;
    const pay = (at: number, fen: number) => {
      const [channel, method] = rng.weighted(PAY_WAYS);
      payments.push({ id: `P${cycle}${account.key.slice(2)}${payments.length + 1}`, at, amount: fen, channel, method });
    };
    const dayTime = () => rng.int(8 * 3600, 22 * 3600) * 1000;
    const behaviour = rng.weighted<'onTime' | 'late' | 'partial' | 'disputed'>([
      ['onTime', 80],
      ['late', 10],
      ['partial', 8],
      ['disputed', 2],
    ]);
    // A Suspended account is suspended for not paying: its last two bills stay unpaid.
    const unpaid = account.status === 'Suspended' && cycle >= addCycles(cycleOf(now), -2);
    if (amount > 0 && !unpaid) {
      const first = sentAt + rng.int(0, 16) * DAY + dayTime();
      if (behaviour === 'onTime' || account.status === 'Closed') pay(first, amount);
      else if (behaviour === 'late') pay(sentAt + rng.int(19, 50) * DAY + dayTime(), amount);
      else if (behaviour === 'partial') {
        const part = Math.max(1, Math.round((amount * rng.int(30, 70)) / 100));
        pay(first, part);
        pay(first + rng.int(10, 40) * DAY + rng.int(0, 6) * HOUR, amount - part);
      } else {
        holdUntil = sentAt + rng.int(20, 55) * DAY;
        pay(holdUntil + rng.int(0, 3) * DAY + dayTime(), amount);
      }
    }
    return { cycle, amount, payments, holdUntil };
  }

  /**
   * What a line adds to its account's bill for a cycle, in fen: its monthly fee (prorated in the
   * month it was activated) and some usage beyond the bundle. Lines not yet active are not billed;
   * a terminated line is billed up to the cycle it ended in.
   */
  lineCharge(line: Line, cycle: number): number {
    if (line.status === 'created' || line.status === 'pendingActive') return 0;
    const start = cycleStart(cycle);
    const end = cycleStart(addCycles(cycle, 1));
    if (line.activatedAt >= end) return 0;
    if (line.status === 'terminated') {
      const lastCycle = addCycles(cycleOf(line.activatedAt), 1 + (hash(this.world.seed, BillingStream.Terminated, line.key) % 30));
      if (cycle > lastCycle) return 0;
    }
    let fee = line.monthlyFeeFen;
    if (line.activatedAt > start) fee = Math.round((fee * (end - line.activatedAt)) / (end - start));
    const rng = new Rng(hash(this.world.seed, BillingStream.Usage, line.key, cycle));
    let extra = 0;
    if (line.kind === 'MOBILE' && rng.chance(0.45)) extra = rng.int(100, 6000);
    else if (line.kind === 'FIXED' && rng.chance(0.5)) extra = rng.int(50, 2000);
    return fee + extra;
  }

  /** A prepaid account's top-ups in month `m` (`yyyyMM`), in time order, future ones included. */
  private topUps(account: Account, m: number): Payment[] {
    const rng = new Rng(hash(this.world.seed, BillingStream.TopUp, acctIndex(account), m));
    const count = rng.weighted([
      [0, 20],
      [1, 50],
      [2, 25],
      [3, 5],
    ]);
    const start = cycleStart(m);
    const span = cycleStart(addCycles(m, 1)) - start;
    const times: number[] = [];
    for (let k = 0; k < count; k++) times.push(start + Math.floor((rng.float() * span) / 1000) * 1000);
    times.sort((a, b) => a - b);
    return times.map((at, k) => {
      const [channel, method] = rng.weighted(PAY_WAYS);
      return { id: `P${m}${account.key.slice(2)}${k + 1}`, at, amount: rng.pick(TOP_UPS), channel, method };
    });
  }
}
