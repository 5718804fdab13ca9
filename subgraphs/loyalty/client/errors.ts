import { isBulkheadRejectedError } from 'cockatiel';
import { ProductError } from '../../../lib/errors.js';
import { HTTPError, ReadError, RequestError, TimeoutError } from './http.js';

/**
 * Everything the loyalty system (or the way to it) does wrong, coerced into the product's closed
 * error set (design.md, "Errors"), always with `system: 'loyalty'`. The classes here are private
 * to the client; only {@link ProductError} leaves it.
 */

const SYSTEM = 'loyalty';

/** An answer we cannot use: cut off, the wrong format, a required field missing. */
export class LoyaltyBadResponseError extends Error {
  override name = 'LoyaltyBadResponseError';
}

/** `Retry-After` in seconds (delta-seconds or an HTTP date), or undefined. */
export function retryAfterSeconds(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(header) ? header[0] : header;
  if (v === undefined || v.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(v)) return Number(v);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/** TLS failures are configuration (a CA file, a host name), not a passing outage. */
const TLS_CODES = /^(?:CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|ERR_TLS_|ERR_SSL_|ERR_INVALID_URL)/;

/** The first line of an error body, for the message (never the whole payload). */
function firstLine(body: unknown): string {
  const text = typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString('utf8') : '';
  const line = text.split('\n', 1)[0]?.trim() ?? '';
  return line ? `: ${line.slice(0, 120)}` : '';
}

/**
 * Coerces anything a call to the loyalty system threw into a {@link ProductError}:
 * 401/403 → LEGACY_UNAVAILABLE, not retryable (the hook in `http.ts` has logged it loudly);
 * 429 and 5xx → LEGACY_UNAVAILABLE, retryable, with `Retry-After`; 404 on a route →
 * configuration; other 4xx → LEGACY_REJECTED; time-outs → LEGACY_TIMEOUT; refused or reset
 * connections → LEGACY_UNAVAILABLE; an unusable answer → LEGACY_BAD_RESPONSE.
 */
export function toProductError(err: unknown): ProductError {
  if (err instanceof ProductError) return err;
  if (err instanceof LoyaltyBadResponseError) {
    return new ProductError('LEGACY_BAD_RESPONSE', SYSTEM, `The loyalty system answered something unusable: ${err.message}.`, { cause: err });
  }
  if (err instanceof HTTPError) {
    const res = err.response;
    const status = res.statusCode;
    const what = `HTTP ${status}${firstLine(res.body)}`;
    if (status === 401 || status === 403) {
      return new ProductError('LEGACY_UNAVAILABLE', SYSTEM, `The loyalty system rejects the subgraph's credentials (${what}): set LOYALTY_USER and LOYALTY_PASSWORD.`, {
        retryable: false,
        cause: err,
      });
    }
    if (status === 429 || status >= 500) {
      const after = retryAfterSeconds(res.headers['retry-after']);
      return new ProductError('LEGACY_UNAVAILABLE', SYSTEM, `The loyalty system cannot answer now (${what}).`, {
        cause: err,
        ...(after === undefined ? {} : { retryAfterSeconds: after }),
      });
    }
    if (status === 404) {
      return new ProductError('LEGACY_UNAVAILABLE', SYSTEM, `The loyalty system has no such resource (${what}): check LOYALTY_URL.`, { retryable: false, cause: err });
    }
    return new ProductError('LEGACY_REJECTED', SYSTEM, `The loyalty system refused the request (${what}).`, { cause: err });
  }
  if (err instanceof TimeoutError) {
    return new ProductError('LEGACY_TIMEOUT', SYSTEM, `The loyalty system did not answer in time (${err.event} time-out).`, { cause: err });
  }
  if (err instanceof ReadError) {
    return new ProductError('LEGACY_UNAVAILABLE', SYSTEM, `The connection to the loyalty system broke while reading its answer (${err.code}).`, { cause: err });
  }
  if (err instanceof RequestError) {
    if (TLS_CODES.test(err.code ?? '')) {
      return new ProductError('LEGACY_UNAVAILABLE', SYSTEM, `Cannot reach the loyalty system securely (${err.code}): check LOYALTY_URL and LOYALTY_CA_FILE.`, {
        retryable: false,
        cause: err,
      });
    }
    return new ProductError('LEGACY_UNAVAILABLE', SYSTEM, `Cannot reach the loyalty system (${err.code ?? err.message}).`, { cause: err });
  }
  if (isBulkheadRejectedError(err)) {
    return new ProductError('LEGACY_UNAVAILABLE', SYSTEM, 'Too many calls to the loyalty system are waiting; try again shortly.', { retryAfterSeconds: 1, cause: err });
  }
  // Not a failure of the system or of the way to it: a bug of ours. Masked; the client logs it.
  return new ProductError('INTERNAL_SERVER_ERROR', SYSTEM, 'Unexpected failure in the loyalty client; the log has the detail under this request id.', { cause: err });
}
