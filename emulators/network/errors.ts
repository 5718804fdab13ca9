/**
 * The NMS's own error vocabulary (contract §2: 404 with an XML error body, 401, 503 during
 * `topologySync` and over the in-flight limit). Every error answer carries one of these codes in
 * an `<error>` body (JSON on `Accept: application/json`); the 502 of `errorRate` is not here
 * because it comes from the reverse proxy in front of the NMS, not from the NMS.
 */

export const NMS_ERRORS = {
  /** A query parameter with a value the NMS does not accept (offset, limit, minSeverity, active, ack). */
  INVALID_PARAMETER: { status: 400, title: 'Invalid parameter' },
  /** A parameter the call cannot do without (`customerCode` on `GET /services`). */
  MISSING_PARAMETER: { status: 400, title: 'Missing parameter' },
  /** A request body that is not the JSON object the call expects. */
  MALFORMED_BODY: { status: 400, title: 'Malformed request body' },
  /** More than 100 keys in one batch call. */
  BATCH_TOO_LARGE: { status: 400, title: 'Batch too large' },
  /** No or wrong HTTP Basic credentials. */
  UNAUTHORIZED: { status: 401, title: 'Unauthorized' },
  /** An unknown id (service, element, alarm, outage) or route. */
  NOT_FOUND: { status: 404, title: 'Not found' },
  /** A known route with another method. */
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  /** More calls in flight than the NMS serves at once (10 by contract). */
  SERVER_BUSY: { status: 503, title: 'Server busy' },
  /** The nightly topology synchronisation: inventory (`/services`, `/nes`) is unavailable. */
  TOPOLOGY_SYNC: { status: 503, title: 'Topology synchronisation in progress' },
} as const;

export type NmsErrorCode = keyof typeof NMS_ERRORS;

/** Seconds a client is told to wait after a 503 for being over the in-flight limit. */
export const BUSY_RETRY_AFTER_S = 1;
/** Seconds a client is told to wait during the `topologySync` window. */
export const TOPOLOGY_SYNC_RETRY_AFTER_S = 30;

/** An error the NMS answers with; thrown anywhere below the routes and written by the wire layer. */
export class NmsError extends Error {
  override name = 'NmsError';
  readonly status: number;

  constructor(
    readonly code: NmsErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.status = NMS_ERRORS[code].status;
  }
}
