import { shanghaiIso } from '../../shared/time.js';
import type {
  Contacts,
  Customer,
  CustomerKind,
  CustomerStatus,
  Direction,
  Identification,
  Interaction,
  Region,
  Segment,
  Survey,
  Ticket,
  TicketPriority,
  TicketStatus,
  TicketType,
} from '../domain.js';
import { CrmBadResponseError } from './errors.js';
import type { WireActivity, WireCustomer, WireServiceRequest, WireSurvey } from './wire.js';

/**
 * The CRM's wire values → domain values, one small function per quirk of legacy-contracts.md §3.
 * A value off the CRM's value list is an unusable answer (LEGACY_BAD_RESPONSE), never a crash and
 * never a guess.
 */

/** contract §3: an empty string means null (and surrounding blanks mean nothing). */
export function nullIfEmpty(value: string | undefined): string | null {
  const v = value?.trim() ?? '';
  return v === '' ? null : v;
}

const CRM_TIME = /^(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2})$/;

/**
 * contract §3: CRM date-times are local Asia/Shanghai `MM/DD/YYYY HH:MM:SS` (month first) with no
 * zone; an empty string means null. → ISO-8601 with `+08:00`.
 */
export function crmTime(value: string | undefined, field: string): string | null {
  const v = nullIfEmpty(value);
  if (v === null) return null;
  const m = CRM_TIME.exec(v);
  const iso = m ? shanghaiIso(Number(m[3]), Number(m[1]), Number(m[2]), Number(m[4]), Number(m[5]), Number(m[6])) : undefined;
  if (!iso) throw new CrmBadResponseError(`${field} ${JSON.stringify(value)} is not a CRM date-time (MM/DD/YYYY HH:MM:SS)`);
  return iso;
}

/** A date-time the schema requires. */
function requiredTime(value: string | undefined, field: string): string {
  const iso = crmTime(value, field);
  if (iso === null) throw new CrmBadResponseError(`${field} is empty`);
  return iso;
}

/** contract §3: `Service Numbers` and `Billing Account Numbers` are comma-separated strings → arrays (blanks trimmed, empties dropped). */
export function commaList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** contract §3: CSAT (1–5) and NPS (0–10) arrive as strings. */
export function score(value: string | undefined, field: string, min: number, max: number): number | null {
  const v = nullIfEmpty(value);
  if (v === null) return null;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < min || n > max) throw new CrmBadResponseError(`${field} ${JSON.stringify(value)} is not a whole number from ${min} to ${max}`);
  return n;
}

/** A Siebel value list (LOV) read into a schema enum; off the list is a bad answer. */
function valueList<T extends string>(field: string, map: Readonly<Record<string, T>>) {
  return (value: string | undefined): T | null => {
    const v = nullIfEmpty(value);
    if (v === null) return null;
    const out = Object.hasOwn(map, v) ? map[v] : undefined;
    if (out === undefined) throw new CrmBadResponseError(`${field} ${JSON.stringify(value)} is not one of ${Object.keys(map).join(', ')}`);
    return out;
  };
}

function required<T>(value: T | null, field: string): T {
  if (value === null) throw new CrmBadResponseError(`${field} is empty`);
  return value;
}

/** contract §3 `Customer Type`: Individual / Organization (TMF629 individual / organization). */
export const CUSTOMER_KINDS: Readonly<Record<string, CustomerKind>> = { Individual: 'INDIVIDUAL', Organization: 'ORGANIZATION' };
export const customerKind = valueList('Customer Type', CUSTOMER_KINDS);

/** contract §3 customer `Status`: Active / Inactive / Suspended. */
export const CUSTOMER_STATUSES: Readonly<Record<string, CustomerStatus>> = { Active: 'ACTIVE', Inactive: 'INACTIVE', Suspended: 'SUSPENDED' };
export const customerStatus = valueList('Status', CUSTOMER_STATUSES);

/** contract §3 `Segment`: Mass / SME / Enterprise / Government. */
export const SEGMENTS: Readonly<Record<string, Segment>> = { Mass: 'MASS', SME: 'SME', Enterprise: 'ENTERPRISE', Government: 'GOVERNMENT' };
export const segment = valueList('Segment', SEGMENTS);

/** The CRM's spelling of a segment, for a searchspec. */
export function segmentToCrm(s: Segment): string {
  return Object.entries(SEGMENTS).find(([, v]) => v === s)![0];
}

/** contract §3 ticket `Type`: Complaint / Incident / Request (TMF621 ticket types). */
export const TICKET_TYPES: Readonly<Record<string, TicketType>> = { Complaint: 'COMPLAINT', Incident: 'INCIDENT', Request: 'REQUEST' };
export const ticketType = valueList('Type', TICKET_TYPES);

/** contract §3 `Priority`: `1-ASAP` … `4-Low`. */
export const TICKET_PRIORITIES: Readonly<Record<string, TicketPriority>> = { '1-ASAP': 'ASAP', '2-High': 'HIGH', '3-Medium': 'MEDIUM', '4-Low': 'LOW' };
export const ticketPriority = valueList('Priority', TICKET_PRIORITIES);

/** contract §3 Activity `Direction`: Inbound / Outbound. */
export const DIRECTIONS: Readonly<Record<string, Direction>> = { Inbound: 'INBOUND', Outbound: 'OUTBOUND' };
export const direction = valueList('Direction', DIRECTIONS);

/**
 * contract §3 / design.md: the CRM's ticket `Status` in TMF621 terms. `Closed` splits on the
 * `Resolution Code`: RESOLVED with one, CLOSED without. The CRM never produces HELD or REJECTED.
 */
export const CRM_TICKET_STATUSES = ['Open', 'Open - Escalated', 'Pending', 'Closed', 'Cancelled'] as const;
export function ticketStatus(status: string | undefined, resolutionCode: string | undefined): TicketStatus {
  switch (nullIfEmpty(status)) {
    case 'Open':
      return 'ACKNOWLEDGED';
    case 'Open - Escalated':
      return 'IN_PROGRESS';
    case 'Pending':
      return 'PENDING';
    case 'Closed':
      return nullIfEmpty(resolutionCode) === null ? 'CLOSED' : 'RESOLVED';
    case 'Cancelled':
      return 'CANCELLED';
    default:
      throw new CrmBadResponseError(`Status ${JSON.stringify(status)} is not one of ${CRM_TICKET_STATUSES.join(', ')}`);
  }
}

/** contract §3: a region is `Province` plus `Local Network`; no province, no region. */
export function region(province: string | undefined, localNetwork: string | undefined): Region | null {
  const p = nullIfEmpty(province);
  return p === null ? null : { province: p, localNetwork: nullIfEmpty(localNetwork) };
}

/** `ID Type` + `ID Number`; without a type there is no identification to show. */
function identification(w: WireCustomer): Identification | null {
  const type = nullIfEmpty(w['ID Type']);
  return type === null ? null : { type, number: nullIfEmpty(w['ID Number']) };
}

/** `Phone`, `Email`, `Preferred Channel`; null when the CRM has none of them. */
function contacts(w: WireCustomer): Contacts | null {
  const c = { phone: nullIfEmpty(w.Phone), email: nullIfEmpty(w.Email), preferredChannel: nullIfEmpty(w['Preferred Channel']) };
  return c.phone === null && c.email === null && c.preferredChannel === null ? null : c;
}

/** Prefixes a normalisation failure with the record it is in, so the log points at it. */
function inRecord<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof CrmBadResponseError) throw new CrmBadResponseError(`${what}: ${e.message}`);
    throw e;
  }
}

export function toCustomer(w: WireCustomer): Customer {
  return inRecord(`Customer ${w['Row Id']}`, () => ({
    id: required(nullIfEmpty(w['Row Id']), 'Row Id'),
    name: nullIfEmpty(w.Name),
    kind: customerKind(w['Customer Type']),
    status: customerStatus(w.Status),
    region: region(w.Province, w['Local Network']),
    segment: segment(w.Segment),
    starLevel: nullIfEmpty(w['Star Level']),
    bigCustomerClass: nullIfEmpty(w['Big Customer Class']),
    accountManager: nullIfEmpty(w['Account Manager']),
    groupId: nullIfEmpty(w['Parent Row Id']),
    identification: identification(w),
    contacts: contacts(w),
    customerSince: crmTime(w.Created, 'Created'),
    serviceNumbers: commaList(w['Service Numbers']),
    billingAccountNumbers: commaList(w['Billing Account Numbers']),
  }));
}

export function toTicket(w: WireServiceRequest): Ticket {
  return inRecord(`ServiceRequest ${w['SR Number']}`, () => ({
    id: required(nullIfEmpty(w['SR Number']), 'SR Number'),
    customerId: required(nullIfEmpty(w['Customer Id']), 'Customer Id'),
    type: required(ticketType(w.Type), 'Type'),
    status: ticketStatus(w.Status, w['Resolution Code']),
    priority: required(ticketPriority(w.Priority), 'Priority'),
    channel: nullIfEmpty(w.Source),
    summary: nullIfEmpty(w.Abstract),
    region: required(region(w.Province, w['Local Network']), 'Province'),
    openedAt: requiredTime(w.Opened, 'Opened'),
    closedAt: crmTime(w.Closed, 'Closed'),
    slaDueAt: crmTime(w['Commit Time'], 'Commit Time'),
    resolutionCode: nullIfEmpty(w['Resolution Code']),
    serviceNumber: nullIfEmpty(w['Related Service Number']),
    alarmId: nullIfEmpty(w['Related Alarm Id']),
    externalRef: nullIfEmpty(w['External Ref']),
  }));
}

export function toInteraction(w: WireActivity): Interaction {
  return inRecord(`Activity ${w['Activity Id']}`, () => ({
    id: required(nullIfEmpty(w['Activity Id']), 'Activity Id'),
    customerId: required(nullIfEmpty(w['Customer Id']), 'Customer Id'),
    direction: required(direction(w.Direction), 'Direction'),
    channel: required(nullIfEmpty(w.Channel), 'Channel'),
    reason: nullIfEmpty(w.Reason),
    startedAt: requiredTime(w.Start, 'Start'),
    agent: nullIfEmpty(w.Agent),
    status: required(nullIfEmpty(w.Status), 'Status'),
  }));
}

export function toSurvey(w: WireSurvey): Survey {
  return inRecord(`Survey of ${w['Customer Id']}`, () => ({
    customerId: required(nullIfEmpty(w['Customer Id']), 'Customer Id'),
    csat: score(w.CSAT, 'CSAT', 1, 5),
    nps: score(w.NPS, 'NPS', 0, 10),
    surveyedAt: requiredTime(w.Date, 'Date'),
  }));
}
