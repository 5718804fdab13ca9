import { hash, Rng } from '../shared/hash.js';
import { DAY, SHANGHAI_OFFSET_MS } from '../shared/time.js';
import { localNetwork } from '../shared/regions.js';
import type { Line, World } from '../shared/world.js';
import { BillingStream } from './ledger.js';

/**
 * Call detail records (contract §1 `QueryCDR`), derived per line per local day from
 * `(seed, line, day)`: a deterministic count of 0–8 records a day and their contents. Nothing is
 * stored; a page is found by counting records day by day and generating only the days it covers.
 */

export type CdrType = 'VOICE' | 'SMS' | 'DATA';

export interface Cdr {
  readonly type: CdrType;
  readonly at: number;
  readonly durationSeconds: number;
  /** Bytes, DATA only. */
  readonly volume: number | null;
  /** The other party (VOICE, SMS); null for DATA. */
  readonly calledNumber: string | null;
  readonly chargeFen: number;
}

/** CDRs are kept online for this many local days, today included; older days answer none. */
export const CDR_RETENTION_DAYS = 180;

/** Local (Shanghai) day number of an instant. */
const dayOf = (ms: number) => Math.floor((ms + SHANGHAI_OFFSET_MS) / DAY);
const dayStart = (day: number) => day * DAY - SHANGHAI_OFFSET_MS;

const COUNT_WEIGHTS: Record<Line['kind'], [number, number][]> = {
  MOBILE: [
    [0, 8],
    [1, 12],
    [2, 16],
    [3, 16],
    [4, 14],
    [5, 12],
    [6, 10],
    [7, 7],
    [8, 5],
  ],
  FIXED: [
    [0, 40],
    [1, 30],
    [2, 20],
    [3, 10],
  ],
  BROADBAND: [
    [0, 10],
    [1, 45],
    [2, 35],
    [3, 10],
  ],
  // Leased lines are billed flat: no usage records.
  LEASED_LINE: [[0, 1]],
};

const randomMobile = (rng: Rng) => `1${rng.int(3, 9)}${String(rng.int(0, 999_999_999)).padStart(9, '0')}`;

export class Usage {
  constructor(private readonly world: World) {}

  /** Only lines in service produce usage. */
  private producing(line: Line): boolean {
    return (line.status === 'active' || line.status === 'pendingTerminate') && line.kind !== 'LEASED_LINE';
  }

  private rngOf(line: Line, day: number): Rng {
    return new Rng(hash(this.world.seed, BillingStream.Cdr, line.key, day));
  }

  /** How many records a line has on a whole local day (before any time filter). */
  private dayCount(line: Line, day: number): number {
    return this.rngOf(line, day).weighted(COUNT_WEIGHTS[line.kind]);
  }

  /** A line's records on a local day, oldest first. */
  dayRecords(line: Line, day: number): Cdr[] {
    const rng = this.rngOf(line, day);
    const count = rng.weighted(COUNT_WEIGHTS[line.kind]);
    const seconds: number[] = [];
    for (let k = 0; k < count; k++) seconds.push(rng.int(0, 86_399));
    seconds.sort((a, b) => a - b);
    const areaCode = localNetwork(line.localNetwork)?.areaCode ?? '10';
    return seconds.map((s) => {
      const type: CdrType =
        line.kind === 'BROADBAND'
          ? 'DATA'
          : line.kind === 'FIXED'
            ? 'VOICE'
            : rng.weighted<CdrType>([
                ['VOICE', 45],
                ['SMS', 20],
                ['DATA', 35],
              ]);
      const at = dayStart(day) + s * 1000;
      if (type === 'VOICE') {
        const duration = rng.int(3, 1800);
        const called = line.kind === 'FIXED' && rng.chance(0.5) ? `0${areaCode}${rng.int(20_000_000, 89_999_999)}` : randomMobile(rng);
        const charge = rng.chance(0.25) ? Math.ceil(duration / 60) * 15 : 0;
        return { type, at, durationSeconds: duration, volume: null, calledNumber: called, chargeFen: charge };
      }
      if (type === 'SMS') {
        return { type, at, durationSeconds: 0, volume: null, calledNumber: randomMobile(rng), chargeFen: rng.chance(0.1) ? 10 : 0 };
      }
      const duration = rng.int(60, 7200);
      const volume = rng.int(1, line.kind === 'BROADBAND' ? 8000 : 1500) * 1_048_576 + rng.int(0, 1_048_575);
      const charge = line.kind === 'MOBILE' && rng.chance(0.1) ? Math.ceil(volume / 1_048_576) * 3 : 0;
      return { type, at, durationSeconds: duration, volume, calledNumber: null, chargeFen: charge };
    });
  }

  /**
   * The records of a line with times in `[start, end]`, oldest first, as a count and a page
   * reader. The window is cut to what exists: after activation, within the retention, not after
   * `now`.
   */
  query(line: Line, start: number, end: number, now: number): { total: number; page(begin: number, count: number): Cdr[] } {
    const lo = Math.max(start, line.activatedAt, dayStart(dayOf(now) - CDR_RETENTION_DAYS + 1));
    const hi = Math.min(end, now);
    const empty = { total: 0, page: () => [] };
    if (!this.producing(line) || lo > hi) return empty;
    const firstDay = dayOf(lo);
    const lastDay = dayOf(hi);
    const inWindow = (c: Cdr) => c.at >= lo && c.at <= hi;
    // Whole days in the window need only the count; the edge days are generated and filtered.
    const countOn = (day: number) =>
      dayStart(day) >= lo && dayStart(day + 1) - 1 <= hi ? this.dayCount(line, day) : this.dayRecords(line, day).filter(inWindow).length;
    const counts: number[] = [];
    let total = 0;
    for (let d = firstDay; d <= lastDay; d++) {
      const n = countOn(d);
      counts.push(n);
      total += n;
    }
    return {
      total,
      page: (begin, count) => {
        const out: Cdr[] = [];
        let skip = begin;
        for (let k = 0; k < counts.length && out.length < count; k++) {
          const n = counts[k]!;
          if (skip >= n) {
            skip -= n;
            continue;
          }
          const records = this.dayRecords(line, firstDay + k).filter(inWindow);
          for (let r = skip; r < records.length && out.length < count; r++) out.push(records[r]!);
          skip = 0;
        }
        return out;
      },
    };
  }
}
