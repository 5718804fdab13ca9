import { isBulkheadRejectedError } from 'cockatiel';
import { ProductError } from '../../../lib/errors.js';
import { HTTPError, ReadError, RequestError, TimeoutError } from './http.js';
import type { WireError } from './wire.js';

/**
 * Everything the CRM (or the way to it) does wrong, coerced into the product's closed error set
 * (design.md, "Errors"), always with `system: 'customer-service'`. The classes here are private to
 * the client; only {@link ProductError} leaves it.
 */

export const SYSTEM = 'customer-service';

/** An answer we cannot use: cut off, not JSON, a required field missing, a value off the CRM's value list. */
export class CrmBadResponseError extends Error {
  override name = 'CrmBadResponseError';
}

/** The CRM's error body `{ ErrorCode, ErrorMsg }`, or undefined when the body is something else. */
export function readErrorBody(body: unknown): WireError | undefined {
  const text = typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString('utf8') : '';
  if (!text.trim()) return undefined;
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    if (typeof v?.ErrorCode !== 'string') return undefined;
    return { ErrorCode: v.ErrorCode, ...(typeof v.ErrorMsg === 'string' ? { ErrorMsg: v.ErrorMsg } : {}) };
  } catch {
    // An unreadable error body says nothing more than its status.
    return undefined;
  }
}

/** The CRM error code of a failed call, if it sent one. */
export function sblCode(err: unknown): string | undefined {
  return err instanceof HTTPError ? readErrorBody(err.response.body)?.ErrorCode : undefined;
}

/** `Retry-After` in seconds (delta-seconds or an HTTP date), or undefined. */
export function retryAfterSeconds(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(header) ? header[0] : header;
  if (v === undefined || v.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(v)) return Number(v);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

function describe(status: number, body: unknown): string {
  const e = readErrorBody(body);
  return e ? `HTTP ${status} ${e.ErrorCode}${e.ErrorMsg ? `: ${e.ErrorMsg}` : ''}` : `HTTP ${status}`;
}

/** TLS failures are configuration (a CA file, a host name), not a passing outage. */
const TLS_CODES = /^(?:CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|ERR_TLS_|ERR_SSL_|ERR_INVALID_URL)/;

/** Wrong credentials or configuration: not retryable, and the client logs it loudly. */
export function credentialsRejected(what: string, cause?: unknown): ProductError {
  return new ProductError(
    'LEGACY_UNAVAILABLE',
    SYSTEM,
    `The CRM rejects the subgraph's credentials (${what}): set CUSTOMER_SERVICE_USER and CUSTOMER_SERVICE_PASSWORD.`,
    { retryable: false, cause },
  );
}

/**
 * Coerces anything a call to the CRM threw into a {@link ProductError} (design.md's table):
 * - 401 (after the one re-login the client allows for an expired session) → LEGACY_UNAVAILABLE:
 *   retryable when the session expired again, not retryable otherwise (credentials);
 * - 429 and 5xx (our bulkhead should prevent the 429; 500 object-manager errors; the `bulkLoad`
 *   window's 503 on writes) → LEGACY_UNAVAILABLE, retryable, with `Retry-After`;
 * - 400 with an SBL code → a searchspec or body we built wrong: INTERNAL_SERVER_ERROR (masked; the
 *   client logs the CRM's message);
 * - 404 on a route → configuration (CUSTOMER_SERVICE_URL); 409 → LEGACY_REJECTED (a closed request);
 * - time-outs → LEGACY_TIMEOUT; refused or reset connections → LEGACY_UNAVAILABLE;
 * - an unusable answer → LEGACY_BAD_RESPONSE.
 */
export function toProductError(err: unknown): ProductError {
  if (err instanceof ProductError) return err;
  if (err instanceof CrmBadResponseError) {
    return new ProductError('LEGACY_BAD_RESPONSE', SYSTEM, `The CRM answered something unusable: ${err.message}.`, { cause: err });
  }
  if (err instanceof HTTPError) {
    const res = err.response;
    const status = res.statusCode;
    const what = describe(status, res.body);
    const code = readErrorBody(res.body)?.ErrorCode;
    if (status === 401) {
      if (code === 'SBL-DAT-00175') {
        return new ProductError('LEGACY_UNAVAILABLE', SYSTEM, `The CRM expired our session again right after a new login (${what}).`, { cause: err });
      }
      return credentialsRejected(what, err);
    }
    if (status === 403) {
      return new ProductError('LEGACY_UNAVAILABLE', SYSTEM, `The CRM forbids the subgraph's user this call (${what}): check the CRM user's responsibilities.`, {
        retryable: false,
        cause: err,
      });
    }
    if (status === 429 || status >= 500) {
      const after = retryAfterSeconds(res.headers['retry-after']);
      return new ProductError('LEGACY_UNAVAILABLE', SYSTEM, `The CRM cannot answer now (${what}).`, {
        cause: err,
        ...(after === undefined ? {} : { retryAfterSeconds: after }),
      });
    }
    if (status === 404) {
      return new ProductError('LEGACY_UNAVAILABLE', SYSTEM, `The CRM has no such resource (${what}): check CUSTOMER_SERVICE_URL (the CRM REST base is /crm/v1/ under it).`, {
        retryable: false,
        cause: err,
      });
    }
    if (status === 409) return new ProductError('LEGACY_REJECTED', SYSTEM, `The CRM refused the request (${what}).`, { cause: err });
    // 400 and the rest: the CRM says our request is wrong — a bug of ours, masked for the client.
    return new ProductError('INTERNAL_SERVER_ERROR', SYSTEM, `The CRM refused a request the customer-service subgraph built (${what}).`, { cause: err });
  }
  if (err instanceof TimeoutError) {
    return new ProductError('LEGACY_TIMEOUT', SYSTEM, `The CRM did not answer in time (${err.event} time-out).`, { cause: err });
  }
  if (err instanceof ReadError) {
    return new ProductError('LEGACY_UNAVAILABLE', SYSTEM, `The connection to the CRM broke while reading its answer (${err.code}).`, { cause: err });
  }
  if (err instanceof RequestError) {
    if (TLS_CODES.test(err.code ?? '')) {
      return new ProductError('LEGACY_UNAVAILABLE', SYSTEM, `Cannot reach the CRM securely (${err.code}): check CUSTOMER_SERVICE_URL and CUSTOMER_SERVICE_CA_FILE.`, {
        retryable: false,
        cause: err,
      });
    }
    return new ProductError('LEGACY_UNAVAILABLE', SYSTEM, `Cannot reach the CRM (${err.code ?? err.message}).`, { cause: err });
  }
  if (isBulkheadRejectedError(err)) {
    // Our own bulkhead's queue is full: the CRM is as busy as we let it be.
    return new ProductError('LEGACY_UNAVAILABLE', SYSTEM, 'Too many calls to the CRM are waiting; try again shortly.', { retryAfterSeconds: 1, cause: err });
  }
  // Not a failure of the CRM or of the way to it: a bug of ours. Masked; the client logs it.
  return new ProductError('INTERNAL_SERVER_ERROR', SYSTEM, 'Unexpected failure in the customer-service client; the log has the detail under this request id.', {
    cause: err,
  });
}
