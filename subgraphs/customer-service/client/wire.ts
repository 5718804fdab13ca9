import { z } from 'zod';

/**
 * The CRM's payloads exactly as it sends them (legacy-contracts.md §3,
 * `/work/shared/wire-examples/crm-*.json`): Siebel field names with spaces, every value a string,
 * `""` for null, local `MM/DD/YYYY HH:MM:SS` date-times, comma-separated lists. The zod schemas
 * check the shape only — presence and type of what we rely on; `normalize.ts` reads the values.
 * Fields the schema marks optional may be left out by a CRM configured with fewer fields: absent is
 * read as empty.
 */

const text = z.string();
const optionalText = z.string().optional();

/** `Customer` business component. */
export const wireCustomer = z.object({
  'Row Id': text,
  Name: optionalText,
  /** Individual | Organization */
  'Customer Type': optionalText,
  /** Active | Inactive | Suspended */
  Status: optionalText,
  /** Mass | SME | Enterprise | Government */
  Segment: optionalText,
  'Star Level': optionalText,
  /** Strategic | Important | High-Value | Group | Individual | "" */
  'Big Customer Class': optionalText,
  Province: optionalText,
  'Local Network': optionalText,
  'Account Manager': optionalText,
  'Parent Row Id': optionalText,
  'ID Type': optionalText,
  'ID Number': optionalText,
  Phone: optionalText,
  Email: optionalText,
  'Preferred Channel': optionalText,
  /** Comma-separated. */
  'Billing Account Numbers': optionalText,
  /** Comma-separated. */
  'Service Numbers': optionalText,
  /** `MM/DD/YYYY HH:MM:SS`, local time. */
  Created: optionalText,
});
export type WireCustomer = z.infer<typeof wireCustomer>;

/** `ServiceRequest` business component (trouble ticket). */
export const wireServiceRequest = z.object({
  'SR Number': text,
  'Customer Id': text,
  /** Complaint | Incident | Request */
  Type: text,
  /** Open | Pending | Closed | Open - Escalated | Cancelled */
  Status: text,
  /** 1-ASAP | 2-High | 3-Medium | 4-Low */
  Priority: text,
  /** Phone | Web | Email | Fax | Store */
  Source: optionalText,
  Abstract: optionalText,
  Province: text,
  'Local Network': optionalText,
  Opened: text,
  Closed: optionalText,
  'Resolution Code': optionalText,
  /** The SLA commitment. */
  'Commit Time': optionalText,
  'Related Service Number': optionalText,
  'Related Alarm Id': optionalText,
  'External Ref': optionalText,
});
export type WireServiceRequest = z.infer<typeof wireServiceRequest>;

/** `Activity` business component (an interaction). */
export const wireActivity = z.object({
  'Activity Id': text,
  'Customer Id': text,
  /** Inbound | Outbound */
  Direction: text,
  Channel: text,
  Reason: optionalText,
  Start: text,
  Agent: optionalText,
  Status: text,
});
export type WireActivity = z.infer<typeof wireActivity>;

/** `Survey` business component. */
export const wireSurvey = z.object({
  'Customer Id': text,
  /** 1–5, as a string. */
  CSAT: optionalText,
  /** 0–10, as a string. */
  NPS: optionalText,
  Date: text,
});
export type WireSurvey = z.infer<typeof wireSurvey>;

const searchPageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), LastPage: z.boolean() });
const itemsOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

/**
 * One envelope schema per item schema, made once: zod builds (and compiles) a schema when it is
 * created, which per call was ~6 % of the subgraph's CPU.
 */
const searchPages = new WeakMap<z.ZodType, unknown>();
const itemLists = new WeakMap<z.ZodType, unknown>();

/** `GET /crm/v1/data/{BC}`: one page. */
export function wireSearchPage<T extends z.ZodType>(item: T): ReturnType<typeof searchPageOf<T>> {
  let schema = searchPages.get(item) as ReturnType<typeof searchPageOf<T>> | undefined;
  if (!schema) searchPages.set(item, (schema = searchPageOf(item)));
  return schema;
}

/** `POST customers:lookup` and `POST {BC}:byCustomer`. */
export function wireItems<T extends z.ZodType>(item: T): ReturnType<typeof itemsOf<T>> {
  let schema = itemLists.get(item) as ReturnType<typeof itemsOf<T>> | undefined;
  if (!schema) itemLists.set(item, (schema = itemsOf(item)));
  return schema;
}

/** `POST /crm/v1/session`. */
export const wireSession = z.object({ token: z.string().min(1), expiresIn: z.number().positive().optional() });
export type WireSession = z.infer<typeof wireSession>;

/** Every CRM error answer: `{ "ErrorCode": "SBL-…", "ErrorMsg": "…" }` with an HTTP status. */
export interface WireError {
  readonly ErrorCode: string;
  readonly ErrorMsg?: string;
}

/** contract §3: the session has expired (idle, or the CRM forgot it): log in again, retry once. */
export const SESSION_EXPIRED = 'SBL-DAT-00175';
