import { parseLocal } from '../shared/time.js';
import type { World } from '../shared/world.js';
import { CRM_TIME, CustomerStore, crmTime } from './customers.js';
import { fail } from './errors.js';
import {
  ACTIVITY_CHANNELS,
  ACTIVITY_DIRECTIONS,
  ACTIVITY_STATUSES,
  NEWEST_FIRST_FIELD,
  SR_PRIORITIES,
  SR_SOURCES,
  SR_TYPES,
  type BusinessComponent,
  type Row,
} from './fields.js';
import { activityRow, InteractionModel, surveyRow, type ActivityFacts } from './interactions.js';
import { Overlay, type Note } from './overlay.js';
import { QueryRunner, type Page } from './query.js';
import { comparator, matches, parseSearchSpec, parseSortSpec } from './searchspec.js';
import { SLA_MS, ticketRow, ticketStatus, type TicketFacts } from './ticketFacts.js';
import { TicketModel } from './tickets.js';

/**
 * The CRM's records and business rules (contract §3): customers from the world, tickets,
 * activities and surveys derived from the world and the clock, the write overlay, and the
 * limits — page sizes, batch sizes, idempotency of created requests, closed requests read-only.
 */

export const PAGE_SIZE_DEFAULT = 10;
export const PAGE_SIZE_MAX = 100;
export const LOOKUP_MAX = 50;
export const BY_CUSTOMER_MAX = 50;
export const LIMIT_PER_CUSTOMER_DEFAULT = 20;
export const LIMIT_PER_CUSTOMER_MAX = 100;
const ABSTRACT_MAX = 250;
const NOTE_MAX = 4000;
const REF_MAX = 64;

export type ChildComponent = Exclude<BusinessComponent, 'Customer'>;

/** A write answered with the existing record (contract §3: a repeated External Ref is a 409). */
export class DuplicateExternalRef {
  constructor(
    readonly externalRef: string,
    readonly sr: string,
  ) {}
}

export class CrmModel {
  readonly customers: CustomerStore;
  readonly tickets: TicketModel;
  readonly interactions: InteractionModel;
  readonly overlay = new Overlay();
  private readonly query: QueryRunner;

  constructor(readonly world: World) {
    this.customers = new CustomerStore(world);
    this.tickets = new TicketModel(world, this.customers);
    this.interactions = new InteractionModel(world);
    this.query = new QueryRunner(this);
  }

  // ---------------------------------------------------------------- reads

  /** `GET /crm/v1/data/{bc}`. Throws the 400 answer for a bad searchspec or sortspec. */
  search(bc: BusinessComponent, specText: string, sortText: string, start: number, size: number, now: number): Promise<Page> {
    const spec = parseSearchSpec(specText, bc);
    const sort = parseSortSpec(sortText, bc);
    return this.query.search(bc, { spec, specText, sort, start, size, now });
  }

  /** A ticket by SR Number, generated or written, as of `now`. */
  ticket(sr: string, now: number): TicketFacts | undefined {
    const t = this.tickets.decode(sr, now);
    return t === 'overlay' ? this.overlay.tickets.get(sr) : t;
  }

  /** Customer `i`'s tickets, generated and written, newest first. */
  ticketsOf(i: number, now: number): TicketFacts[] {
    const written = this.overlay.ticketsByCustomer.get(i);
    const list = this.tickets.ticketsOf(i, now);
    return written ? [...written, ...list].sort((a, b) => b.opened - a.opened) : list;
  }

  activity(id: string, now: number): Row | undefined {
    const a = this.interactions.decode(id, now);
    const facts = a === 'overlay' ? this.overlay.activities.get(id) : a;
    return facts && activityRow(facts, this.world.customerId(facts.customer), now);
  }

  activityRowsOf(i: number, now: number): Row[] {
    const id = this.world.customerId(i);
    const written = this.overlay.activitiesByCustomer.get(i) ?? [];
    const list = [...written, ...this.interactions.activitiesOf(i, now)].sort((a, b) => b.start - a.start);
    return list.map((a) => activityRow(a, id, now));
  }

  surveyRowsOf(i: number, now: number): Row[] {
    const id = this.world.customerId(i);
    const out = [];
    for (const t of this.tickets.ticketsOf(i, now)) {
      const s = this.interactions.surveyOf(t, now);
      if (s) out.push(s);
    }
    return out.sort((a, b) => b.date - a.date).map((s) => surveyRow(s, id));
  }

  /** `POST /crm/v1/customers:lookup`: records found, in request order, each once. */
  lookupCustomers(kind: 'ids' | 'serviceNumbers', keys: readonly string[]): Row[] {
    if (keys.length > LOOKUP_MAX) fail('batchTooLarge', kind, LOOKUP_MAX);
    const seen = new Set<number>();
    const out: Row[] = [];
    for (const key of keys) {
      const i = kind === 'ids' ? this.world.customerIndexById(key) : this.customers.byServiceNumber(key);
      if (i < 0 || seen.has(i)) continue;
      seen.add(i);
      out.push(this.customers.row(i));
    }
    return out;
  }

  /** `POST /crm/v1/data/{bc}:byCustomer`: per customer in request order, filtered, sorted, limited. */
  byCustomer(bc: ChildComponent, ids: readonly string[], specText: string, sortText: string, limit: number, now: number): Row[] {
    if (ids.length > BY_CUSTOMER_MAX) fail('batchTooLarge', 'customerIds', BY_CUSTOMER_MAX);
    const spec = parseSearchSpec(specText, bc);
    const cmp = comparator(parseSortSpec(sortText, bc) ?? [{ field: NEWEST_FIRST_FIELD[bc], kind: 'date', descending: true }]);
    const seen = new Set<number>();
    const out: Row[] = [];
    for (const id of ids) {
      const i = this.world.customerIndexById(id);
      if (i < 0 || seen.has(i)) continue;
      seen.add(i);
      const rows =
        bc === 'ServiceRequest'
          ? this.ticketsOf(i, now).map((t) => ticketRow(t, id, now))
          : bc === 'Activity'
            ? this.activityRowsOf(i, now)
            : this.surveyRowsOf(i, now);
      out.push(...rows.filter((r) => matches(spec, r)).sort(cmp).slice(0, limit));
    }
    return out;
  }

  // ---------------------------------------------------------------- writes

  private customerOf(body: Record<string, unknown>): number {
    const id = requiredString(body, 'Customer Id');
    const i = this.world.customerIndexById(id);
    if (i < 0) fail('badValue', 'Customer Id', id);
    return i;
  }

  /** `POST /crm/v1/data/ServiceRequest`: creates an Open request, or names the one its External Ref already made. */
  createTicket(body: Record<string, unknown>, now: number): TicketFacts | DuplicateExternalRef {
    checkFields(body, 'ServiceRequest', ['Customer Id', 'Type', 'Abstract', 'Priority', 'Source', 'Related Service Number', 'Related Alarm Id', 'External Ref']);
    const i = this.customerOf(body);
    const type = pickList(body, 'Type', SR_TYPES, undefined);
    const abstract = requiredString(body, 'Abstract');
    if (abstract.length > ABSTRACT_MAX) fail('badParameter', `Abstract is longer than ${ABSTRACT_MAX} characters`);
    const priority = pickList(body, 'Priority', SR_PRIORITIES, '3-Medium');
    const source = pickList(body, 'Source', SR_SOURCES, 'Web');
    const related = optionalString(body, 'Related Service Number');
    const alarm = optionalString(body, 'Related Alarm Id');
    if (alarm && !/^\d{1,15}$/.test(alarm)) fail('badValue', 'Related Alarm Id', alarm);
    const extRef = optionalString(body, 'External Ref');
    if (extRef.length > REF_MAX) fail('badParameter', `External Ref is longer than ${REF_MAX} characters`);
    if (extRef) {
      const existing = this.overlay.byExternalRef.get(extRef) ?? this.generatedExternalRef(extRef, now);
      if (existing) return new DuplicateExternalRef(extRef, existing);
    }
    if (this.overlay.full) fail('storeFull');
    const c = this.world.customer(i);
    const t: TicketFacts = {
      sr: this.tickets.overlaySr(this.overlay.ticketSeq++),
      customer: i,
      province: c.province,
      localNetwork: c.localNetwork,
      type,
      priority,
      source,
      abstract,
      opened: now,
      closeAt: Infinity,
      cancelled: false,
      pendingAt: Infinity,
      escalateAt: Infinity,
      resolution: '',
      commit: now + SLA_MS[priority]!,
      related,
      alarm,
      extRef,
    };
    this.overlay.addTicket(t);
    return t;
  }

  /** Generated web tickets carry `WEB-<SR digits>`: the ticket itself answers for it. */
  private generatedExternalRef(extRef: string, now: number): string | undefined {
    const m = /^WEB-(\d{9})$/.exec(extRef);
    const t = m ? this.ticket(`1-${m[1]}`, now) : undefined;
    return t && t.extRef === extRef ? t.sr : undefined;
  }

  /** `POST /crm/v1/data/ServiceRequest/{sr}/notes`: a closed or cancelled request is read-only (409). */
  addNote(sr: string, body: Record<string, unknown>, now: number): Note {
    checkFields(body, 'ServiceRequest Note', ['Note', 'Note Type']);
    const text = requiredString(body, 'Note');
    if (text.length > NOTE_MAX) fail('badParameter', `Note is longer than ${NOTE_MAX} characters`);
    const type = optionalString(body, 'Note Type') || 'Note';
    const t = this.ticket(sr, now);
    if (!t) fail('noRecord', `service request '${sr}'`);
    const status = ticketStatus(t, now);
    if (status === 'Closed' || status === 'Cancelled') fail('readOnlyRecord', sr, status);
    if (this.overlay.full) fail('storeFull');
    const note: Note = { id: `1-N${String(this.overlay.notes.length + 1).padStart(7, '0')}`, sr, text, type, created: now };
    this.overlay.notes.push(note);
    return note;
  }

  /** `POST /crm/v1/data/Activity`. */
  createActivity(body: Record<string, unknown>, now: number): ActivityFacts {
    checkFields(body, 'Activity', ['Customer Id', 'Direction', 'Channel', 'Reason', 'Start', 'Agent', 'Status']);
    const i = this.customerOf(body);
    const direction = pickList(body, 'Direction', ACTIVITY_DIRECTIONS, undefined);
    const channel = pickList(body, 'Channel', ACTIVITY_CHANNELS, undefined);
    const status = pickList(body, 'Status', ACTIVITY_STATUSES, 'Done');
    const startText = optionalString(body, 'Start');
    const start = startText ? parseLocal(startText, CRM_TIME) : now;
    if (start === undefined) fail('badValue', 'Start', startText);
    if (this.overlay.full) fail('storeFull');
    const a: ActivityFacts = {
      id: this.interactions.overlayId(this.overlay.activitySeq++),
      customer: i,
      direction,
      channel,
      reason: optionalString(body, 'Reason'),
      start,
      agent: optionalString(body, 'Agent'),
      scheduled: false,
      cancelled: false,
      durationMs: 0,
      fixedStatus: status,
    };
    this.overlay.addActivity(a);
    return a;
  }

  reset(): void {
    this.overlay.clear();
  }
}

export function noteRow(n: Note): Row {
  return { 'Note Id': n.id, 'SR Number': n.sr, 'Note Type': n.type, Note: n.text, Created: crmTime(n.created) };
}

// ------------------------------------------------------------------ write-body validation

/** Only the writable fields may be sent: an unknown one is SBL-DAT-00398, a read-only one SBL-DAT-00427. */
function checkFields(body: Record<string, unknown>, bc: string, writable: readonly string[]): void {
  for (const key of Object.keys(body)) {
    if (writable.includes(key)) continue;
    if (READ_ONLY.has(key)) fail('readOnlyField', key);
    fail('unknownField', key, bc);
  }
}

const READ_ONLY = new Set(['SR Number', 'Status', 'Opened', 'Closed', 'Resolution Code', 'Commit Time', 'Province', 'Local Network', 'Activity Id']);

function optionalString(body: Record<string, unknown>, field: string): string {
  const v = body[field];
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') fail('badParameter', `${field} must be a string`);
  return v.trim();
}

function requiredString(body: Record<string, unknown>, field: string): string {
  const v = optionalString(body, field);
  if (!v) fail('requiredField', field);
  return v;
}

function pickList<T extends string>(body: Record<string, unknown>, field: string, values: readonly T[], fallback: T | undefined): T {
  const v = fallback === undefined ? requiredString(body, field) : optionalString(body, field);
  if (!v) return fallback!;
  if (!(values as readonly string[]).includes(v)) fail('badValue', field, v);
  return v as T;
}
