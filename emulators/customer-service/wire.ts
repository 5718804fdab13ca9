import type { IncomingRequest, OutgoingResponse } from '../shared/server.js';
import { fail } from './errors.js';
import type { Row } from './fields.js';

/**
 * The CRM's wire format (contract §3): JSON in and out, UTF-8. Records go out with their
 * Siebel field names exactly as the model builds them; lists as `{ items, LastPage }` or
 * `{ items }`; errors as `{ ErrorCode, ErrorMsg }` (see errors.ts).
 */

const JSON_TYPE = 'application/json; charset=utf-8';

export function json(status: number, value: unknown): OutgoingResponse {
  return { status, headers: { 'content-type': JSON_TYPE }, body: JSON.stringify(value) };
}

export function listPage(items: Row[], lastPage: boolean): OutgoingResponse {
  return json(200, { items, LastPage: lastPage });
}

/**
 * The `malformedRate` fault: a 200 whose JSON stops half-way, as when a proxy cuts a response.
 * Cutting before the last character always leaves an unclosed object.
 */
export function truncated(out: OutgoingResponse): OutgoingResponse {
  const body = Buffer.isBuffer(out.body) ? out.body : Buffer.from(out.body ?? '{}', 'utf8');
  return { status: 200, headers: { 'content-type': JSON_TYPE }, body: body.subarray(0, Math.max(1, Math.floor(body.length / 2))) };
}

/** The request body as a JSON object; anything else is the CRM's 400 (SBL-EAI-04401). */
export function jsonBody(req: IncomingRequest): Record<string, unknown> {
  const text = req.body.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return fail('malformedBody', text.trim() ? (e as Error).message : 'the body is empty');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('malformedBody', 'expected a JSON object');
  return value as Record<string, unknown>;
}

/** A whole-number query parameter within bounds (PageSize, StartRowNum), or its default. */
export function intParam(params: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = params.get(name);
  if (raw === null) return fallback;
  if (!/^\d{1,9}$/.test(raw.trim()) || Number(raw) < min || Number(raw) > max) {
    fail('badParameter', `${name}=${JSON.stringify(raw)}: a whole number from ${min} to ${max}`);
  }
  return Number(raw);
}

/** A list of strings from a JSON body, or the 400 answer naming the field. */
export function stringList(body: Record<string, unknown>, field: string): string[] {
  const v = body[field];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) fail('badParameter', `${field} must be an array of strings`);
  return v as string[];
}

/** An optional string member of a JSON body. */
export function optionalText(body: Record<string, unknown>, field: string): string {
  const v = body[field];
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') fail('badParameter', `${field} must be a string`);
  return v;
}
