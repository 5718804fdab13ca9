/**
 * The billing system's own error vocabulary (contract §1, "Errors"): business outcomes travel as
 * a `ResultCode` in an HTTP 200 answer; technical errors are HTTP 500 SOAP 1.1 faults whose
 * `detail` carries an `ErrorCode`.
 */

/** Business result codes, answered with HTTP 200 in the `ResultHeader`. */
export const RESULT = {
  /** contract §1: `"0"` and `"Operation successfully."`, trailing period included. */
  ok: { code: '0', desc: 'Operation successfully.' },
  notFound: { code: '102', desc: 'The record does not exist.' },
  /** The record lies outside the caller's `ProvinceCode`/`RegionCode`. */
  noPermission: { code: '103', desc: 'No permission to access the record.' },
  /** The operation is refused for this record (AdjustBalance on a Closed account). */
  blocked: { code: '104', desc: 'The account is blocked for this operation.' },
  /** contract §1: the text is lower case and has no period. */
  batchTooLarge: { code: '1010', desc: 'exceed max batch size' },
  /** The nightly bill run (window `billRun`); the header carries `RetryAfter` seconds. */
  billRun: { code: '2001', desc: 'Bill run in progress, please retry later.' },
} as const;

export type ResultKind = keyof typeof RESULT;
export type ResultCode = (typeof RESULT)[ResultKind]['code'];

/** SOAP 1.1 fault code local names. */
export type FaultCode = 'Client' | 'Server';

export interface FaultDef {
  readonly faultCode: FaultCode;
  readonly errorCode: string;
  readonly text: string;
}

/** Technical errors: HTTP 500 SOAP faults. `text` is the `faultstring` (a detail may follow). */
export const FAULT = {
  /** contract §1: more than `maxConcurrency` (20) calls in flight. */
  systemBusy: { faultCode: 'Server', errorCode: '9001', text: 'System busy' },
  /** The `errorRate` fault: the system failed internally. */
  internal: { faultCode: 'Server', errorCode: '9000', text: 'Internal error' },
  /** Not XML, not a SOAP envelope, an unsupported charset, a DTD. */
  malformed: { faultCode: 'Client', errorCode: '8001', text: 'Malformed request' },
  /** No such operation anywhere, or SOAPAction disagrees with the body. */
  unknownOperation: { faultCode: 'Client', errorCode: '8002', text: 'Unknown operation' },
  /** An operation posted to a service that does not offer it, or a service that does not exist. */
  wrongService: { faultCode: 'Client', errorCode: '8003', text: 'Operation not offered by this service' },
  /** A required field is missing, or a field has the wrong format. */
  invalidField: { faultCode: 'Client', errorCode: '8004', text: 'Invalid request' },
  /** `AccessSecurity` does not match the configured LoginSystemCode/Password. */
  authentication: { faultCode: 'Client', errorCode: '8005', text: 'Authentication failed' },
  /** contract §1: a write repeated with a MessageSeq already processed. */
  duplicateMessageSeq: { faultCode: 'Client', errorCode: '8006', text: 'Duplicate MessageSeq' },
} as const satisfies Record<string, FaultDef>;

/** Thrown anywhere in request handling; the handler turns it into a SOAP fault. */
export class BillingFault extends Error {
  constructor(
    readonly fault: FaultDef,
    /** Appended to the faultstring after a colon, to name what was wrong. */
    readonly detail?: string,
  ) {
    super(detail ? `${fault.text}: ${detail}` : fault.text);
    this.name = 'BillingFault';
  }
}
