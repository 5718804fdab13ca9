import { PROVINCES, localNetwork as findLocalNetwork, province as findProvince } from '../shared/regions.js';
import { World, type Line, type LineNetworkState, type NetworkElement, type Outage } from '../shared/world.js';
import { AlarmBook } from './alarms.js';
import { NmsError } from './errors.js';

/**
 * The NMS's records and rules (contract §2), derived from the shared world on demand: the service
 * inventory with each line's network state, the topology, outages, and the limits (batch size,
 * page size). Alarms live in {@link AlarmBook}. Nothing here knows XML or HTTP.
 */

/** contract §2: every batch call takes up to 100 keys. */
export const BATCH_LIMIT = 100;
/** contract §2: a list call without `limit` answers ten — a client that forgets to page sees ten. */
export const DEFAULT_PAGE_SIZE = 10;
/** contract §2: `limit=0` means "all", capped at 5 000; larger limits are capped too. */
export const MAX_PAGE_SIZE = 5000;
/** contract §2: `operState` lags a new critical alarm by about 60 s (dynamics only). */
export const OPER_STATE_LAG_MS = 60_000;
/** How many aggregations' line lists are kept (an outage's services are paged from it). */
const AGGREGATION_CACHE_SIZE = 16;

export interface Paging {
  readonly offset: number;
  /** The page size in force (1 … 5 000). */
  readonly limit: number;
}

/**
 * Reads `offset` and `limit` as the NMS does: whole numbers ≥ 0; no limit = 10; 0 = all (5 000).
 * Throws INVALID_PARAMETER otherwise.
 */
export function paging(offsetRaw: unknown, limitRaw: unknown): Paging {
  const whole = (name: string, raw: unknown, fallback: number): number => {
    if (raw === undefined || raw === null) return fallback;
    const v = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(v) || v < 0) throw new NmsError('INVALID_PARAMETER', `${name} must be a whole number ≥ 0, got ${JSON.stringify(raw)}`);
    return v;
  };
  const offset = whole('offset', offsetRaw, 0);
  const limit = whole('limit', limitRaw, DEFAULT_PAGE_SIZE);
  return { offset, limit: limit === 0 ? MAX_PAGE_SIZE : Math.min(limit, MAX_PAGE_SIZE) };
}

/** Throws BATCH_TOO_LARGE when a batch holds more than {@link BATCH_LIMIT} keys. */
export function checkBatch(field: string, keys: readonly unknown[]): void {
  if (keys.length > BATCH_LIMIT) {
    throw new NmsError('BATCH_TOO_LARGE', `${field} holds ${keys.length} entries; at most ${BATCH_LIMIT} per call`);
  }
}

export interface ServiceRecord {
  readonly line: Line;
  readonly customerCode: string;
  readonly accessNeId: string;
  readonly supportingNeIds: readonly string[];
  readonly state: LineNetworkState;
}

export interface OutageRecord {
  readonly outage: Outage;
  readonly open: boolean;
  readonly affectedNeIds: readonly string[];
  readonly affectedServiceCount: number;
}

export class NetworkModel {
  readonly alarms: AlarmBook;
  /** Per aggregation element: its access elements (what an outage on it affects). */
  private readonly children = new Map<number, number[]>();
  /** Lines per aggregation, counted once (they never change). */
  private readonly aggregationCounts = new Map<number, number>();
  /** A few aggregations' lines as NMS service-id numbers, least recently used first. */
  private readonly aggregationLines = new Map<number, Uint32Array>();

  constructor(readonly world: World) {
    this.alarms = new AlarmBook(world);
    for (const e of world.elements) {
      if (e.parent >= 0 && e.kind === 'ACCESS') {
        const list = this.children.get(e.parent) ?? [];
        list.push(e.index);
        this.children.set(e.parent, list);
      }
    }
  }

  // ------------------------------------------------------------------ services

  /** A customer's services: billing's lines (`world.lines`), not the CRM's possibly stale list. */
  linesOfCustomer(customerCode: string): Line[] {
    const i = this.world.customerIndexById(customerCode);
    return i < 0 ? [] : this.world.lines(i);
  }

  /** The lines with these numbers, in request order, each once; unknown numbers are left out. */
  linesByNumbers(numbers: readonly string[]): Line[] {
    const seen = new Set<string>();
    const out: Line[] = [];
    for (const n of numbers) {
      if (seen.has(n)) continue;
      seen.add(n);
      const line = this.world.line(n);
      if (line) out.push(line);
    }
    return out;
  }

  /**
   * Lines as NMS services at `now`. The network state is the world's (`lineNetworkState`); with
   * dynamics on, `operState` lags a new critical alarm by {@link OPER_STATE_LAG_MS} and a flapping
   * link on the access element makes the line affected while it is down.
   */
  services(lines: readonly Line[], now: number, dynamics: boolean): ServiceRecord[] {
    // A line's state depends only on its elements and its status: compute it once per pair.
    const memo = new Map<string, LineNetworkState>();
    return lines.map((line) => {
      const memoKey = `${line.supporting[0]}/${line.status}`;
      let state = memo.get(memoKey);
      if (!state) {
        state = this.world.lineNetworkState(line, now, dynamics ? OPER_STATE_LAG_MS : 0);
        if (dynamics && !state.affected && line.supporting.some((e) => this.alarms.dynamics.flappingActiveOn(e, now))) {
          state = { ...state, affected: true };
        }
        memo.set(memoKey, state);
      }
      const supportingNeIds = line.supporting.map((e) => this.world.elements[e]!.id);
      return {
        line,
        customerCode: this.world.customerId(line.customer),
        accessNeId: supportingNeIds[0]!,
        supportingNeIds,
        state,
      };
    });
  }

  // ------------------------------------------------------------------ topology

  element(id: string): NetworkElement | undefined {
    return this.world.element(id);
  }

  /** The elements with these ids, in request order, each once; unknown ids are left out. */
  elementsByIds(ids: readonly string[]): NetworkElement[] {
    const seen = new Set<string>();
    const out: NetworkElement[] = [];
    for (const id of ids) {
      if (seen.has(id)) continue;
      seen.add(id);
      const e = this.world.element(id);
      if (e) out.push(e);
    }
    return out;
  }

  /** Element indexes of these ids (unknown ids are simply not there: they carry no alarms). */
  elementIndexes(ids: readonly string[]): Set<number> {
    const out = new Set<number>();
    for (const id of ids) {
      const e = this.world.element(id);
      if (e) out.add(e.index);
    }
    return out;
  }

  // ------------------------------------------------------------------ outages

  /**
   * Outages open at `now` or cleared in the last 24 hours, newest first (then by id), of one
   * province and/or local network, or of the whole country. An unknown region has none.
   */
  outages(province: string | undefined, localNetwork: string | undefined, now: number): Outage[] {
    let provinces = PROVINCES.map((p) => p.code);
    if (province !== undefined) provinces = findProvince(province) ? [province] : [];
    if (localNetwork !== undefined) {
      const ln = findLocalNetwork(localNetwork, province);
      provinces = ln ? [ln.province] : [];
    }
    const out = provinces.flatMap((p) => this.world.outages(p, now)).filter((o) => localNetwork === undefined || o.localNetwork === localNetwork);
    return out.sort((a, b) => b.startedAt - a.startedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  outage(id: string, now: number): Outage | undefined {
    return this.world.outage(id, now);
  }

  /** The outages with these ids at `now`, in request order, each once; unknown ids left out. */
  outagesByIds(ids: readonly string[], now: number): Outage[] {
    const seen = new Set<string>();
    const out: Outage[] = [];
    for (const id of ids) {
      if (seen.has(id)) continue;
      seen.add(id);
      const o = this.world.outage(id, now);
      if (o) out.push(o);
    }
    return out;
  }

  outageRecord(o: Outage, now: number): OutageRecord {
    const els = this.world.elements;
    return {
      outage: o,
      open: World.isOpen(o, now),
      affectedNeIds: [els[o.aggregation]!.id, ...(this.children.get(o.aggregation) ?? []).map((e) => els[e]!.id)],
      affectedServiceCount: this.aggregationCount(o.aggregation),
    };
  }

  /** How many services ride on an aggregation element (all of them are hit by an outage on it). */
  aggregationCount(agg: number): number {
    let n = this.aggregationCounts.get(agg);
    if (n === undefined) n = this.aggregationServiceIds(agg).length;
    return n;
  }

  /** The services of an outage at positions [offset, offset + limit), in the world's line order. */
  outageLines(o: Outage, offset: number, limit: number): Line[] {
    const keys = this.aggregationServiceIds(o.aggregation);
    const out: Line[] = [];
    for (let k = offset; k < Math.min(keys.length, offset + limit); k++) out.push(this.world.lineByKey(keys[k]!)!);
    return out;
  }

  /**
   * The lines on an aggregation element, kept as line keys (4 bytes a line) in a small LRU:
   * `world.lineKeysOnAggregation` walks a whole local network (tens of ms at 1 000 000 customers).
   */
  private aggregationServiceIds(agg: number): Uint32Array {
    const hit = this.aggregationLines.get(agg);
    if (hit) {
      this.aggregationLines.delete(agg);
      this.aggregationLines.set(agg, hit);
      return hit;
    }
    const ids = this.world.lineKeysOnAggregation(agg);
    if (this.aggregationLines.size >= AGGREGATION_CACHE_SIZE) this.aggregationLines.delete(this.aggregationLines.keys().next().value!);
    this.aggregationLines.set(agg, ids);
    this.aggregationCounts.set(agg, ids.length);
    return ids;
  }

  /** Forgets every write (acknowledgements). */
  reset(): void {
    this.alarms.reset();
  }
}
