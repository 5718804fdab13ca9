import { XMLParser } from 'fast-xml-parser';
import { formatLocal } from '../../../emulators/shared/time.js';
import { World, type Alarm, type Line, type Outage } from '../../../emulators/shared/world.js';
import type { TestEmulator } from '../../helpers/emulators.js';
import { testWorld } from '../../helpers/emulators.js';

/** Helpers for the NMS emulator's tests: calls, XML → JSON shape, and expectations from the world. */

export const NOW = Date.parse('2026-11-24T10:00:00+08:00');
export const BASIC = `Basic ${Buffer.from('gateway:gateway-dev').toString('base64')}`;

export interface CallOptions {
  method?: string;
  body?: unknown;
  json?: boolean;
  auth?: string | null;
  headers?: Record<string, string>;
}

export async function call(em: TestEmulator, path: string, o: CallOptions = {}) {
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  if (o.auth !== null) headers.authorization = o.auth ?? BASIC;
  if (o.json) headers.accept = 'application/json';
  if (o.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${em.url}/nms/rest${path}`, {
    method: o.method ?? (o.body === undefined ? 'GET' : 'POST'),
    headers,
    body: o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text };
}

/** A JSON call that must answer 200; returns the parsed body. */
export async function json<T = any>(em: TestEmulator, path: string, o: CallOptions = {}): Promise<T> {
  const r = await call(em, path, { ...o, json: true });
  if (r.status !== 200) throw new Error(`${path} → ${r.status} ${r.text}`);
  return JSON.parse(r.text) as T;
}

/** An XML call that must answer 200; returns the body converted to the JSON shape. */
export async function xml<T = any>(em: TestEmulator, path: string, o: CallOptions = {}): Promise<T> {
  const r = await call(em, path, o);
  if (r.status !== 200) throw new Error(`${path} → ${r.status} ${r.text}`);
  return fromXml(r.text) as T;
}

const LIST_ROOTS: Record<string, string> = { services: 'service', alarms: 'alarm', outages: 'outage', nes: 'ne' };
const LIST_FIELDS: Record<string, string> = { supportingNeIds: 'neId', outageIds: 'outageId', rootCauseAlarmIds: 'alarmId', affectedNeIds: 'neId' };
const NUMERIC: Record<string, string[]> = {
  alarm: ['id', 'severity', 'probableCause', 'counter'],
  outage: ['affectedServiceCount'],
  error: ['status'],
};
const BOOLEAN = ['affected', 'serviceAffecting'];

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  // A list item is an array wherever it sits in a list: `alarms.alarm`, `….supportingNeIds.neId`.
  isArray: (name, jpath) => {
    const path = String(jpath).split('.');
    const parent = path[path.length - 2] ?? '';
    return LIST_ROOTS[parent] === name || LIST_FIELDS[parent] === name;
  },
});

function record(tag: string, r: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) {
    const item = LIST_FIELDS[k];
    if (item) {
      const values = v === '' ? [] : ((v as Record<string, string[]>)[item] ?? []);
      out[k] = k === 'rootCauseAlarmIds' ? values.map(Number) : values;
    } else if (v === '') out[k] = null;
    else if (NUMERIC[tag]?.includes(k)) out[k] = Number(v);
    else if (BOOLEAN.includes(k)) out[k] = v === 'true';
    else out[k] = v;
  }
  return out;
}

/** Reads an NMS XML answer into the shape the same answer has in JSON. */
export function fromXml(text: string): unknown {
  const doc = parser.parse(text) as Record<string, any>;
  const rootName = Object.keys(doc).find((k) => k !== '?xml')!;
  const root = doc[rootName];
  const item = LIST_ROOTS[rootName];
  if (item) {
    const r = root === '' ? {} : root;
    return {
      totalCount: Number(r.totalCount),
      offset: Number(r.offset),
      limit: Number(r.limit),
      [item]: ((r[item] ?? []) as Record<string, unknown>[]).map((x) => record(item, x)),
    };
  }
  return record(rootName, root);
}

// ------------------------------------------------------------------ expectations from the world

const t = (ms: number) => formatLocal(ms, 'yyyy-MM-dd HH:mm:ss');

/** A service as the NMS must show it at `now` with dynamics off. */
export function expectedService(line: Line, now = NOW, world: World = testWorld) {
  const st = world.lineNetworkState(line, now);
  const ids = line.supporting.map((e) => world.elements[e]!.id);
  return {
    serviceId: line.serviceId,
    serviceNumber: line.serviceNumber,
    type: line.kind,
    customerCode: world.customerId(line.customer),
    province: line.province,
    localNetwork: line.localNetwork,
    accessNeId: ids[0],
    supportingNeIds: ids,
    operState: st.operState,
    adminState: st.adminState,
    affected: st.affected,
    outageIds: st.outageIds,
  };
}

const VENDOR = { INDETERMINATE: 0, CRITICAL: 1, MAJOR: 2, MINOR: 3, WARNING: 4 } as const;

/**
 * The fields of a world alarm the NMS shows unchanged at `now` (those that do not depend on how
 * much of the alarm's life has happened yet).
 */
export function expectedAlarmCore(a: Alarm, now = NOW) {
  const active = World.isActive(a, now);
  return {
    id: a.id,
    severity: active ? VENDOR[a.severity] : 5,
    severityLabel: active ? a.severity : 'CLEARED',
    eventType: a.eventType,
    probableCause: a.probableCause,
    specificProblem: a.specificProblem,
    managedObjectInstance: a.managedObjectInstance,
    neId: testWorld.elements[a.element]!.id,
    firstEventTime: t(a.raisedAt),
    serviceAffecting: a.serviceAffecting,
    clearTime: active ? null : t(a.clearsAt),
    reductionKey: a.reductionKey,
  };
}

export function expectedOutage(o: Outage, now = NOW) {
  const access = testWorld.elements.filter((e) => e.parent === o.aggregation && e.kind === 'ACCESS').map((e) => e.id);
  return {
    id: o.id,
    province: o.province,
    localNetwork: o.localNetwork,
    status: World.isOpen(o, now) ? 'open' : 'cleared',
    startTime: t(o.startedAt),
    rootCauseAlarmIds: [o.rootCauseAlarmId],
    affectedNeIds: [testWorld.elements[o.aggregation]!.id, ...access],
    affectedServiceCount: testWorld.linesOnAggregation(o.aggregation).length,
  };
}

/** Every alarm the world lists at `now`, on the given elements (all when omitted). */
export function worldAlarms(now = NOW, elements?: readonly number[]): Alarm[] {
  const els = elements ?? testWorld.elements.map((e) => e.index);
  return els.flatMap((e) => testWorld.alarmsOnElement(e, now));
}

export const RANK: Record<number, number> = { 1: 0, 2: 1, 3: 2, 4: 3, 0: 4, 5: 5 };

/** Whether a list of wire alarms is sorted worst first, then newest lastEventTime. */
export function isSorted(alarms: { severity: number; lastEventTime: string }[]): boolean {
  for (let k = 1; k < alarms.length; k++) {
    const a = alarms[k - 1]!;
    const b = alarms[k]!;
    const ra = RANK[a.severity]!;
    const rb = RANK[b.severity]!;
    if (ra > rb || (ra === rb && a.lastEventTime < b.lastEventTime)) return false;
  }
  return true;
}
