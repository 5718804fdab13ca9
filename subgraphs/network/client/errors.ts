import { XMLParser } from 'fast-xml-parser';
import { isBulkheadRejectedError } from 'cockatiel';
import { ProductError } from '../../../lib/errors.js';
import { HTTPError, ReadError, RequestError, TimeoutError } from './http.js';
import type { WireError } from './wire.js';

/**
 * Everything the NMS (or the way to it) does wrong, coerced into the product's closed error set
 * (design.md, "Errors"), always with `system: 'network'`. The classes here are private to the
 * client; only {@link ProductError} leaves it.
 */

const SYSTEM = 'network';

/** An answer we cannot use: cut off, not JSON, a required field missing or of the wrong type. */
export class NmsBadResponseError extends Error {
  override name = 'NmsBadResponseError';
}

const xml = new XMLParser({ parseTagValue: false, ignoreAttributes: true });

/**
 * The NMS's error body, `{ status, code, message }` — JSON when it honoured our `Accept`, XML
 * `<error><status/><code/><message/></error>` when it did not (docs/legacy-systems/network.md,
 * "Errors"). Anything else (the proxy's HTML 502 page, an empty body) gives undefined.
 */
export function readErrorBody(body: unknown, contentType: string | undefined): WireError | undefined {
  const text = typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString('utf8') : '';
  if (!text.trim()) return undefined;
  try {
    if (/json/i.test(contentType ?? '') || text.trimStart().startsWith('{')) {
      const v = JSON.parse(text) as Record<string, unknown>;
      return pickError(v);
    }
    if (/xml/i.test(contentType ?? '') || text.trimStart().startsWith('<?xml') || /^\s*<error[\s>]/.test(text)) {
      const doc = xml.parse(text) as { error?: Record<string, unknown> };
      return doc.error && typeof doc.error === 'object' ? pickError(doc.error) : undefined;
    }
  } catch {
    // An unreadable error body says nothing more than its status.
  }
  return undefined;
}

function pickError(v: Record<string, unknown>): WireError | undefined {
  const status = Number(v.status);
  const code = typeof v.code === 'string' ? v.code : undefined;
  const message = typeof v.message === 'string' ? v.message : undefined;
  if (code === undefined && message === undefined) return undefined;
  return { ...(Number.isInteger(status) ? { status } : {}), ...(code ? { code } : {}), ...(message ? { message } : {}) };
}

/** `Retry-After` in seconds (delta-seconds or an HTTP date), or undefined. */
export function retryAfterSeconds(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(header) ? header[0] : header;
  if (v === undefined || v.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(v)) return Number(v);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/** What the body said, for the message: `SERVER_BUSY: Server busy: …`, or the proxy page's title. */
function describe(status: number, body: unknown, contentType: string | undefined): string {
  const e = readErrorBody(body, contentType);
  if (e) return `HTTP ${status}${e.code ? ` ${e.code}` : ''}${e.message ? `: ${e.message}` : ''}`;
  const title = typeof body === 'string' ? /<title>([^<]{1,80})<\/title>/i.exec(body)?.[1] : undefined;
  // contract §2: the 502 comes from the reverse proxy in front of the NMS, as an nginx HTML page.
  return title ? `HTTP ${status} from the proxy in front of the NMS (${title.trim()})` : `HTTP ${status}`;
}

/** TLS failures are configuration (a CA file, a host name), not a passing outage. */
const TLS_CODES = /^(?:CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|ERR_TLS_|ERR_SSL_|ERR_INVALID_URL)/;

/**
 * Coerces anything a call to the NMS threw into a {@link ProductError} (design.md's table):
 * 401/403 → LEGACY_UNAVAILABLE, not retryable (the hook in `http.ts` has logged it loudly);
 * 429 and 5xx (overload, the `topologySync` window, the proxy's 502) → LEGACY_UNAVAILABLE,
 * retryable, with `Retry-After`; 404 on a route → configuration (a by-id 404 never gets here: it
 * is null); other 4xx → LEGACY_REJECTED; time-outs → LEGACY_TIMEOUT; refused or reset connections
 * → LEGACY_UNAVAILABLE; an unusable answer → LEGACY_BAD_RESPONSE.
 */
export function toProductError(err: unknown): ProductError {
  if (err instanceof ProductError) return err;
  if (err instanceof NmsBadResponseError) {
    return new ProductError('LEGACY_BAD_RESPONSE', SYSTEM, `The NMS answered something unusable: ${err.message}.`, { cause: err });
  }
  if (err instanceof HTTPError) {
    const res = err.response;
    const status = res.statusCode;
    const type = res.headers['content-type'];
    const what = describe(status, res.body, type);
    if (status === 401 || status === 403) {
      return new ProductError('LEGACY_UNAVAILABLE', SYSTEM, `The NMS rejects the subgraph's credentials (${what}): set NETWORK_USER and NETWORK_PASSWORD.`, {
        retryable: false,
        cause: err,
      });
    }
    if (status === 429 || status >= 500) {
      const after = retryAfterSeconds(res.headers['retry-after']);
      return new ProductError('LEGACY_UNAVAILABLE', SYSTEM, `The NMS cannot answer now (${what}).`, {
        cause: err,
        ...(after === undefined ? {} : { retryAfterSeconds: after }),
      });
    }
    if (status === 404) {
      return new ProductError('LEGACY_UNAVAILABLE', SYSTEM, `The NMS has no such resource (${what}): check NETWORK_URL (the NMS REST base is /nms/rest/ under it).`, {
        retryable: false,
        cause: err,
      });
    }
    return new ProductError('LEGACY_REJECTED', SYSTEM, `The NMS refused the request (${what}).`, { cause: err });
  }
  if (err instanceof TimeoutError) {
    return new ProductError('LEGACY_TIMEOUT', SYSTEM, `The NMS did not answer in time (${err.event} time-out).`, { cause: err });
  }
  if (err instanceof ReadError) {
    return new ProductError('LEGACY_UNAVAILABLE', SYSTEM, `The connection to the NMS broke while reading its answer (${err.code}).`, { cause: err });
  }
  if (err instanceof RequestError) {
    if (TLS_CODES.test(err.code ?? '')) {
      return new ProductError('LEGACY_UNAVAILABLE', SYSTEM, `Cannot reach the NMS securely (${err.code}): check NETWORK_URL and NETWORK_CA_FILE.`, {
        retryable: false,
        cause: err,
      });
    }
    return new ProductError('LEGACY_UNAVAILABLE', SYSTEM, `Cannot reach the NMS (${err.code ?? err.message}).`, { cause: err });
  }
  if (isBulkheadRejectedError(err)) {
    // Our own bulkhead's queue is full: the NMS is as busy as we let it be.
    return new ProductError('LEGACY_UNAVAILABLE', SYSTEM, 'Too many calls to the NMS are waiting; try again shortly.', { retryAfterSeconds: 1, cause: err });
  }
  // Not a failure of the NMS or of the way to it: a bug of ours. Masked; the client logs it.
  return new ProductError('INTERNAL_SERVER_ERROR', SYSTEM, 'Unexpected failure in the network client; the log has the detail under this request id.', {
    cause: err,
  });
}
