import { ALARM_EPOCH, ALARM_SLOT_MS, PROVINCES, type World } from '../shared/world.js';

/**
 * The world's area outages, slot by slot, in a form the ticket model can search fast: which
 * aggregation element each province's outage of alarm slot `n` sits on, when it starts and
 * clears, its root-cause alarm, and per element the slots whose outage hit it. Built from
 * `world.outages()` (the world keeps its per-slot generator private) into fixed-size typed arrays
 * per province covering {@link WINDOW} slots, so memory is bounded whatever the clock does; a
 * clock that leaves the window rebuilds it (a few tens of milliseconds).
 */

/** Slots kept per province: more than two years of 4-hour slots (the ticket retention). */
const WINDOW = 8192;
/** Slack kept before the first slot asked for, so a clock moved back a little does not rebuild. */
const BACK_SLACK = 1024;

export interface OutageInfo {
  readonly province: number;
  readonly slot: number;
  readonly aggregation: number;
  readonly startedAt: number;
  readonly clearsAt: number;
  readonly rootCauseAlarmId: number;
}

interface Table {
  readonly base: number;
  readonly agg: Int32Array;
  readonly started: Float64Array;
  readonly clears: Float64Array;
  readonly alarm: Float64Array;
  /** Aggregation element → the window's slots (ascending) whose outage sits on it. */
  readonly slotsByAgg: Map<number, Int32Array>;
}

export function slotStart(n: number): number {
  return ALARM_EPOCH + n * ALARM_SLOT_MS;
}

export class OutageTable {
  private readonly tables: Table[] = [];

  constructor(private readonly world: World) {}

  /** Province `p`'s table, rebuilt when slots `lo..hi` are not all in it. */
  table(p: number, lo: number, hi: number): Table {
    const t = this.tables[p];
    if (t && lo >= t.base && hi < t.base + WINDOW) return t;
    if (hi - lo >= WINDOW - BACK_SLACK) throw new RangeError(`Outage slot range ${lo}..${hi} is wider than the table`);
    const built = this.build(p, lo - BACK_SLACK);
    this.tables[p] = built;
    return built;
  }

  private build(p: number, base: number): Table {
    const code = PROVINCES[p]!.code;
    const agg = new Int32Array(WINDOW).fill(-1);
    const started = new Float64Array(WINDOW);
    const clears = new Float64Array(WINDOW);
    const alarm = new Float64Array(WINDOW);
    const record = (at: number) => {
      for (const o of this.world.outages(code, at)) {
        const k = o.slot - base;
        if (k < 0 || k >= WINDOW || agg[k]! >= 0) continue;
        agg[k] = o.aggregation;
        started[k] = o.startedAt;
        clears[k] = o.clearsAt;
        alarm[k] = o.rootCauseAlarmId;
      }
    };
    // Asked at the end of slot n+6, the world lists the outages of slots n…n+6 (they stay
    // listed a day after clearing), so one call fills seven slots.
    for (let k = 0; k < WINDOW; k += 7) record(slotStart(base + k + 7) - 1);
    const lists = new Map<number, number[]>();
    for (let k = 0; k < WINDOW; k++) {
      if (agg[k]! < 0) record(slotStart(base + k + 1) - 1);
      if (agg[k]! < 0) throw new Error(`The world has no outage in slot ${base + k} of ${code}`);
      const list = lists.get(agg[k]!);
      if (list) list.push(base + k);
      else lists.set(agg[k]!, [base + k]);
    }
    const slotsByAgg = new Map<number, Int32Array>();
    for (const [e, list] of lists) slotsByAgg.set(e, Int32Array.from(list));
    return { base, agg, started, clears, alarm, slotsByAgg };
  }

  /** Province `p`'s outage of slot `n`. */
  at(p: number, n: number): OutageInfo {
    const t = this.table(p, n, n);
    const k = n - t.base;
    return { province: p, slot: n, aggregation: t.agg[k]!, startedAt: t.started[k]!, clearsAt: t.clears[k]!, rootCauseAlarmId: t.alarm[k]! };
  }

  aggregationAt(p: number, n: number): number {
    const t = this.table(p, n, n);
    return t.agg[n - t.base]!;
  }

  /** The slots in `lo..hi` whose outage in province `p` sits on aggregation element `agg`, ascending. */
  slotsOn(p: number, agg: number, lo: number, hi: number): number[] {
    const t = this.table(p, lo, hi);
    const list = t.slotsByAgg.get(agg);
    const out: number[] = [];
    if (!list) return out;
    // Binary search for the first slot ≥ lo.
    let a = 0;
    let b = list.length;
    while (a < b) {
      const mid = (a + b) >> 1;
      if (list[mid]! < lo) a = mid + 1;
      else b = mid;
    }
    for (let k = a; k < list.length && list[k]! <= hi; k++) out.push(list[k]!);
    return out;
  }
}
