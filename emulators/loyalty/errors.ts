/**
 * The points ledger's own error vocabulary (docs/legacy-systems.md, "Loyalty"). Every error
 * answer is one CSV line `ERR,<code>,<message>` with the status below; `BUSY` and `POSTING`
 * carry `Retry-After`.
 */

export const LEDGER_ERRORS = {
  /** A query parameter missing or unreadable (`customers`). */
  BAD_REQUEST: { status: 400 },
  /** More customers in one call than the ledger takes (50). */
  BATCH_TOO_LARGE: { status: 400 },
  /** No or wrong HTTP Basic credentials. */
  UNAUTHORIZED: { status: 401 },
  /** No such route. */
  NOT_FOUND: { status: 404 },
  /** A known route with another method. */
  METHOD_NOT_ALLOWED: { status: 405 },
  /** The ledger's own failure (`errorRate`). */
  INTERNAL: { status: 500 },
  /** More calls in flight than the ledger serves at once (8). */
  BUSY: { status: 503 },
  /** The nightly points posting (`postingRun` window): balances are being recomputed. */
  POSTING: { status: 503 },
} as const;

export type LedgerErrorCode = keyof typeof LEDGER_ERRORS;

/** Seconds a client is told to wait when the ledger is busy. */
export const BUSY_RETRY_AFTER_S = 1;
/** Seconds a client is told to wait during the posting run. */
export const POSTING_RETRY_AFTER_S = 60;

/** An error the ledger answers with; thrown below the routes and written by the wire layer. */
export class LedgerError extends Error {
  override name = 'LedgerError';
  readonly status: number;

  constructor(
    readonly code: LedgerErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.status = LEDGER_ERRORS[code].status;
  }
}
