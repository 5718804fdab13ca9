import { ALARM_EPOCH, ALARM_SLOT_MS, CLEARED_ALARM_RETENTION_MS, World, type Alarm } from '../shared/world.js';
import { compareAlarms, fromWorld, rankOf, type NmsAlarm } from './alarm-record.js';
import { Dynamics, DYNAMIC_ID_BASE, type Storm } from './dynamics.js';

/**
 * The NMS's alarm list (contract §2): which alarms an element carries at an instant, filtered,
 * sorted worst first then newest, paged; alarms by id; and acknowledgements, the one write, kept
 * in an overlay over the world.
 */

export interface AlarmFilter {
  /** Element indexes; undefined means the whole network. */
  readonly elements?: ReadonlySet<number>;
  /** Highest sort rank let through (0 critical … 4 indeterminate, 5 cleared). */
  readonly maxRank: number;
  /** true: active only; false: cleared only; undefined: both. */
  readonly active?: boolean;
}

export interface AlarmQueryResult {
  readonly totalCount: number;
  /** The alarms at positions [offset, offset + limit) of the sorted list. */
  page(offset: number, limit: number): NmsAlarm[];
}

/** A sorted sequence of alarms that can be read by position without building it whole. */
interface Run {
  readonly length: number;
  rank(i: number): number;
  time(i: number): number;
  id(i: number): number;
  get(i: number): NmsAlarm;
}

function arrayRun(alarms: NmsAlarm[]): Run {
  return {
    length: alarms.length,
    rank: (i) => rankOf(alarms[i]!.severity),
    time: (i) => alarms[i]!.lastEventAt,
    id: (i) => alarms[i]!.id,
    get: (i) => alarms[i]!,
  };
}

/** Whether run a's item i sorts before run b's item j (worst, then newest, then highest id). */
function before(a: Run, i: number, b: Run, j: number): boolean {
  const ra = a.rank(i);
  const rb = b.rank(j);
  if (ra !== rb) return ra < rb;
  const ta = a.time(i);
  const tb = b.time(j);
  if (ta !== tb) return ta > tb;
  return a.id(i) > b.id(j);
}

/**
 * Merges sorted runs and returns positions [offset, offset + limit) of the result. It advances
 * through the leading run in blocks (a binary search for where the next run's head would cut in),
 * so a deep page through a storm of thousands costs a few steps, not one per alarm.
 */
function mergePage(all: Run[], offset: number, limit: number): NmsAlarm[] {
  const runs = all.filter((r) => r.length > 0);
  const pos = runs.map(() => 0);
  const out: NmsAlarm[] = [];
  const end = offset + limit;
  let taken = 0;
  while (taken < end) {
    let best = -1;
    let next = -1;
    for (let r = 0; r < runs.length; r++) {
      if (pos[r]! >= runs[r]!.length) continue;
      if (best < 0 || before(runs[r]!, pos[r]!, runs[best]!, pos[best]!)) {
        next = best;
        best = r;
      } else if (next < 0 || before(runs[r]!, pos[r]!, runs[next]!, pos[next]!)) next = r;
    }
    if (best < 0) break;
    const run = runs[best]!;
    // The best run's items from pos[best] up to (not including) `stop` all sort before the next head.
    let stop = run.length;
    if (next >= 0) {
      let lo = pos[best]! + 1;
      let hi = run.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (before(run, mid, runs[next]!, pos[next]!)) lo = mid + 1;
        else hi = mid;
      }
      stop = lo;
    }
    stop = Math.min(stop, pos[best]! + (end - taken));
    for (let i = pos[best]!; i < stop; i++, taken++) if (taken >= offset) out.push(run.get(i));
    pos[best] = stop;
  }
  return out;
}

/** At most this many acknowledgement overrides are kept (oldest forgotten first). */
const MAX_ACK_OVERLAY = 100_000;
/** How many alarm slots' candidate lists are kept (the clock can move back and forth in tests). */
const SLOT_CACHE_SIZE = 3;

export class AlarmBook {
  readonly dynamics: Dynamics;
  /** Per alarm slot: per element, every world alarm that can be listed at some instant of the slot. */
  private readonly candidates = new Map<number, (Alarm[] | undefined)[]>();
  /** Acknowledgement overrides by alarm id: set by `?ack=true`, null after `?ack=false`. */
  private readonly acks = new Map<number, { user: string; at: number } | null>();

  constructor(private readonly world: World) {
    this.dynamics = new Dynamics(world);
  }

  /**
   * The world's alarms listed on element `e` at `now` — exactly `world.alarmsOnElement(e, now)`,
   * from a cache per four-hour slot: the union of what is listed at the slot's first and last
   * instant holds everything listed at any instant between, and the world's own filter picks.
   */
  worldAlarmsOn(e: number, now: number): Alarm[] {
    const n = World.slotOf(now);
    let perElement = this.candidates.get(n);
    if (!perElement) {
      if (this.candidates.size >= SLOT_CACHE_SIZE) this.candidates.delete(this.candidates.keys().next().value!);
      perElement = new Array<Alarm[] | undefined>(this.world.elements.length);
      this.candidates.set(n, perElement);
    }
    let list = perElement[e];
    if (!list) {
      const start = ALARM_EPOCH + n * ALARM_SLOT_MS;
      const byId = new Map<number, Alarm>();
      for (const a of this.world.alarmsOnElement(e, start + ALARM_SLOT_MS - 1)) byId.set(a.id, a);
      for (const a of this.world.alarmsOnElement(e, start)) byId.set(a.id, a);
      list = [...byId.values()];
      perElement[e] = list;
    }
    return list.filter((a) => a.raisedAt <= now && a.clearsAt > now - CLEARED_ALARM_RETENTION_MS);
  }

  /** The listed alarms matching a filter at `now`, sorted worst first, then newest. */
  query(filter: AlarmFilter, now: number, dynamics: boolean): AlarmQueryResult {
    const pass = (rank: number, active: boolean) => rank <= filter.maxRank && (filter.active === undefined || filter.active === active);
    const regular: NmsAlarm[] = [];
    const take = (a: NmsAlarm) => {
      if (pass(rankOf(a.severity), a.clearAt === null)) regular.push(a);
    };
    if (filter.elements) for (const e of filter.elements) for (const a of this.worldAlarmsOn(e, now)) take(fromWorld(a, now));
    else for (let e = 0; e < this.world.elements.length; e++) for (const a of this.worldAlarmsOn(e, now)) take(fromWorld(a, now));
    const runs: Run[] = [];
    if (dynamics) {
      for (const a of this.dynamics.flapAlarms(filter.elements, now)) take(a);
      for (const s of this.dynamics.storms(filter.elements, now)) {
        const visible = this.dynamics.stormVisible(s, now);
        if (visible === 0) continue;
        // A storm's alarms share severity and state: the whole run passes the filter or none of it.
        const probe = this.dynamics.stormAlarm(s, 0, now);
        if (pass(rankOf(probe.severity), probe.clearAt === null)) runs.push(this.stormRun(s, visible, now));
      }
    }
    regular.sort(compareAlarms);
    runs.push(arrayRun(regular));
    return {
      totalCount: runs.reduce((n, r) => n + r.length, 0),
      page: (offset, limit) => mergePage(runs, offset, limit).map((a) => this.withAck(a)),
    };
  }

  /**
   * A storm as a sorted run: its alarms share severity and are raised in k order, so newest
   * first (then highest id) is simply k descending.
   */
  private stormRun(s: Storm, visible: number, now: number): Run {
    const probe = this.dynamics.stormAlarm(s, 0, now);
    const rank = rankOf(probe.severity);
    const k = (i: number) => visible - 1 - i;
    const base = probe.id;
    return {
      length: visible,
      rank: () => rank,
      time: (i) => this.dynamics.stormRaisedAt(s, k(i)),
      id: (i) => base + k(i),
      get: (i) => this.dynamics.stormAlarm(s, k(i), now),
    };
  }

  /** An alarm by id at `now`, cleared ones included, up to 90 days old; undefined when unknown. */
  alarm(id: number, now: number, dynamics: boolean): NmsAlarm | undefined {
    let a: NmsAlarm | undefined;
    if (id >= DYNAMIC_ID_BASE) a = dynamics ? this.dynamics.alarm(id, now) : undefined;
    else {
      const w = this.world.alarm(id, now);
      a = w && fromWorld(w, now);
    }
    return a && this.withAck(a);
  }

  /**
   * Acknowledges (`true`) or un-acknowledges (`false`) an alarm. Idempotent: acknowledging an
   * acknowledged alarm keeps who did it and when. Returns false when the alarm is unknown.
   */
  acknowledge(id: number, ack: boolean, user: string, now: number, dynamics: boolean): boolean {
    const a = this.alarm(id, now, dynamics);
    if (!a) return false;
    if (ack === (a.ackUser !== null)) return true;
    this.acks.delete(id);
    if (this.acks.size >= MAX_ACK_OVERLAY) this.acks.delete(this.acks.keys().next().value!);
    this.acks.set(id, ack ? { user, at: Math.floor(now / 1000) * 1000 } : null);
    return true;
  }

  private withAck(a: NmsAlarm): NmsAlarm {
    const o = this.acks.get(a.id);
    if (o === undefined) return a;
    return o === null ? { ...a, ackUser: null, ackAt: null } : { ...a, ackUser: o.user, ackAt: o.at };
  }

  /** Forgets every acknowledgement made through the API. */
  reset(): void {
    this.acks.clear();
  }
}
