import type { IncomingHttpHeaders } from 'node:http';
import type { OutgoingResponse } from '../shared/server.js';
import type { LedgerError } from './errors.js';
import type { Balance } from './model.js';

/**
 * The ledger's wire: CSV over HTTP, lines ended by CRLF, a header line first, no quoting (no
 * field ever holds a comma). Errors are one line `ERR,<code>,<message>`.
 */

export const CSV_TYPE = 'text/csv; charset=utf-8';
export const BALANCE_HEADER = 'customerId,points,tier,expiringPoints,expiryDate';

/** `GET /loyalty/balance`: the header line, then one line per known customer, in the order asked. */
export function balanceCsv(balances: readonly Balance[]): OutgoingResponse {
  const lines = [BALANCE_HEADER, ...balances.map((b) => [b.customerId, b.points, b.tier, b.expiringPoints, b.expiryDate].join(','))];
  return { status: 200, headers: { 'content-type': CSV_TYPE }, body: `${lines.join('\r\n')}\r\n` };
}

export function errorResponse(e: LedgerError): OutgoingResponse {
  return { status: e.status, headers: { 'content-type': CSV_TYPE, ...e.headers }, body: `ERR,${e.code},${e.message.replace(/[\r\n,]/g, ' ')}\r\n` };
}

/** §0 `malformedRate`: the answer cut off part way through a line, still 200. */
export function truncate(out: OutgoingResponse): OutgoingResponse {
  if (out.status !== 200 || typeof out.body !== 'string') return out;
  const bytes = Buffer.from(out.body, 'utf8');
  return { ...out, body: bytes.subarray(0, Math.max(1, Math.floor(bytes.length * 0.6))) };
}

/** The user and password of an HTTP Basic `Authorization` header, or undefined. */
export function basicCredentials(headers: IncomingHttpHeaders): { user: string; password: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(headers.authorization ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
