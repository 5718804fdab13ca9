import { hash, Rng } from '../shared/hash.js';
import { Permutation } from '../shared/permutation.js';
import { LOCAL_NETWORKS, PROVINCES } from '../shared/regions.js';
import { DAY, HOUR } from '../shared/time.js';
import { World } from '../shared/world.js';
import type { CustomerStore } from './customers.js';
import { MAX_OPEN_DAYS } from './fields.js';
import { OutageTickets } from './outageTickets.js';
import { RETENTION_WEEKS, SLA_MS, gcd, mod, modInverse, retained, weekOf, weekStart, type LnInfo, type TicketFacts } from './ticketFacts.js';

/**
 * Service requests (trouble tickets, complaints), derived from the world and the clock with no
 * per-customer storage (contract §0, §3). Every time is absolute: a ticket is opened at a fixed
 * instant and its status follows from how far the clock has moved past it, so a ticket never
 * moves as the clock runs.
 *
 * Two kinds are generated:
 * - weekly tickets: in each week `w` a pseudo-random ~1/36 of each local network's customers
 *   open one (about one per customer per 8 months). The chosen customers of (local network,
 *   week) are the positions `k` of the region range with `(a·k + b) mod N < M`, an affine
 *   permutation, so a week's tickets are enumerated directly (no scan) and a customer's are
 *   checked in O(1) per week;
 * - outage tickets (outageTickets.ts), raised by customers whose line an area outage hits.
 *
 * The CRM keeps {@link RETENTION_WEEKS} weeks of service requests online; older ones are
 * archived (not returned). Open requests are never older than {@link MAX_OPEN_DAYS} days, which
 * bounds the weeks an open-ticket listing has to look at.
 *
 * SR Numbers are `1-` + 9 digits, a keyed permutation of a value that says which ticket it is:
 * `i·128 + (w mod 128)` for customer i's weekly ticket of week w (128 > the 104 weeks kept, so
 * the week is recovered from the clock), then outage tickets (province, alarm slot mod 8192,
 * bucket), then the tickets written through the API. A look-up by SR Number needs no index.
 */

const WEEKLY_RATE = 1 / 36;

const enum S {
  Ticket = 0x5e01,
  Select,
  SrPerm = 0x5e05,
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

const ABSTRACTS: Record<string, string[]> = {
  Complaint: ['话费账单金额有异议', '套餐资费与宣传不符', '营业厅服务态度差', '宽带装机超时未完成', '不明扣费，要求退费', '营销短信骚扰'],
  Incident: ['手机信号弱，通话中断', '宽带频繁掉线', '固话无拨号音', '上网速度慢', '无法接收短信', '专线丢包严重'],
  Request: ['申请变更套餐', '申请开通国际漫游', '申请补办SIM卡', '申请宽带移机', '申请开具发票', '申请号码过户'],
};
const RESOLUTIONS: Record<string, string[]> = {
  Complaint: ['Billing Adjusted', 'Explained To Customer', 'Compensation Granted', 'Service Restored'],
  Incident: ['Network Repaired', 'Equipment Replaced', 'Configuration Changed', 'No Fault Found', 'Field Visit'],
  Request: ['Fulfilled', 'Order Completed', 'Rejected By Policy'],
};

/** The customers of a (local network, week) that open a ticket: affine selection `(a·k + b) mod n < m`. */
interface Selection {
  readonly n: number;
  readonly m: number;
  readonly a: number;
  readonly aInv: number;
  readonly b: number;
}

export class TicketModel {
  readonly lns: readonly LnInfo[];
  private readonly selections = new Map<number, Selection>();
  private readonly srPerm: Permutation;
  private readonly outage: OutageTickets;
  /** SR values below this are weekly tickets, then outage tickets, then the overlay's. */
  private readonly outageBase: number;
  private readonly overlayBase: number;

  constructor(
    private readonly world: World,
    private readonly customers: CustomerStore,
  ) {
    const n = world.customerCount;
    this.srPerm = new Permutation(1_000_000_000, hash(world.seed, S.SrPerm));
    this.outageBase = n * 128;
    this.overlayBase = this.outageBase + 8 * 8192 * 64;
    const byLn = new Map<string, number[]>();
    for (const e of world.elements) {
      if (e.kind !== 'AGGREGATION' || !e.localNetwork) continue;
      const list = byLn.get(e.localNetwork) ?? [];
      list.push(e.index);
      byLn.set(e.localNetwork, list);
    }
    this.lns = LOCAL_NETWORKS.map((ln) => ({
      ln,
      province: PROVINCES.findIndex((p) => p.code === ln.province),
      range: world.customersIn(ln.province, ln.code)!,
      aggs: byLn.get(ln.code) ?? [],
    }));
    this.outage = new OutageTickets(world, customers, this.lns, (p, slot, b) => this.srOf(this.outageBase + (p * 8192 + mod(slot, 8192)) * 64 + b));
  }

  lnOf(i: number): LnInfo {
    return this.lns[this.world.localNetworkOf(i).index]!;
  }

  // ---------------------------------------------------------------- SR numbers

  private srOf(v: number): string {
    return `1-${pad(this.srPerm.forward(v), 9)}`;
  }

  /** The SR Number of the `seq`-th request written through the API. */
  overlaySr(seq: number): string {
    return this.srOf(this.overlayBase + seq);
  }

  /** The generated ticket with this SR Number as of `now`, 'overlay' for the overlay's range, or undefined. */
  decode(sr: string, now: number): TicketFacts | 'overlay' | undefined {
    const m = /^1-(\d{9})$/.exec(sr);
    if (!m) return undefined;
    const v = this.srPerm.inverse(Number(m[1]));
    if (v >= this.overlayBase) return 'overlay';
    let t: TicketFacts | undefined;
    if (v < this.outageBase) {
      const cur = weekOf(now);
      t = this.weekly(Math.floor(v / 128), cur - mod(cur - (v % 128), 128), now);
    } else {
      const u = v - this.outageBase;
      const p = Math.floor(u / 64 / 8192);
      if (p >= PROVINCES.length) return undefined;
      const cur = World.slotOf(now);
      this.outage.prepare(p, now);
      t = this.outage.ticket(p, cur - mod(cur - (Math.floor(u / 64) % 8192), 8192), u % 64);
      if (t && !retained(t, now)) t = undefined;
    }
    return t && t.sr === sr ? t : undefined;
  }

  // ---------------------------------------------------------------- weekly tickets

  private selection(info: LnInfo, w: number): Selection {
    const key = w * 64 + info.ln.index;
    const hit = this.selections.get(key);
    if (hit) return hit;
    const n = info.range.count;
    const h = hash(this.world.seed, S.Select, info.ln.index, w);
    const m = Math.floor(n * WEEKLY_RATE + (h % 1000) / 1000);
    let a = 1;
    if (n > 2) {
      a = 1 + (hash(h, 1) % (n - 1));
      while (gcd(a, n) !== 1) a = a + 1 === n ? 1 : a + 1;
    }
    const sel: Selection = { n, m, a, aInv: n > 1 ? modInverse(a, n) : 0, b: n > 0 ? hash(h, 2) % n : 0 };
    if (this.selections.size >= 20_000) this.selections.clear();
    this.selections.set(key, sel);
    return sel;
  }

  /** Customer `i`'s weekly ticket of week `w`, if it has one and it exists at `now`. */
  weekly(i: number, w: number, now: number): TicketFacts | undefined {
    if (i >= this.world.customerCount || w < 0) return undefined;
    const cur = weekOf(now);
    if (w > cur || w <= cur - RETENTION_WEEKS) return undefined;
    const info = this.lnOf(i);
    return this.weeklyAt(i, info, info.range.positionOf(i), w, now);
  }

  /** {@link weekly} for a customer whose local network and position are known (w in retention). */
  private weeklyAt(i: number, info: LnInfo, pos: number, w: number, now: number): TicketFacts | undefined {
    const sel = this.selection(info, w);
    if ((sel.a * pos + sel.b) % sel.n >= sel.m) return undefined;
    const t = this.makeWeekly(i, w);
    return t && t.opened <= now ? t : undefined;
  }

  private makeWeekly(i: number, w: number): TicketFacts | undefined {
    const c = this.world.customer(i);
    const rng = new Rng(hash(this.world.seed, S.Ticket, i, w));
    const opened = weekStart(w) + rng.int(0, 6) * DAY + rng.int(8 * 3600, 21 * 3600) * 1000;
    if (opened < c.createdAt) return undefined;
    const type = rng.weighted<string>([
      ['Complaint', 30],
      ['Incident', 35],
      ['Request', 35],
    ]);
    const priority = rng.weighted<string>([
      ['1-ASAP', 5],
      ['2-High', 20],
      ['3-Medium', 50],
      ['4-Low', 25],
    ]);
    const source = rng.weighted<string>([
      ['Phone', 45],
      ['Web', 20],
      ['Email', 10],
      ['Fax', 2],
      ['Store', 23],
    ]);
    const abstract = rng.pick(ABSTRACTS[type]!);
    // How long it takes to close: hours for most, up to MAX_OPEN_DAYS for a few.
    const bucket = rng.weighted<[number, number]>([
      [[2 * HOUR, 2 * DAY], 40],
      [[2 * DAY, 10 * DAY], 38],
      [[10 * DAY, 25 * DAY], 15],
      [[25 * DAY, MAX_OPEN_DAYS * DAY], 7],
    ]);
    const closeAt = opened + bucket[0] + Math.floor(rng.float() * (bucket[1] - bucket[0]));
    const cancelled = rng.chance(0.07);
    const commit = opened + SLA_MS[priority]!;
    const pendingAt = rng.chance(0.35) ? opened + rng.int(2, 48) * HOUR : Infinity;
    const escalates = (priority === '1-ASAP' || priority === '2-High' || type === 'Complaint') && rng.chance(0.45);
    // Most closed requests carry a resolution code; some are closed without one.
    const resolution = !cancelled && rng.chance(0.8) ? rng.pick(RESOLUTIONS[type]!) : '';
    // The CRM's own list: for a stale customer it may name a number billing no longer knows.
    const related = rng.chance(type === 'Request' ? 0.3 : 0.05) ? '' : rng.pick(this.customers.crmNumbers(i));
    const sr = this.srOf(i * 128 + mod(w, 128));
    // Web-form tickets carry the portal's reference, which is derived from the SR Number.
    const extRef = source === 'Web' && rng.chance(0.4) ? `WEB-${sr.slice(2)}` : '';
    return {
      sr,
      customer: i,
      province: c.province,
      localNetwork: c.localNetwork,
      type,
      priority,
      source,
      abstract,
      opened,
      closeAt,
      cancelled,
      pendingAt,
      escalateAt: escalates ? commit : Infinity,
      resolution,
      commit,
      related,
      alarm: '',
      extRef,
      week: w,
    };
  }

  // ---------------------------------------------------------------- listings

  /** Every generated ticket of customer `i` that exists at `now`, newest first. */
  ticketsOf(i: number, now: number): TicketFacts[] {
    const out: TicketFacts[] = [];
    const cur = weekOf(now);
    const info = this.lnOf(i);
    const pos = info.range.positionOf(i);
    for (let w = cur; w > cur - RETENTION_WEEKS && w >= 0; w--) {
      const t = this.weeklyAt(i, info, pos, w, now);
      if (t) out.push(t);
    }
    out.push(...this.outage.ticketsOf(i, info, pos, now));
    return out.sort((x, y) => y.opened - x.opened);
  }

  /**
   * The generated tickets of some local networks opened in week `w` and existing at `now`
   * (unordered). `outageFromSlot` skips outage tickets of earlier alarm slots (open-ticket
   * listings need only the last few).
   */
  ticketsInWeek(lns: readonly LnInfo[], w: number, now: number, outageFromSlot = -Infinity): TicketFacts[] {
    const out: TicketFacts[] = [];
    const cur = weekOf(now);
    if (w > cur || w <= cur - RETENTION_WEEKS || w < 0) return out;
    for (const info of lns) {
      const sel = this.selection(info, w);
      for (let m = 0; m < sel.m; m++) {
        const pos = (sel.aInv * mod(m - sel.b, sel.n)) % sel.n;
        const t = this.weeklyAt(info.range.at(pos), info, pos, w, now);
        if (t) out.push(t);
      }
    }
    out.push(...this.outage.ticketsBetween(lns, weekStart(w), weekStart(w + 1), now, outageFromSlot));
    return out;
  }
}
