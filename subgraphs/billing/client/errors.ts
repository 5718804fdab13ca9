import { isBulkheadRejectedError } from 'cockatiel';
import { ProductError } from '../../../lib/errors.js';
import { HTTPError, RequestError, TimeoutError } from './http.js';

/**
 * Everything billing (or the way to it) does wrong, coerced into the product's closed error set
 * (design.md, "Errors"), always with `system: 'billing'`. The classes here are private to the
 * client; only {@link ProductError} leaves it.
 */

const SYSTEM = 'billing';

/** An answer we cannot use: wrong charset, not well-formed, not SOAP, a required field missing. */
export class BillingBadResponseError extends Error {
  override name = 'BillingBadResponseError';
}

/** A business outcome: HTTP 200 with a non-zero `ResultCode` (whole call, or one key of a batch). */
export class BillingResultError extends Error {
  override name = 'BillingResultError';
  constructor(
    readonly operation: string,
    readonly resultCode: string,
    readonly resultDesc: string,
    /** `RetryAfter` of the ResultHeader (bill run), in seconds. */
    readonly retryAfterSeconds?: number,
  ) {
    super(`${operation} answered ResultCode ${resultCode} (${resultDesc})`);
  }
}

/** A SOAP 1.1 fault (HTTP 500): `Server` (retry later) or `Client` (our request was wrong). */
export class BillingFaultError extends Error {
  override name = 'BillingFaultError';
  constructor(
    readonly operation: string,
    /** The fault code's local name: `Server` or `Client` (prefixes vary and are dropped). */
    readonly faultCode: string,
    readonly faultString: string,
    /** `detail/ErrorCode`, e.g. 9001 System busy, 8005 Authentication failed. */
    readonly errorCode: string | undefined,
    readonly retryAfterSeconds?: number,
  ) {
    super(`${operation} answered a SOAP ${faultCode} fault${errorCode ? ` ${errorCode}` : ''}: ${faultString}`);
  }

  /** contract §1 ErrorCode 8005: our LoginSystemCode/Password are wrong. */
  get isAuthentication(): boolean {
    return this.faultCode === 'Client' && this.errorCode === '8005';
  }
}

/** contract §1 ResultCodes. */
export const RESULT_OK = '0';
export const RESULT_NOT_FOUND = '102';
export const RESULT_NO_PERMISSION = '103';
export const RESULT_BLOCKED = '104';
export const RESULT_BATCH_TOO_LARGE = '1010';
export const RESULT_BILL_RUN = '2001';

/** `Retry-After` / `RetryAfter` in seconds (delta-seconds or an HTTP date), or undefined. */
export function retryAfterSeconds(value: string | string[] | null | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v === null || v.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(v)) return Number(v);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/** TLS failures are configuration (a CA file, a host name), not a passing outage. */
const TLS_CODES = /^(?:CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|ERR_TLS_|ERR_SSL_|ERR_INVALID_URL)/;

function fromResult(e: BillingResultError): ProductError {
  const opts = { cause: e };
  switch (e.resultCode) {
    case RESULT_NOT_FOUND:
      // Normally answered as null by the client; here only when a record billing listed itself is gone.
      return new ProductError('NOT_FOUND', SYSTEM, `billing does not know the record (${e.operation} ResultCode 102).`, opts);
    case RESULT_NO_PERMISSION:
      return new ProductError('FORBIDDEN', SYSTEM, `billing refused: the record is outside the caller's scope (${e.operation} ResultCode 103).`, opts);
    case RESULT_BLOCKED:
      return new ProductError('LEGACY_REJECTED', SYSTEM, `billing refused: the account is blocked for this operation (${e.operation} ResultCode 104).`, opts);
    case RESULT_BATCH_TOO_LARGE:
      // The client chunks at the limit, so this is our bug, not billing's.
      return new ProductError('INTERNAL_SERVER_ERROR', SYSTEM, `billing refused an over-size batch (${e.operation} ResultCode 1010); the log has the detail.`, opts);
    case RESULT_BILL_RUN:
      return new ProductError('LEGACY_UNAVAILABLE', SYSTEM, `billing is in its bill run and answers this later (${e.operation} ResultCode 2001).`, {
        ...opts,
        retryable: true,
        ...(e.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: e.retryAfterSeconds }),
      });
    default:
      return new ProductError('LEGACY_REJECTED', SYSTEM, `billing refused ${e.operation} with ResultCode ${e.resultCode} (${e.resultDesc}).`, opts);
  }
}

function fromFault(e: BillingFaultError): ProductError {
  const opts = { cause: e };
  if (e.isAuthentication) {
    return new ProductError('LEGACY_UNAVAILABLE', SYSTEM, 'billing rejects the gateway\'s credentials (fault 8005): BILLING_USER / BILLING_PASSWORD must be fixed.', {
      ...opts,
      retryable: false,
    });
  }
  if (e.faultCode === 'Client') {
    // A Client fault means our request was wrong: a bug here, never the caller's to retry.
    return new ProductError('INTERNAL_SERVER_ERROR', SYSTEM, `billing refused our ${e.operation} request as malformed (fault ${e.errorCode ?? 'without ErrorCode'}); the log has the detail.`, opts);
  }
  return new ProductError('LEGACY_UNAVAILABLE', SYSTEM, `billing cannot answer now (${e.operation}: SOAP ${e.faultCode} fault${e.errorCode ? ` ${e.errorCode}` : ''} "${e.faultString}").`, {
    ...opts,
    retryable: true,
    ...(e.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: e.retryAfterSeconds }),
  });
}

/**
 * Coerces anything a call to billing threw into a {@link ProductError} (design.md's table):
 * ResultCode 103 → FORBIDDEN, 104 → LEGACY_REJECTED, 1010 → INTERNAL (our bug), 2001 →
 * LEGACY_UNAVAILABLE with `RetryAfter`; a `Server` fault, HTTP 5xx or 429, a refused or reset
 * connection → LEGACY_UNAVAILABLE, retryable; fault 8005 (credentials) and answers that say the
 * URL is wrong (404, 405) → LEGACY_UNAVAILABLE, not retryable (the client logs them loudly); any
 * other `Client` fault → INTERNAL; time-outs → LEGACY_TIMEOUT; an unusable answer →
 * LEGACY_BAD_RESPONSE.
 */
export function toProductError(err: unknown): ProductError {
  if (err instanceof ProductError) return err;
  if (err instanceof BillingResultError) return fromResult(err);
  if (err instanceof BillingFaultError) return fromFault(err);
  if (err instanceof BillingBadResponseError) {
    return new ProductError('LEGACY_BAD_RESPONSE', SYSTEM, `billing's answer is unusable: ${err.message}`, { cause: err });
  }
  if (isBulkheadRejectedError(err)) {
    return new ProductError('LEGACY_UNAVAILABLE', SYSTEM, 'too many billing calls are waiting already; try again shortly.', { cause: err, retryable: true });
  }
  if (err instanceof TimeoutError) {
    return new ProductError('LEGACY_TIMEOUT', SYSTEM, `billing did not answer in time (${err.event} time-out).`, { cause: err });
  }
  if (err instanceof HTTPError) {
    const status = err.response.statusCode;
    const retryAfter = retryAfterSeconds(err.response.headers['retry-after']);
    const extra = retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter };
    if (status === 429 || status >= 500) {
      return new ProductError('LEGACY_UNAVAILABLE', SYSTEM, `billing cannot answer now (HTTP ${status}).`, { cause: err, retryable: true, ...extra });
    }
    if (status === 401 || status === 403) {
      return new ProductError('LEGACY_UNAVAILABLE', SYSTEM, `billing refuses the gateway (HTTP ${status}): check BILLING_USER / BILLING_PASSWORD.`, { cause: err, retryable: false });
    }
    return new ProductError('LEGACY_UNAVAILABLE', SYSTEM, `billing answered HTTP ${status} at ${err.response.url}: BILLING_URL does not point at billing's SOAP services.`, {
      cause: err,
      retryable: false,
    });
  }
  if (err instanceof RequestError) {
    if (err.code && TLS_CODES.test(err.code)) {
      return new ProductError('LEGACY_UNAVAILABLE', SYSTEM, `cannot reach billing securely (${err.code}): check BILLING_URL and BILLING_CA_FILE.`, { cause: err, retryable: false });
    }
    return new ProductError('LEGACY_UNAVAILABLE', SYSTEM, `cannot reach billing (${err.code ?? err.message}).`, { cause: err, retryable: true });
  }
  return new ProductError('INTERNAL_SERVER_ERROR', SYSTEM, 'unexpected failure calling billing; the log has the detail.', { cause: err });
}
