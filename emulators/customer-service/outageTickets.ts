import { hash, Rng } from '../shared/hash.js';
import { MINUTE } from '../shared/time.js';
import { MAX_LINES, World, type Line } from '../shared/world.js';
import type { CustomerStore } from './customers.js';
import { OutageTable } from './outages.js';
import { SLA_MS, gcd, modInverse, retained, retentionSlots, type LnInfo, type TicketFacts } from './ticketFacts.js';

/**
 * Outage tickets: for each area outage of the world, a few customers whose line rides on the
 * failed aggregation element call in; their incident names the outage's root-cause alarm and
 * the line (contract §0: every province always has an open outage, so every province always has
 * open tickets that point at a current outage).
 *
 * Who calls, without a scan: the world lays line `s` of the customer at position `pos` of its
 * local network on aggregation `(5·pos + s) mod A`. The candidates of element `a` are the
 * customers whose line of one fixed slot (0, or `a mod 5` when A is a multiple of 5) sits on it,
 * an arithmetic progression of positions. Each outage splits the progression into buckets; a
 * bucket's caller is the first eligible candidate (an active customer whose line is active) of
 * {@link PROBE} from a hashed start, so nearly every outage has one; a customer's own outage
 * tickets are found by checking, for each outage on its element, one hash and rarely a
 * neighbour.
 */

/** One ticket bucket per this many candidates of the element, at least 1, at most 40. */
const CANDIDATES_PER_BUCKET = 250;
const MAX_BUCKETS = 40;
/** Candidates examined, in order, to find a bucket's caller. */
const PROBE = 3;

const enum S {
  OutageTicket = 0x5e03,
  OutageProbe,
}

const ABSTRACTS: Record<string, string> = {
  MOBILE: '区域网络故障，手机无信号',
  BROADBAND: '区域网络故障，宽带中断无法上网',
  FIXED: '区域网络故障，固话无拨号音',
  LEASED_LINE: '专线业务中断，疑似传输故障',
};

interface AggInfo {
  readonly ln: LnInfo;
  readonly a: number;
  /** The line slot whose lines on this element can raise outage tickets. */
  readonly slot: number;
  /** Candidate customers: positions `first + m·step` of the local network. */
  readonly first: number;
  readonly step: number;
  /** Ticket buckets per outage, and bucket width in candidates. */
  readonly buckets: number;
  readonly width: number;
}

export class OutageTickets {
  readonly outages: OutageTable;
  private readonly aggInfo = new Map<number, AggInfo>();

  constructor(
    private readonly world: World,
    private readonly customers: CustomerStore,
    lns: readonly LnInfo[],
    /** The SR Number of bucket `b` of province `p`'s outage in alarm slot `slot`. */
    private readonly srOf: (p: number, slot: number, b: number) => string,
  ) {
    this.outages = new OutageTable(world);
    for (const info of lns) {
      const count = info.aggs.length;
      const g = gcd(MAX_LINES, count);
      const step = count / g;
      info.aggs.forEach((agg, a) => {
        // 5·pos + slot ≡ a (mod count): slot ≡ a (mod g), then pos ≡ first (mod step).
        const slot = a % g;
        const first = step === 1 ? 0 : (((a - slot) / g) * modInverse((MAX_LINES / g) % step, step)) % step;
        const candidates = info.range.count > first ? Math.ceil((info.range.count - first) / step) : 0;
        const buckets = candidates === 0 ? 0 : Math.max(1, Math.min(MAX_BUCKETS, Math.floor(candidates / CANDIDATES_PER_BUCKET)));
        this.aggInfo.set(agg, { ln: info, a, slot, first, step, buckets, width: buckets ? Math.floor(candidates / buckets) : 0 });
      });
    }
  }

  /** Makes sure province `p`'s outage table covers the retention at `now` (call before loops). */
  prepare(p: number, now: number): void {
    const [lo, hi] = retentionSlots(now);
    this.outages.table(p, lo, hi + 1);
  }

  private probeStart(p: number, slot: number, b: number, width: number): number {
    return b * width + (hash(this.world.seed, S.OutageProbe, p, slot, b) % width);
  }

  private probeEnd(start: number, b: number, ai: AggInfo): number {
    return Math.min(start + PROBE, (b + 1) * ai.width);
  }

  /** Candidate `m` of an element's progression: its line there, if it can raise an outage ticket. */
  private eligibleLine(ai: AggInfo, agg: number, m: number): Line | undefined {
    const pos = ai.first + m * ai.step;
    if (pos >= ai.ln.range.count) return undefined;
    const i = ai.ln.range.at(pos);
    const c = this.world.customer(i);
    if (ai.slot >= c.lineCount || c.status !== 'Active') return undefined;
    const line = this.customers.lines(i)[ai.slot]!;
    return line.status === 'active' && line.supporting[1] === agg ? line : undefined;
  }

  /** Bucket `b`'s ticket of province `p`'s outage in slot `slot` (its existence by time unchecked). */
  ticket(p: number, slot: number, b: number): TicketFacts | undefined {
    const o = this.outages.at(p, slot);
    const ai = this.aggInfo.get(o.aggregation);
    if (!ai || b >= ai.buckets) return undefined;
    const start = this.probeStart(p, slot, b, ai.width);
    const end = this.probeEnd(start, b, ai);
    for (let m = start; m < end; m++) {
      const line = this.eligibleLine(ai, o.aggregation, m);
      if (line) return this.make(p, slot, b, line);
    }
    return undefined;
  }

  private make(p: number, slot: number, b: number, line: Line): TicketFacts {
    const o = this.outages.at(p, slot);
    const c = this.world.customer(line.customer);
    const rng = new Rng(hash(this.world.seed, S.OutageTicket, p, slot, b));
    // Called in within 90 minutes of the outage; closed a while after it clears.
    const opened = o.startedAt + rng.int(5, 90) * MINUTE;
    const priority = c.kind === 'ORGANIZATION' || line.kind === 'LEASED_LINE' ? '1-ASAP' : '2-High';
    const commit = opened + SLA_MS[priority]!;
    return {
      sr: this.srOf(p, slot, b),
      customer: line.customer,
      province: c.province,
      localNetwork: c.localNetwork,
      type: 'Incident',
      priority,
      source: rng.weighted<string>([
        ['Phone', 70],
        ['Web', 20],
        ['Store', 10],
      ]),
      abstract: ABSTRACTS[line.kind]!,
      opened,
      closeAt: o.clearsAt + rng.int(10, 360) * MINUTE,
      cancelled: rng.chance(0.03),
      pendingAt: rng.chance(0.2) ? opened + rng.int(30, 120) * MINUTE : Infinity,
      escalateAt: priority === '1-ASAP' ? commit : Infinity,
      resolution: rng.chance(0.9) ? 'Network Repaired' : '',
      commit,
      related: line.serviceNumber,
      alarm: String(o.rootCauseAlarmId),
      extRef: '',
    };
  }

  /** Customer `i` (of local network `info`, at position `pos`)'s outage tickets existing at `now`. */
  ticketsOf(i: number, info: LnInfo, pos: number, now: number): TicketFacts[] {
    const out: TicketFacts[] = [];
    const c = this.world.customer(i);
    if (c.status !== 'Active') return out;
    const [lo, hi] = retentionSlots(now);
    for (let s = 0; s < c.lineCount; s++) {
      const ai = this.aggInfo.get(info.aggs[(pos * MAX_LINES + s) % info.aggs.length]!);
      // Only the element's candidate slot raises tickets; the customer is candidate m.
      if (!ai || ai.slot !== s || !ai.width || (pos - ai.first) % ai.step !== 0) continue;
      const m = (pos - ai.first) / ai.step;
      const b = Math.floor(m / ai.width);
      if (b >= ai.buckets) continue;
      const agg = info.aggs[ai.a]!;
      const line = this.eligibleLine(ai, agg, m);
      if (!line) continue;
      this.prepare(info.province, now);
      for (const n of this.outages.slotsOn(info.province, agg, lo, hi)) {
        const start = this.probeStart(info.province, n, b, ai.width);
        if (m < start || m >= this.probeEnd(start, b, ai)) continue;
        // The caller is the first eligible candidate from the start: look back, nearest first.
        let first = true;
        for (let k = m - 1; k >= start && first; k--) if (this.eligibleLine(ai, agg, k)) first = false;
        if (!first) continue;
        const ticket = this.make(info.province, n, b, line);
        if (retained(ticket, now)) out.push(ticket);
      }
    }
    return out;
  }

  /**
   * The outage tickets of some local networks opened in `[from, to)` and existing at `now`,
   * looking only at alarm slots from `fromSlot` on.
   */
  ticketsBetween(lns: readonly LnInfo[], from: number, to: number, now: number, fromSlot: number): TicketFacts[] {
    const out: TicketFacts[] = [];
    const lnSet = new Set(lns);
    const firstSlot = Math.max(World.slotOf(from) - 1, fromSlot);
    const lastSlot = Math.min(World.slotOf(to - 1), World.slotOf(now));
    for (const p of new Set(lns.map((l) => l.province))) {
      this.prepare(p, now);
      for (let n = firstSlot; n <= lastSlot; n++) {
        const ai = this.aggInfo.get(this.outages.aggregationAt(p, n));
        if (!ai || !lnSet.has(ai.ln)) continue;
        for (let b = 0; b < ai.buckets; b++) {
          const t = this.ticket(p, n, b);
          if (t && t.opened >= from && t.opened < to && retained(t, now)) out.push(t);
        }
      }
    }
    return out;
  }
}
