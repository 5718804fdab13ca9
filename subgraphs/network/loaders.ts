import DataLoader from 'dataloader';
import { staleIfError, type StaleContext } from '../shared/staleCache.js';
import { rememberedOrLoad, remember, type MemoryContext } from '../shared/requestMemory.js';
import type { NetworkClient } from './client/NetworkClient.js';
import { severityRank, SEVERITY_ORDER, type Alarm, type AlarmSeverity, type NetworkElement, type Outage, type Page, type Service } from './domain.js';
import { isAlarmId, isElementId, isOutageId, normalizeServiceNumber } from './keys.js';

/**
 * Per-request DataLoaders in front of every NMS read (design.md, "Performance principles"). Each
 * answers in key order with `null` for what the NMS does not know; a failed call rejects every key
 * of its batch; nothing is read twice within a request. Malformed keys never reach the NMS: they
 * are unknown (null) here. Nothing is cached across requests — alarms change by the second.
 */

export type ActiveMinSeverity = Exclude<AlarmSeverity, 'CLEARED'>;

/** The active alarms of one element, at least `minSeverity`. */
export interface ElementAlarmsKey {
  readonly elementId: string;
  readonly minSeverity: ActiveMinSeverity;
}

/** The region filter of `GET /outages`; absent = the whole country. */
export interface OutageFilterKey {
  readonly province?: string | undefined;
  readonly localNetwork?: string | undefined;
}

/** A page of an outage's affected services. */
export interface OutageServicesKey {
  readonly outageId: string;
  readonly offset: number;
  readonly count: number;
}

export interface Loaders {
  /** By service number (`POST /services/_batch`, 100 a call). */
  readonly service: DataLoader<string, Service | null, string>;
  /** By element id (`POST /nes/_batch`, 100 a call). */
  readonly element: DataLoader<string, NetworkElement | null>;
  /** By alarm id, a decimal string (`POST /alarms/_byIds`, 100 a call). */
  readonly alarm: DataLoader<string, Alarm | null>;
  /** By outage id (`POST /outages/_byIds`, 100 a call). */
  readonly outage: DataLoader<string, Outage | null>;
  /** Active alarms per element (`POST /alarms/_query`, 100 elements a call, every page). */
  readonly elementAlarms: DataLoader<ElementAlarmsKey, Alarm[], string>;
  /** `GET /outages` per region filter, every page (no batch form: one read per filter, deduplicated). */
  readonly outageList: DataLoader<OutageFilterKey, Outage[], string>;
  /** `GET /outages/{id}/services` pages (no batch form: one call per page, deduplicated). */
  readonly outageServices: DataLoader<OutageServicesKey, Page<Service> | null, string>;
  /** This request's memory across the gateway's fetches, when it has one (primeServices writes to it). */
  readonly memory?: MemoryContext;
}

export interface LoaderOptions {
  /** Keys per batch call. @default 100 (contract §2) */
  readonly batchSize?: number;
  /** Stale-if-error for services (subgraphs/shared/staleCache.ts). @default none */
  readonly stale?: StaleContext | undefined;
  /** What this gateway request already read in its earlier fetches (subgraphs/shared/requestMemory.ts): service lines and outages. @default none */
  readonly memory?: MemoryContext | undefined;
}

/** Answers `keys` in order from what was found, `null` where nothing was. */
function inKeyOrder<K, V>(keys: readonly K[], found: readonly V[], keyOf: (v: V) => K): (V | null)[] {
  const byKey = new Map<K, V>();
  for (const v of found) byKey.set(keyOf(v), v);
  return keys.map((k) => byKey.get(k) ?? null);
}

/** A batch function over the well-formed keys only; malformed ones answer null unasked. */
function wellFormed<V>(isValid: (key: string) => boolean, read: (keys: string[]) => Promise<V[]>, keyOf: (v: V) => string) {
  return async (keys: readonly string[]): Promise<(V | null)[]> => {
    const valid = keys.filter(isValid);
    const found = valid.length ? await read(valid) : [];
    return inKeyOrder(keys, found, keyOf);
  };
}

export function createLoaders(client: NetworkClient, options: LoaderOptions = {}): Loaders {
  const maxBatchSize = options.batchSize ?? 100;

  const service = new DataLoader<string, Service | null, string>(
    // Keys are normalised numbers (`loadService` below), so ` ad0755…` and `AD0755…` are one read.
    // A line this gateway request read in an earlier fetch (e.g. on an outage's page) is not read again.
    (keys) => rememberedOrLoad(options.memory, options.stale, 'ServiceLine', keys, wellFormed((n) => normalizeServiceNumber(n) === n, (ns) => client.servicesByNumbers(ns), (s) => s.serviceNumber)),
    { maxBatchSize },
  );

  const element = new DataLoader<string, NetworkElement | null>(
    wellFormed(isElementId, (ids) => client.elementsByIds(ids), (e) => e.id),
    { maxBatchSize },
  );

  const alarm = new DataLoader<string, Alarm | null>(
    wellFormed(isAlarmId, (ids) => client.alarmsByIds(ids), (a) => a.id),
    { maxBatchSize },
  );

  const outage = new DataLoader<string, Outage | null>(
    // An outage this gateway request read in an earlier fetch is not read again.
    (keys) => rememberedOrLoad(options.memory, undefined, 'Outage', keys, wellFormed(isOutageId, (ids) => client.outagesByIds(ids), (o) => o.id)),
    { maxBatchSize },
  );

  const elementAlarms = new DataLoader<ElementAlarmsKey, Alarm[], string>(
    async (keys) => {
      // One `_query` for every element the request's lines ride on, at the lowest severity any
      // field asked for; each key then keeps what reaches its own minSeverity.
      const lowest = SEVERITY_ORDER[Math.max(...keys.map((k) => severityRank(k.minSeverity)))] as ActiveMinSeverity;
      const elementIds = [...new Set(keys.map((k) => k.elementId).filter(isElementId))];
      const alarms = elementIds.length ? await client.activeAlarms(elementIds, lowest) : [];
      const byElement = new Map<string, Alarm[]>();
      for (const a of alarms) {
        const list = byElement.get(a.elementId);
        if (list) list.push(a);
        else byElement.set(a.elementId, [a]);
      }
      return keys.map((k) => (byElement.get(k.elementId) ?? []).filter((a) => severityRank(a.severity) <= severityRank(k.minSeverity)));
    },
    // No maxBatchSize here: the limit of 100 is on distinct elements, not on keys (one element can
    // be asked for at two severities); the client chunks the distinct elements at 100, so 180
    // supporting elements with duplicates cost exactly ⌈distinct / 100⌉ calls.
    { cacheKeyFn: (k) => `${k.minSeverity}:${k.elementId}` },
  );

  const outageServices = new DataLoader<OutageServicesKey, Page<Service> | null, string>(
    (keys) => Promise.all(keys.map((k) => client.outageServices(k.outageId, k.offset, k.count))),
    { cacheKeyFn: (k) => `${k.outageId}@${k.offset}+${k.count}` },
  );

  const outageList = new DataLoader<OutageFilterKey, Outage[], string>((keys) => Promise.all(keys.map((k) => client.outages(k))), {
    cacheKeyFn: (k) => `${k.province ?? '*'}/${k.localNetwork ?? '*'}`,
  });

  return { service, element, alarm, outage, elementAlarms, outageList, outageServices, ...(options.memory ? { memory: options.memory } : {}) };
}

/** Loads a service by any spelling of its number; null for a malformed or unknown one. */
export function loadService(loaders: Loaders, serviceNumber: string): Promise<Service | null> {
  const n = normalizeServiceNumber(serviceNumber);
  return n === undefined ? Promise.resolve(null) : loaders.service.load(n);
}

/** Loads services by number, each once, in the order given; null for malformed or unknown ones. */
export function loadServices(loaders: Loaders, serviceNumbers: readonly string[]): Promise<(Service | null)[]> {
  return Promise.all(serviceNumbers.map((n) => loadService(loaders, n)));
}

/** Makes later look-ups of these services in the same request free (e.g. an outage's page of lines). */
export function primeServices(loaders: Loaders, services: readonly Service[]): void {
  for (const s of services) {
    loaders.service.prime(s.serviceNumber, s);
    remember(loaders.memory, 'ServiceLine', s.serviceNumber, s);
  }
}

export function primeOutages(loaders: Loaders, outages: readonly Outage[]): void {
  for (const o of outages) {
    loaders.outage.prime(o.id, o);
    remember(loaders.memory, 'Outage', o.id, o);
  }
}
