import type { OutgoingResponse } from '../shared/server.js';

/**
 * The CRM's own error vocabulary (contract §3): every error answer is JSON
 * `{ "ErrorCode": "SBL-…", "ErrorMsg": "…" }` with an HTTP status. The codes follow Siebel's
 * numbering where a real one fits (SBL-DAT-00398 unknown field, SBL-DAT-00498 required field,
 * SBL-ODS-50006 duplicate record, SBL-ODU-57081 no record, SBL-ODU-00271 bad parameter);
 * the rest are this emulator's choice and are listed in docs/legacy-systems/customer-service.md.
 */
export const SBL = {
  /** Login with a wrong user or password. */
  badCredentials: { status: 401, code: 'SBL-SEC-10018', msg: () => 'Invalid username or password.' },
  /** No `Authorization: Bearer <token>` header at all. */
  noToken: { status: 401, code: 'SBL-SEC-10007', msg: () => 'No session token. Log in with POST /crm/v1/session and send Authorization: Bearer <token>.' },
  /** Idle too long, expired by the `expireSessions` fault, or a token the server does not know. */
  sessionExpired: { status: 401, code: 'SBL-DAT-00175', msg: () => 'Your session has expired. Please log in again.' },
  unknownField: {
    status: 400,
    code: 'SBL-DAT-00398',
    msg: (field: string, bc: string) =>
      `Field '${field}' does not exist in definition for business component '${bc}'. Please ask your systems administrator to check your configuration.`,
  },
  badSearchSpec: { status: 400, code: 'SBL-DAT-00358', msg: (why: string) => `The search specification is not valid: ${why}` },
  searchSpecTooLarge: { status: 400, code: 'SBL-DAT-00359', msg: (why: string) => `The search specification is too large: ${why}` },
  badSortSpec: { status: 400, code: 'SBL-DAT-00361', msg: (why: string) => `The sort specification is not valid: ${why}` },
  badParameter: { status: 400, code: 'SBL-ODU-00271', msg: (why: string) => `Invalid value for the parameter: ${why}` },
  batchTooLarge: { status: 400, code: 'SBL-EAI-04451', msg: (what: string, max: number) => `Too many keys in ${what}: at most ${max} per call.` },
  malformedBody: { status: 400, code: 'SBL-EAI-04401', msg: (why: string) => `The request body is not valid JSON: ${why}` },
  requiredField: { status: 400, code: 'SBL-DAT-00498', msg: (field: string) => `'${field}' is a required field. Please enter a value for the field.` },
  readOnlyField: { status: 400, code: 'SBL-DAT-00427', msg: (field: string) => `Field '${field}' is read-only and cannot be set.` },
  badValue: {
    status: 400,
    code: 'SBL-DAT-00225',
    msg: (field: string, value: string) => `The value '${value}' entered in field '${field}' does not match any value in the bounded pick list or any record.`,
  },
  noSuchRoute: { status: 404, code: 'SBL-ODU-00272', msg: (what: string) => `No such resource: ${what}.` },
  noRecord: { status: 404, code: 'SBL-ODU-57081', msg: (what: string) => `No records found: ${what}.` },
  duplicate: {
    status: 409,
    code: 'SBL-ODS-50006',
    msg: (ref: string) => `A record that contains identical values to the record you are trying to create already exists (External Ref '${ref}').`,
  },
  readOnlyRecord: { status: 409, code: 'SBL-DAT-00402', msg: (sr: string, status: string) => `Service request ${sr} is ${status}: a closed request is read-only.` },
  tooManyCalls: {
    status: 429,
    code: 'SBL-SMI-00126',
    msg: (max: number) => `Too many concurrent requests on this session (at most ${max}). Retry later.`,
    retryAfter: 1,
  },
  internal: { status: 500, code: 'SBL-SVR-01042', msg: () => 'Internal error: the object manager could not process the request.' },
  queryTimeout: {
    status: 500,
    code: 'SBL-DBC-00123',
    msg: (seconds: number) => `The query ran longer than ${seconds} seconds and was cancelled. Search on an indexed field.`,
  },
  bulkLoad: {
    status: 503,
    code: 'SBL-EIM-00205',
    msg: () => 'An EIM bulk load is in progress: writes are suspended until it completes.',
    retryAfter: 300,
  },
  storeFull: { status: 503, code: 'SBL-DBC-00105', msg: () => 'The database cannot accept more records now.', retryAfter: 60 },
} as const satisfies Record<string, { status: number; code: string; msg: (...a: never[]) => string; retryAfter?: number }>;

export type SblErrorKind = keyof typeof SBL;

/**
 * The JSON error answer for one entry of {@link SBL}. 429 and 503 answers carry `Retry-After`
 * in seconds (contract §0).
 */
export function sblError<K extends SblErrorKind>(
  kind: K,
  args: Parameters<(typeof SBL)[K]['msg']>,
  extra: { body?: Record<string, string> } = {},
): OutgoingResponse {
  const e: { msg: unknown; status: number; code: string; retryAfter?: number } = SBL[kind];
  const msg = (e.msg as (...a: unknown[]) => string)(...args);
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  if (e.retryAfter !== undefined) headers['retry-after'] = String(e.retryAfter);
  return { status: e.status, headers, body: JSON.stringify({ ErrorCode: e.code, ErrorMsg: msg, ...extra.body }) };
}

/** An error raised deep in the model and turned into its wire answer by the routes. */
export class SblFailure extends Error {
  constructor(readonly response: OutgoingResponse) {
    super(`SBL error ${response.status}`);
  }
}

/** Throws the error answer for `kind` (for use inside parsers and the model). */
export function fail<K extends SblErrorKind>(kind: K, ...args: Parameters<(typeof SBL)[K]['msg']>): never {
  throw new SblFailure(sblError(kind, args));
}
