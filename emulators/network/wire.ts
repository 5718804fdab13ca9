import type { IncomingHttpHeaders } from 'node:http';
import type { OutgoingResponse } from '../shared/server.js';
import { formatLocal } from '../shared/time.js';
import type { NetworkElement } from '../shared/world.js';
import { SEVERITY_LABEL, type NmsAlarm } from './alarm-record.js';
import { NMS_ERRORS, NmsError } from './errors.js';
import type { OutageRecord, ServiceRecord } from './model.js';

/**
 * The NMS's wire format (contract §2): XML without namespaces by default, JSON on
 * `Accept: application/json`, the same content either way. Each record is described once as an
 * ordered list of fields and written by both writers, so the two cannot drift apart.
 *
 * XML has no arrays and no null: a nested list is a wrapper element with one child per value
 * (`<supportingNeIds><neId>…</neId></supportingNeIds>`, empty when there are none) and null is an
 * empty element. JSON writes lists as arrays, always, and null as `null`.
 */

export type Format = 'xml' | 'json';
type Scalar = string | number | boolean | null;

/** A nested list: a wrapper element of `item` children in XML, an array in JSON. */
class WireList {
  constructor(
    readonly item: string,
    readonly values: readonly Scalar[],
  ) {}

  toJSON(): readonly Scalar[] {
    return this.values;
  }
}

type WireRecord = Record<string, Scalar | WireList>;

/** contract §2: all NMS times are local `yyyy-MM-dd HH:mm:ss` (Asia/Shanghai, no zone). */
export const NMS_TIME_FORMAT = 'yyyy-MM-dd HH:mm:ss';
const time = (ms: number | null) => (ms === null ? null : formatLocal(ms, NMS_TIME_FORMAT));

const XML_TYPE = 'application/xml;charset=UTF-8';
const JSON_TYPE = 'application/json;charset=UTF-8';

/** JSON when the caller's `Accept` names `application/json`; XML otherwise (the NMS's default). */
export function negotiate(headers: IncomingHttpHeaders): Format {
  const accept = headers.accept;
  return typeof accept === 'string' && /application\/json/i.test(accept) ? 'json' : 'xml';
}

// ------------------------------------------------------------------ records

export function serviceFields(s: ServiceRecord): WireRecord {
  return {
    serviceId: s.line.serviceId,
    serviceNumber: s.line.serviceNumber,
    type: s.line.kind,
    customerCode: s.customerCode,
    province: s.line.province,
    localNetwork: s.line.localNetwork,
    accessNeId: s.accessNeId,
    supportingNeIds: new WireList('neId', s.supportingNeIds),
    operState: s.state.operState,
    adminState: s.state.adminState,
    affected: s.state.affected,
    outageIds: new WireList('outageId', s.state.outageIds),
  };
}

export function elementFields(e: NetworkElement, parentId: string | null): WireRecord {
  return {
    id: e.id,
    name: e.name,
    kind: e.kind,
    parentId,
    province: e.province,
    localNetwork: e.localNetwork,
  };
}

export function alarmFields(a: NmsAlarm, neId: string): WireRecord {
  return {
    id: a.id,
    severity: a.severity,
    severityLabel: SEVERITY_LABEL[a.severity],
    eventType: a.eventType,
    probableCause: a.probableCause,
    specificProblem: a.specificProblem,
    managedObjectInstance: a.managedObjectInstance,
    neId,
    firstEventTime: time(a.firstEventAt),
    lastEventTime: time(a.lastEventAt),
    serviceAffecting: a.serviceAffecting,
    ackUser: a.ackUser,
    ackTime: time(a.ackAt),
    clearTime: time(a.clearAt),
    counter: a.counter,
    reductionKey: a.reductionKey,
  };
}

export function outageFields(r: OutageRecord): WireRecord {
  return {
    id: r.outage.id,
    province: r.outage.province,
    localNetwork: r.outage.localNetwork,
    status: r.open ? 'open' : 'cleared',
    startTime: time(r.outage.startedAt),
    rootCauseAlarmIds: new WireList('alarmId', [r.outage.rootCauseAlarmId]),
    affectedNeIds: new WireList('neId', r.affectedNeIds),
    affectedServiceCount: r.affectedServiceCount,
  };
}

// ------------------------------------------------------------------ writers

const NEEDS_ESCAPE = /[&<>"']/;

function escapeXml(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return s;
  return s.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&apos;'));
}

function xmlScalar(tag: string, v: Scalar): string {
  return v === null ? `<${tag}/>` : `<${tag}>${escapeXml(String(v))}</${tag}>`;
}

function xmlRecord(tag: string, rec: WireRecord, indent: string): string {
  const inner = `${indent}  `;
  let s = `${indent}<${tag}>\n`;
  for (const name in rec) {
    const v = rec[name]!;
    if (v instanceof WireList) {
      if (v.values.length === 0) s += `${inner}<${name}/>\n`;
      else {
        s += `${inner}<${name}>`;
        for (const x of v.values) s += xmlScalar(v.item, x);
        s += `</${name}>\n`;
      }
    } else s += `${inner}${xmlScalar(name, v)}\n`;
  }
  return `${s}${indent}</${tag}>\n`;
}

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** One record: `<ne>…</ne>`, or the bare object in JSON. */
export function entity(format: Format, tag: string, rec: WireRecord, status = 200): OutgoingResponse {
  if (format === 'json') return { status, headers: { 'content-type': JSON_TYPE }, body: JSON.stringify(rec) };
  return { status, headers: { 'content-type': XML_TYPE }, body: XML_DECLARATION + xmlRecord(tag, rec, '') };
}

export interface ListHead {
  readonly totalCount: number;
  readonly offset: number;
  readonly limit: number;
}

/**
 * A list: `<services totalCount=".." offset=".." limit=".."><service>…</service></services>`, or
 * `{ "totalCount", "offset", "limit", "service": [...] }`.
 */
export function list(format: Format, tag: string, itemTag: string, head: ListHead, recs: readonly WireRecord[]): OutgoingResponse {
  if (format === 'json') {
    const body = JSON.stringify({ totalCount: head.totalCount, offset: head.offset, limit: head.limit, [itemTag]: recs });
    return { status: 200, headers: { 'content-type': JSON_TYPE }, body };
  }
  const open = `<${tag} totalCount="${head.totalCount}" offset="${head.offset}" limit="${head.limit}"`;
  let body: string;
  if (recs.length === 0) body = `${open}/>\n`;
  else {
    body = `${open}>\n`;
    for (const r of recs) body += xmlRecord(itemTag, r, '  ');
    body += `</${tag}>\n`;
  }
  return { status: 200, headers: { 'content-type': XML_TYPE }, body: XML_DECLARATION + body };
}

/** contract §2: `GET /alarms/count` answers text/plain. */
export function plainCount(n: number): OutgoingResponse {
  return { status: 200, headers: { 'content-type': 'text/plain;charset=UTF-8' }, body: String(n) };
}

export function noContent(): OutgoingResponse {
  return { status: 204 };
}

/** The NMS's error body: `<error><status/><code/><message/></error>`, or the same as JSON. */
export function errorResponse(format: Format, e: NmsError): OutgoingResponse {
  const out = entity(format, 'error', { status: e.status, code: e.code, message: `${NMS_ERRORS[e.code].title}: ${e.message}` }, e.status);
  out.headers = { ...out.headers, ...e.headers };
  return out;
}

/**
 * contract §2: random 502 at `errorRate`. It comes from the reverse proxy in front of the NMS, so
 * it is the proxy's HTML page, not an NMS error body — a client must not try to parse it.
 */
export function badGateway(): OutgoingResponse {
  return {
    status: 502,
    headers: { 'content-type': 'text/html' },
    body: '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n',
  };
}

/**
 * §0 `malformedRate`: the answer cut off part way, still with status 200 — as when the NMS's
 * application server dies while streaming. Only XML and JSON bodies are cut.
 */
export function truncate(out: OutgoingResponse): OutgoingResponse {
  const type = out.headers?.['content-type'] ?? '';
  if (out.status !== 200 || typeof out.body !== 'string' || !/xml|json/.test(type)) return out;
  const bytes = Buffer.from(out.body, 'utf8');
  return { ...out, body: bytes.subarray(0, Math.max(1, Math.floor(bytes.length * 0.6))) };
}

// ------------------------------------------------------------------ requests

/** The user and password of an HTTP Basic `Authorization` header, or undefined. */
export function basicCredentials(headers: IncomingHttpHeaders): { user: string; password: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(headers.authorization ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * A JSON request body that must be an object with only the given fields. Throws MALFORMED_BODY
 * otherwise (the NMS's JSON binder rejects unknown properties).
 */
export function readJsonBody(body: Buffer, allowed: readonly string[]): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new NmsError('MALFORMED_BODY', `the body is not JSON (${(e as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new NmsError('MALFORMED_BODY', 'the body must be a JSON object');
  const rec = value as Record<string, unknown>;
  for (const k of Object.keys(rec)) {
    if (!allowed.includes(k)) throw new NmsError('MALFORMED_BODY', `unknown field "${k}"; this call takes ${allowed.map((a) => `"${a}"`).join(', ')}`);
  }
  return rec;
}

/** A required array field of strings. */
export function stringArray(rec: Record<string, unknown>, field: string): string[] {
  const v = rec[field];
  if (!Array.isArray(v)) throw new NmsError('MALFORMED_BODY', `"${field}" must be an array of strings`);
  if (!v.every((x) => typeof x === 'string')) throw new NmsError('MALFORMED_BODY', `every entry of "${field}" must be a string`);
  return v as string[];
}
