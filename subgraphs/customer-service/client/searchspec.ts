import type { CustomerSearch, TicketSearch, TicketStatus } from '../domain.js';
import { segmentToCrm } from './normalize.js';

/**
 * Building Siebel search specifications (legacy-contracts.md §3): `[Field]='value'` terms joined
 * by AND / OR, parentheses to group. Every value reaches the CRM through {@link literal}, the one
 * escaping function: a quoted literal with each quote doubled, inside which brackets, `*`, `OR`
 * and the like are plain characters. Field names are ours, never the caller's.
 *
 * Limits: at most {@link MAX_TERMS} terms and {@link MAX_SPEC_LENGTH} characters per searchspec
 * (longer answers 400); look-ups by many keys are split with {@link orChunks}.
 */

/** contract §3: at most 50 terms per searchspec. */
export const MAX_TERMS = 50;
/** contract §3: at most 2 000 characters per searchspec (counted as the CRM does, in UTF-16 units). */
export const MAX_SPEC_LENGTH = 2000;

/** A searchspec (or part of one) and what it costs against the limits. */
export interface Spec {
  readonly text: string;
  readonly terms: number;
  /** Its top level is an OR: parenthesise it inside an AND. */
  readonly isOr: boolean;
}

/** contract §3: a literal is in single quotes and a quote inside it is doubled (`'O''Brien'`). */
export function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

const FIELD_NAME = /^[A-Za-z][A-Za-z ]*[A-Za-z]$/;

function field(name: string): string {
  // Field names are constants of this client; a bracket or quote in one would be a bug of ours.
  if (!FIELD_NAME.test(name)) throw new Error(`not a CRM field name: ${JSON.stringify(name)}`);
  return `[${name}]`;
}

const term = (text: string): Spec => ({ text, terms: 1, isOr: false });

/** `[Field]='value'`. An empty value would mean IS NULL to the CRM: say that with {@link isNull}. */
export function eq(name: string, value: string): Spec {
  if (value === '') throw new Error(`an empty value for [${name}] would match the records where it is empty`);
  return term(`${field(name)}=${literal(value)}`);
}

/** `[Field] LIKE 'prefix*'`. The CRM cannot escape its wildcards, so a prefix may hold none. */
export function startsWith(name: string, prefix: string): Spec {
  if (prefix === '' || /[*?]/.test(prefix)) throw new Error(`a LIKE prefix must be non-empty and free of * and ?: ${JSON.stringify(prefix)}`);
  return term(`${field(name)} LIKE ${literal(`${prefix}*`)}`);
}

export function isNull(name: string): Spec {
  return term(`${field(name)} IS NULL`);
}

export function isNotNull(name: string): Spec {
  return term(`${field(name)} IS NOT NULL`);
}

export function and(...specs: Spec[]): Spec {
  if (specs.length === 1) return specs[0]!;
  return {
    text: specs.map((s) => (s.isOr ? `(${s.text})` : s.text)).join(' AND '),
    terms: specs.reduce((n, s) => n + s.terms, 0),
    isOr: false,
  };
}

export function or(...specs: Spec[]): Spec {
  if (specs.length === 1) return specs[0]!;
  return { text: specs.map((s) => s.text).join(' OR '), terms: specs.reduce((n, s) => n + s.terms, 0), isOr: true };
}

/**
 * OR-ed look-ups split so that each searchspec — together with `common`, AND-ed to every chunk —
 * stays within {@link MAX_TERMS} terms and {@link MAX_SPEC_LENGTH} characters.
 */
export function orChunks(alternatives: readonly Spec[], common?: Spec, maxTerms = MAX_TERMS, maxLength = MAX_SPEC_LENGTH): Spec[] {
  const out: Spec[] = [];
  let current: Spec[] = [];
  const build = (items: Spec[]) => (common ? and(common, or(...items)) : or(...items));
  for (const alt of alternatives) {
    const candidate = build([...current, alt]);
    if (current.length && (candidate.terms > maxTerms || candidate.text.length > maxLength)) {
      out.push(build(current));
      current = [alt];
    } else current.push(alt);
    const alone = build(current);
    if (alone.terms > maxTerms || alone.text.length > maxLength) throw new Error(`one look-up alone is over the CRM's searchspec limits: ${alone.text.slice(0, 80)}…`);
  }
  if (current.length) out.push(build(current));
  return out;
}

// ------------------------------------------------------------------ the subgraph's searches

/** Producible TMF621 statuses → the CRM condition that selects them (design.md's mapping, reversed). */
const STATUS_TERMS: Partial<Record<TicketStatus, () => Spec>> = {
  ACKNOWLEDGED: () => eq('Status', 'Open'),
  IN_PROGRESS: () => eq('Status', 'Open - Escalated'),
  PENDING: () => eq('Status', 'Pending'),
  // `Closed` splits on the resolution code: RESOLVED with one, CLOSED without.
  RESOLVED: () => and(eq('Status', 'Closed'), isNotNull('Resolution Code')),
  CLOSED: () => and(eq('Status', 'Closed'), isNull('Resolution Code')),
  CANCELLED: () => eq('Status', 'Cancelled'),
};

/**
 * The condition on `Status` for "any of these TMF621 statuses": a spec, `'all'` (no condition
 * needed) or `'none'` (nothing can match: only HELD / REJECTED, which this CRM never produces, or
 * an empty list).
 */
export function statusCondition(statuses: readonly TicketStatus[] | undefined): Spec | 'all' | 'none' {
  if (statuses === undefined) return 'all';
  const wanted = new Set(statuses.filter((s) => STATUS_TERMS[s]));
  if (wanted.size === 0) return 'none';
  if (wanted.size === Object.keys(STATUS_TERMS).length) return 'all';
  const parts: Spec[] = [];
  for (const s of Object.keys(STATUS_TERMS) as TicketStatus[]) {
    if (!wanted.has(s)) continue;
    if (s === 'CLOSED' && wanted.has('RESOLVED')) continue;
    parts.push(s === 'RESOLVED' && wanted.has('CLOSED') ? eq('Status', 'Closed') : STATUS_TERMS[s]!());
  }
  return or(...parts);
}

/** `[Province]` and `[Local Network]` terms for a region (none for headquarters, `undefined`). */
export function regionCondition(region: { readonly province: string; readonly localNetwork?: string | undefined } | undefined): Spec[] {
  if (region === undefined) return [];
  return [eq('Province', region.province), ...(region.localNetwork === undefined ? [] : [eq('Local Network', region.localNetwork)])];
}

/** The searchspec of a customer search; undefined for no condition (the CRM lists everyone). */
export function customerSearchSpec(f: CustomerSearch): Spec | undefined {
  const parts: Spec[] = [];
  if (f.groupId !== undefined) parts.push(eq('Parent Row Id', f.groupId));
  if (f.idNumber !== undefined) parts.push(eq('ID Number', f.idNumber));
  if (f.phone !== undefined) parts.push(eq('Phone', f.phone));
  if (f.province !== undefined) parts.push(eq('Province', f.province));
  if (f.localNetwork !== undefined) parts.push(eq('Local Network', f.localNetwork));
  if (f.segment !== undefined) parts.push(eq('Segment', segmentToCrm(f.segment)));
  // contract §3: `Big Customer Class` is empty when the customer is not a big customer.
  if (f.bigCustomer !== undefined) parts.push(f.bigCustomer ? isNotNull('Big Customer Class') : isNull('Big Customer Class'));
  if (f.namePrefix !== undefined) parts.push(startsWith('Name', f.namePrefix));
  return parts.length ? and(...parts) : undefined;
}

/** The searchspec of a ticket search: undefined for no condition, `'none'` when nothing can match. */
export function ticketSearchSpec(f: TicketSearch): Spec | undefined | 'none' {
  const parts: Spec[] = [];
  if (f.customerId !== undefined) parts.push(eq('Customer Id', f.customerId));
  if (f.province !== undefined) parts.push(eq('Province', f.province));
  if (f.localNetwork !== undefined) parts.push(eq('Local Network', f.localNetwork));
  const status = statusCondition(f.statuses);
  if (status === 'none') return 'none';
  if (status !== 'all') parts.push(status);
  return parts.length ? and(...parts) : undefined;
}
