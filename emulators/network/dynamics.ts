import { hash } from '../shared/hash.js';
import { PROVINCES, type LocalNetwork } from '../shared/regions.js';
import { ALARM_EPOCH, ALARM_HISTORY_MS, ALARM_SLOT_MS, CLEARED_ALARM_RETENTION_MS, World, type Outage } from '../shared/world.js';
import { SEVERITY_CODE, type NmsAlarm } from './alarm-record.js';

/**
 * The NMS's dynamics (contract §2, "Alarm storms … and raise/clear flapping"; §0: off unless the
 * faults set `dynamics: true`). Everything is a pure function of the world and the clock: no
 * timers, nothing stored.
 *
 * - **Storm.** The aggregation element of every outage carries 2 000–3 000 extra port-level
 *   loss-of-signal alarms, raised within the outage's first minute and cleared with it (a fibre
 *   cut takes every port below it down at once).
 * - **Flapping.** Three access elements per local network carry a link that raises and clears a
 *   service-affecting alarm every 30–60 s. Like a real NMS's event reduction, one alarm id per
 *   four-hour episode counts the raises (`counter`); between a clear and the next raise it shows
 *   as cleared.
 *
 * Ids. The world numbers its alarms `1 000 000 + slot · 1 922 + offset`, which stays far below
 * 2·10⁹ for centuries. Dynamic alarms live above: `2 000 000 000 + 4096 · (1 + slot · 8 +
 * province) + k`, with `k` < 3 072 a storm port and `k` ≥ 3 072 a flapping source. So any
 * dynamic alarm is readable by id with no index, for 90 days like every other.
 */

export const DYNAMIC_ID_BASE = 2_000_000_000;
const BLOCK = 4096;
const PROVINCE_SLOTS = 8;
export const STORM_MIN = 2000;
export const STORM_MAX = 3000;
/** A storm's alarms are raised over this many seconds from the outage's start. */
const STORM_SPREAD_S = 60;
const FLAP_K0 = 3072;
export const FLAPS_PER_LOCAL_NETWORK = 3;
const FLAP_PERIOD_MIN_S = 30;
const FLAP_PERIOD_MAX_S = 60;

/** Random streams of this emulator (the world's own use small numbers). */
const STREAM_STORM = 0x4e4d5301;
const STREAM_FLAP = 0x4e4d5302;

if (PROVINCES.length > PROVINCE_SLOTS) throw new Error('Dynamic alarm ids hold at most 8 provinces');

export function dynamicAlarmId(slot: number, province: number, k: number): number {
  return DYNAMIC_ID_BASE + BLOCK * (1 + slot * PROVINCE_SLOTS + province) + k;
}

function decodeDynamicId(id: number): { slot: number; province: number; k: number } | undefined {
  const x = id - DYNAMIC_ID_BASE;
  if (!Number.isSafeInteger(x) || x < BLOCK) return undefined;
  const q = Math.floor(x / BLOCK) - 1;
  const province = q % PROVINCE_SLOTS;
  if (province >= PROVINCES.length) return undefined;
  return { slot: Math.floor(q / PROVINCE_SLOTS), province, k: x % BLOCK };
}

const SECOND_MS = 1000;
const slotStart = (n: number) => ALARM_EPOCH + n * ALARM_SLOT_MS;
const pad = (n: number, width: number) => String(n).padStart(width, '0');

export interface Storm {
  readonly outage: Outage;
  readonly province: number;
  readonly size: number;
}

interface FlapSource {
  readonly ln: LocalNetwork;
  /** Index of its province in PROVINCES. */
  readonly province: number;
  /** Position of the local network in its province (it is part of the alarm id). */
  readonly lnInProvince: number;
  readonly j: number;
  readonly element: number;
  readonly periodMs: number;
  readonly phaseMs: number;
  /** Raised for the first half of each period, cleared for the rest. */
  readonly upMs: number;
}

export class Dynamics {
  private readonly flapSources: FlapSource[] = [];
  private readonly flapsByElement = new Map<number, FlapSource[]>();

  constructor(private readonly world: World) {
    for (const [province, p] of PROVINCES.entries()) {
      for (const [lnInProvince, ln] of p.networks.entries()) {
        const access = world.elements.filter((e) => e.kind === 'ACCESS' && e.localNetwork === ln.code).map((e) => e.index);
        const used = new Set<number>();
        for (let j = 0; j < FLAPS_PER_LOCAL_NETWORK && j < access.length; j++) {
          let at = hash(world.seed, STREAM_FLAP, ln.index, j) % access.length;
          while (used.has(at)) at = (at + 1) % access.length;
          used.add(at);
          const periodS = FLAP_PERIOD_MIN_S + (hash(world.seed, STREAM_FLAP, ln.index, j, 1) % (FLAP_PERIOD_MAX_S - FLAP_PERIOD_MIN_S + 1));
          const src: FlapSource = {
            ln,
            province,
            lnInProvince,
            j,
            element: access[at]!,
            periodMs: periodS * SECOND_MS,
            phaseMs: (hash(world.seed, STREAM_FLAP, ln.index, j, 2) % periodS) * SECOND_MS,
            upMs: Math.floor(periodS / 2) * SECOND_MS,
          };
          this.flapSources.push(src);
          const list = this.flapsByElement.get(src.element) ?? [];
          list.push(src);
          this.flapsByElement.set(src.element, list);
        }
      }
    }
  }

  // ------------------------------------------------------------------ storms

  stormOf(o: Outage): Storm {
    const province = PROVINCES.findIndex((p) => p.code === o.province);
    const size = STORM_MIN + (hash(this.world.seed, STREAM_STORM, province, o.slot) % (STORM_MAX - STORM_MIN + 1));
    return { outage: o, province, size };
  }

  /** When port alarm `k` of a storm is raised: spread over the outage's first minute, in k order. */
  stormRaisedAt(s: Storm, k: number): number {
    return s.outage.startedAt + Math.floor((k * STORM_SPREAD_S) / s.size) * SECOND_MS;
  }

  /** How many of a storm's alarms exist at `now` (the first ones, in k order). */
  stormVisible(s: Storm, now: number): number {
    if (now < s.outage.startedAt) return 0;
    const d = Math.floor((now - s.outage.startedAt) / SECOND_MS);
    if (d >= STORM_SPREAD_S) return s.size;
    // k is raised by second d ⇔ ⌊k·60/size⌋ ≤ d ⇔ k < (d+1)·size/60.
    return Math.min(s.size, Math.floor(((d + 1) * s.size + STORM_SPREAD_S - 1) / STORM_SPREAD_S));
  }

  stormAlarm(s: Storm, k: number, now: number): NmsAlarm {
    const o = s.outage;
    const el = this.world.elements[o.aggregation]!;
    // Board slots 5–12 — the root cause and background alarms use ports on boards 1–4, so no
    // reduction key repeats.
    const port = `${5 + Math.floor(k / 384)}/${1 + (Math.floor(k / 48) % 8)}/${1 + (k % 48)}`;
    const raisedAt = this.stormRaisedAt(s, k);
    const active = World.isOpen(o, now);
    return {
      id: dynamicAlarmId(o.slot, s.province, k),
      severity: active ? SEVERITY_CODE.MAJOR : SEVERITY_CODE.CLEARED,
      eventType: 'communicationsAlarm',
      probableCause: 305,
      specificProblem: 'LOS on downstream port',
      managedObjectInstance: `SubNetwork=${el.province},ManagedElement=${el.id},Port=${port}`,
      element: o.aggregation,
      firstEventAt: raisedAt,
      lastEventAt: raisedAt,
      serviceAffecting: true,
      ackUser: null,
      ackAt: null,
      clearAt: active ? null : o.clearsAt,
      counter: 1,
      reductionKey: `uei.nms/linkDown::${el.id}:${port}`,
    };
  }

  /**
   * The storms listed at `now` on the given elements (all when undefined): those of the outages
   * open now or cleared in the last 24 hours, as the world lists outages.
   */
  storms(elements: ReadonlySet<number> | undefined, now: number): Storm[] {
    const provinces = new Set<string>();
    if (elements) {
      for (const e of elements) {
        const el = this.world.elements[e]!;
        if (el.kind === 'AGGREGATION') provinces.add(el.province);
      }
    } else for (const p of PROVINCES) provinces.add(p.code);
    const out: Storm[] = [];
    for (const p of provinces) {
      for (const o of this.world.outages(p, now)) {
        if (!elements || elements.has(o.aggregation)) out.push(this.stormOf(o));
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ flapping

  /** The alarm of one flapping source's episode (slot `n`) as of `now`, or undefined before it starts. */
  private flapAlarm(src: FlapSource, n: number, now: number): NmsAlarm | undefined {
    const start = slotStart(n) + src.phaseMs;
    if (now < start) return undefined;
    const cycles = Math.floor((slotStart(n + 1) - start) / src.periodMs);
    const c = Math.min(Math.floor((now - start) / src.periodMs), cycles - 1);
    const raisedAt = start + c * src.periodMs;
    const active = now < raisedAt + src.upMs;
    const el = this.world.elements[src.element]!;
    // Board 0 (the main board's uplink): no background alarm uses it.
    const port = `0/0/${src.j + 1}`;
    return {
      id: dynamicAlarmId(n, src.province, FLAP_K0 + src.lnInProvince * 16 + src.j),
      severity: active ? SEVERITY_CODE.MAJOR : SEVERITY_CODE.CLEARED,
      eventType: 'communicationsAlarm',
      probableCause: 305,
      specificProblem: 'LOS on uplink (flapping)',
      managedObjectInstance: `SubNetwork=${el.province},ManagedElement=${el.id},Port=${port}`,
      element: src.element,
      firstEventAt: start,
      lastEventAt: raisedAt,
      serviceAffecting: true,
      ackUser: null,
      ackAt: null,
      clearAt: active ? null : raisedAt + src.upMs,
      counter: c + 1,
      reductionKey: `uei.nms/linkDown::${el.id}:${port}`,
    };
  }

  /** The flapping alarms listed at `now` on the given elements (all when undefined). */
  flapAlarms(elements: ReadonlySet<number> | undefined, now: number): NmsAlarm[] {
    const sources = elements ? [...elements].flatMap((e) => this.flapsByElement.get(e) ?? []) : this.flapSources;
    const out: NmsAlarm[] = [];
    const last = World.slotOf(now);
    const first = World.slotOf(now - CLEARED_ALARM_RETENTION_MS) - 1;
    for (const src of sources) {
      for (let n = last; n >= first; n--) {
        const a = this.flapAlarm(src, n, now);
        if (a && (a.clearAt === null || a.clearAt > now - CLEARED_ALARM_RETENTION_MS)) out.push(a);
      }
    }
    return out;
  }

  /** Whether a flapping (service-affecting) alarm is raised on element `e` at `now`. */
  flappingActiveOn(e: number, now: number): boolean {
    const sources = this.flapsByElement.get(e);
    if (!sources) return false;
    const n = World.slotOf(now);
    return sources.some((src) => this.flapAlarm(src, n, now)?.clearAt === null);
  }

  /** The elements that carry a flapping source (for tests and docs). */
  flappingElements(): number[] {
    return this.flapSources.map((s) => s.element);
  }

  // ------------------------------------------------------------------ by id

  /** A dynamic alarm by id at `now` (raised by then, at most 90 days ago), or undefined. */
  alarm(id: number, now: number): NmsAlarm | undefined {
    const d = decodeDynamicId(id);
    if (!d) return undefined;
    const prov = PROVINCES[d.province]!;
    let a: NmsAlarm | undefined;
    if (d.k < FLAP_K0) {
      let outage: Outage | undefined;
      for (const ln of prov.networks) {
        const o = this.world.outage(`OUT-${prov.code}-${ln.code}-${pad(d.slot % 10_000, 4)}`, now);
        if (o && o.slot === d.slot) outage = o;
      }
      if (!outage) return undefined;
      const s = this.stormOf(outage);
      if (d.k >= s.size) return undefined;
      a = this.stormAlarm(s, d.k, now);
    } else {
      const r = d.k - FLAP_K0;
      const ln = prov.networks[r >> 4];
      const src = ln && this.flapSources.find((s) => s.ln === ln && s.j === (r & 15));
      if (!src) return undefined;
      a = this.flapAlarm(src, d.slot, now);
    }
    if (!a || a.firstEventAt > now || a.firstEventAt < now - ALARM_HISTORY_MS) return undefined;
    return a;
  }
}
