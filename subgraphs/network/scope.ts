import type { Area, Viewer } from '../../lib/viewer.js';
import { inScope } from '../../lib/viewer.js';
import { outOfScope } from '../shared/auth.js';
import type { RequestScope } from '../shared/server.js';
import type { Alarm, NetworkElement, Outage, Region, Service } from './domain.js';
import type { Loaders, OutageFilterKey } from './loaders.js';

/**
 * Region scope in the network subgraph (design.md, "Viewers, roles and scope"). The NMS records a
 * province and local network on every service, element and outage; this subgraph checks it on
 * every one it returns, through `_entities` as everywhere:
 *
 * - a single entity outside the viewer's region — an element ({@link visibleElement}), an outage
 *   ({@link visibleOutage}), an alarm by the element it sits on ({@link visibleAlarm}) — is null
 *   with FORBIDDEN; a service line's network fields are null with FORBIDDEN when the NMS records
 *   the service elsewhere ({@link visibleService});
 * - lists (outages, an outage's lines and root causes, a line's alarms, a customer's outages) leave
 *   out what the viewer may not see, without an error;
 * - `outages` carries the viewer's region to the NMS ({@link scopedOutageFilter}), and a filter
 *   asking for another region is an empty list without an NMS call.
 *
 * The NMS has no notion of a caller's scope: these checks are the only ones.
 *
 * A province-level element (a core router: no local network) is headquarters' and its
 * province's, not a local network's (lib/viewer.ts `inScope`): a local-network viewer sees the
 * access and aggregation elements of its network, and none of the core.
 */

const SYSTEM = 'network';

/** Null for null; the service when the viewer may see it (by the region the NMS records); else FORBIDDEN. */
export function visibleService(scope: RequestScope, service: Service | null): Service | null {
  if (service === null) return null;
  if (!inScope(scope.viewer, service.region)) throw outOfScope(SYSTEM, scope.viewer, `Service line ${service.serviceNumber}`, { serviceNumber: service.serviceNumber });
  return service;
}

/** Null for null; the element when the viewer may see it; else FORBIDDEN with its id. */
export function visibleElement(scope: RequestScope, element: NetworkElement | null): NetworkElement | null {
  if (element === null) return null;
  if (!inScope(scope.viewer, element.region)) throw outOfScope(SYSTEM, scope.viewer, `Network element ${element.id}`, { elementId: element.id });
  return element;
}

/** Null for null; the outage when the viewer may see it; else FORBIDDEN with its id. */
export function visibleOutage(scope: RequestScope, outage: Outage | null): Outage | null {
  if (outage === null) return null;
  if (!inScope(scope.viewer, outage.region)) throw outOfScope(SYSTEM, scope.viewer, `Outage ${outage.id}`, { outageId: outage.id });
  return outage;
}

/**
 * Null for null; the alarm when the viewer may see the element it sits on; else FORBIDDEN. An
 * alarm records no region of its own (its DN names a province, but not reliably a local network),
 * so its element is read — for a regional viewer only: headquarters sees every alarm unasked.
 * An element the NMS no longer knows has no region, which is headquarters' alone.
 */
export async function visibleAlarm(scope: RequestScope & { readonly loaders: Loaders }, alarm: Alarm | null): Promise<Alarm | null> {
  if (alarm === null || isHeadquarters(scope.viewer)) return alarm;
  const element = await scope.loaders.element.load(alarm.elementId);
  if (!inScope(scope.viewer, element?.region)) throw outOfScope(SYSTEM, scope.viewer, `Alarm ${alarm.id}`, { alarmId: alarm.id, elementId: alarm.elementId });
  return alarm;
}

/**
 * The alarms of a list the viewer may see, in order: those on elements in the viewer's region.
 * One element read for all of them (the element loader batches); none for headquarters.
 */
export async function alarmsInScope(scope: RequestScope & { readonly loaders: Loaders }, alarms: readonly Alarm[]): Promise<Alarm[]> {
  if (isHeadquarters(scope.viewer) || alarms.length === 0) return [...alarms];
  const elements = await Promise.all([...new Set(alarms.map((a) => a.elementId))].map((id) => scope.loaders.element.load(id)));
  const visible = new Set(elements.filter((e): e is NetworkElement => e !== null && inScope(scope.viewer, e.region)).map((e) => e.id));
  return alarms.filter((a) => visible.has(a.elementId));
}

/** The records of a list the viewer may see, in order (the others are left out without an error). */
export function inViewerScope<T extends { readonly region: Region }>(viewer: Viewer, items: readonly T[]): T[] {
  return isHeadquarters(viewer) ? [...items] : items.filter((item) => inScope(viewer, item.region));
}

/**
 * The viewer's region folded into `GET /outages`'s `province` / `localNetwork`: the filter itself
 * when it asks for a part of the viewer's region, narrowed to the viewer's region when it asks
 * for more (no filter at all included), and `'empty'` when it asks for a region the viewer may
 * not see — nothing could match, so the NMS is not asked.
 */
export function scopedOutageFilter(viewer: Viewer, filter: OutageFilterKey): OutageFilterKey | 'empty' {
  const { province, localNetwork } = viewer.region;
  if (province === undefined) return filter;
  if (filter.province !== undefined && filter.province !== province) return 'empty';
  if (localNetwork !== undefined && filter.localNetwork !== undefined && filter.localNetwork !== localNetwork) return 'empty';
  return { province, localNetwork: localNetwork ?? filter.localNetwork };
}

function isHeadquarters(viewer: Viewer): boolean {
  return viewer.region.province === undefined;
}

/**
 * design.md's permission matrix for this subgraph's fields (lib/viewer.ts `Area`); the shared
 * server guards each listed field (`guardFieldAreas`). Everything the NMS tells is `network`,
 * which every role reads today (the NOC included); listed all the same, so that a change of the
 * matrix needs no change here. The keys (`Customer.id`, `ServiceLine.serviceNumber`) are the
 * areas they belong to elsewhere; `Customer.serviceLines` is billing's (external here).
 */
export const networkFieldAreas: Readonly<Record<string, Area>> = {
  'Query.outages': 'network',
  'Query.outage': 'network',
  'ServiceLine.serviceNumber': 'lines',
  'ServiceLine.networkStatus': 'network',
  'ServiceLine.accessElement': 'network',
  'ServiceLine.activeAlarms': 'network',
  'Customer.id': 'customer-basic',
  'Customer.affectingOutages': 'network',
  'NetworkStatus.operState': 'network',
  'NetworkStatus.adminState': 'network',
  'NetworkStatus.affected': 'network',
  'NetworkElement.id': 'network',
  'NetworkElement.name': 'network',
  'NetworkElement.kind': 'network',
  'NetworkElement.region': 'network',
  'NetworkElement.parent': 'network',
  'Alarm.id': 'network',
  'Alarm.severity': 'network',
  'Alarm.eventType': 'network',
  'Alarm.probableCause': 'network',
  'Alarm.specificProblem': 'network',
  'Alarm.managedObject': 'network',
  'Alarm.raisedAt': 'network',
  'Alarm.clearedAt': 'network',
  'Alarm.acknowledged': 'network',
  'Alarm.serviceAffecting': 'network',
  'Alarm.element': 'network',
  'Outage.id': 'network',
  'Outage.region': 'network',
  'Outage.status': 'network',
  'Outage.startedAt': 'network',
  'Outage.rootCauseAlarms': 'network',
  'Outage.affectedServiceCount': 'network',
  'Outage.affectedServiceLines': 'network',
};
