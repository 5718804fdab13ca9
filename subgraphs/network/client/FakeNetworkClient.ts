import type { ProductError } from '../../../lib/errors.js';
import { compareAlarms, severityRank, type Alarm, type AlarmSeverity, type NetworkElement, type Outage, type Page, type Service } from '../domain.js';
import type { NetworkClient } from './NetworkClient.js';

/** What a {@link FakeNetworkClient} knows: domain values, as the HTTP client would answer them. */
export interface FakeNetworkData {
  readonly services?: readonly Service[];
  readonly elements?: readonly NetworkElement[];
  /** Active and cleared alarms; `activeAlarms` answers the uncleared ones. */
  readonly alarms?: readonly Alarm[];
  readonly outages?: readonly Outage[];
  /** An outage's affected services by number, in order; by default the services listing the outage. */
  readonly outageServices?: Readonly<Record<string, readonly string[]>>;
}

export type FakeCall = { readonly method: keyof NetworkClient; readonly args: readonly unknown[] };

/**
 * An in-memory NMS for resolver tests: answers from {@link FakeNetworkData}, records every call
 * (`calls`) and fails any method on demand (`fail`). No HTTP, no batching limits, no paging.
 */
export class FakeNetworkClient implements NetworkClient {
  readonly calls: FakeCall[] = [];
  private readonly failures = new Map<keyof NetworkClient, ProductError>();

  constructor(private readonly data: FakeNetworkData = {}) {}

  /** Makes every later call of `method` throw `error` (e.g. a LEGACY_UNAVAILABLE ProductError). */
  fail(method: keyof NetworkClient, error: ProductError): this {
    this.failures.set(method, error);
    return this;
  }

  /** How many times `method` was called. */
  count(method: keyof NetworkClient): number {
    return this.calls.filter((c) => c.method === method).length;
  }

  private record(method: keyof NetworkClient, ...args: unknown[]): void {
    this.calls.push({ method, args });
    const failure = this.failures.get(method);
    if (failure) throw failure;
  }

  async servicesByNumbers(serviceNumbers: readonly string[]): Promise<Service[]> {
    this.record('servicesByNumbers', serviceNumbers);
    return pick(serviceNumbers, this.data.services, (s) => s.serviceNumber);
  }

  async elementsByIds(ids: readonly string[]): Promise<NetworkElement[]> {
    this.record('elementsByIds', ids);
    return pick(ids, this.data.elements, (e) => e.id);
  }

  async activeAlarms(elementIds: readonly string[], minSeverity: Exclude<AlarmSeverity, 'CLEARED'>): Promise<Alarm[]> {
    this.record('activeAlarms', elementIds, minSeverity);
    const ids = new Set(elementIds);
    return (this.data.alarms ?? [])
      .filter((a) => ids.has(a.elementId) && a.clearedAt === null && severityRank(a.severity) <= severityRank(minSeverity))
      .sort(compareAlarms);
  }

  async alarmsByIds(ids: readonly string[]): Promise<Alarm[]> {
    this.record('alarmsByIds', ids);
    return pick(ids, this.data.alarms, (a) => a.id);
  }

  async outagesByIds(ids: readonly string[]): Promise<Outage[]> {
    this.record('outagesByIds', ids);
    return pick(ids, this.data.outages, (o) => o.id);
  }

  async outages(filter: { province?: string | undefined; localNetwork?: string | undefined }): Promise<Outage[]> {
    this.record('outages', filter);
    return (this.data.outages ?? [])
      .filter((o) => (!filter.province || o.region.province === filter.province) && (!filter.localNetwork || o.region.localNetwork === filter.localNetwork))
      .sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0));
  }

  async outageServices(outageId: string, offset: number, count: number): Promise<Page<Service> | null> {
    this.record('outageServices', outageId, offset, count);
    if (!(this.data.outages ?? []).some((o) => o.id === outageId)) return null;
    const numbers = this.data.outageServices?.[outageId];
    const all = numbers
      ? pick(numbers, this.data.services, (s) => s.serviceNumber)
      : (this.data.services ?? []).filter((s) => s.outageIds.includes(outageId));
    return { totalCount: all.length, items: all.slice(offset, offset + count) };
  }
}

/** The records with these keys, in key order, each once, unknown keys absent — as NMS batches answer. */
function pick<T>(keys: readonly string[], records: readonly T[] | undefined, keyOf: (r: T) => string): T[] {
  const byKey = new Map((records ?? []).map((r) => [keyOf(r), r]));
  return [...new Set(keys)].flatMap((k) => (byKey.has(k) ? [byKey.get(k)!] : []));
}
