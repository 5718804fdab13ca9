import { XMLParser, XMLValidator } from 'fast-xml-parser';
import iconv from 'iconv-lite';
import { BillingBadResponseError } from './errors.js';
import { REPEATED, type WireFault, type WireResultHeader } from './wire.js';

/**
 * Billing's wire format (legacy-contracts §1, docs/legacy-systems/billing.md): SOAP 1.1
 * envelopes written by hand with XML escaping, answers decoded by the charset they declare and
 * parsed without regard to namespace prefixes.
 */

const SOAP_ENV_NS = 'http://schemas.xmlsoap.org/soap/envelope/';

/** The operations this client calls, with the service that offers each and its namespace. */
export const OPERATIONS = {
  BatchQueryCustomerInfo: { service: 'CustomerService', prefix: 'bc', ns: 'http://legacy.example/bss/customer' },
  BatchQueryBalance: { service: 'AccountService', prefix: 'ba', ns: 'http://legacy.example/bss/account' },
  QueryBillList: { service: 'BillService', prefix: 'bb', ns: 'http://legacy.example/bss/bill' },
  QueryPaymentLog: { service: 'PaymentService', prefix: 'bp', ns: 'http://legacy.example/bss/payment' },
  QueryCDR: { service: 'UsageService', prefix: 'bu', ns: 'http://legacy.example/bss/usage' },
} as const;

export type OperationName = keyof typeof OPERATIONS;

// ------------------------------------------------------------------ MessageSeq

const SHANGHAI_OFFSET_MS = 8 * 3600_000;
const pad = (n: number, w: number) => String(n).padStart(w, '0');

/**
 * contract §1: every request carries a `MessageSeq` unique per call, `yyyyMMddHHmmssSSS` (local
 * time) + a 4-digit sequence — 21 digits. Unique within this process: the sequence counts the
 * calls of one millisecond from a random start (so that two replicas rarely meet), and after
 * 10 000 calls in one millisecond the stamp moves on to the next one (a logical clock: never
 * backwards, never a repeat).
 */
export class MessageSeqGenerator {
  private lastMs = 0;
  private start = 0;
  private count = 0;

  constructor(
    private readonly clock: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {}

  next(): string {
    let ms = Math.max(this.clock(), this.lastMs);
    if (ms === this.lastMs && this.count >= 10_000) ms++;
    if (ms !== this.lastMs) {
      this.lastMs = ms;
      this.start = Math.floor(this.random() * 10_000);
      this.count = 0;
    }
    const seq = (this.start + this.count++) % 10_000;
    const t = new Date(ms + SHANGHAI_OFFSET_MS);
    return (
      pad(t.getUTCFullYear(), 4) +
      pad(t.getUTCMonth() + 1, 2) +
      pad(t.getUTCDate(), 2) +
      pad(t.getUTCHours(), 2) +
      pad(t.getUTCMinutes(), 2) +
      pad(t.getUTCSeconds(), 2) +
      pad(t.getUTCMilliseconds(), 3) +
      pad(seq, 4)
    );
  }
}

// ------------------------------------------------------------------ requests

/** Who asks, and in which scope: the header fields that name the caller. */
export interface RequestHeaderFields {
  readonly loginSystemCode: string;
  readonly password: string;
  readonly operatorId: string;
  /** Empty means all provinces (contract §1). */
  readonly provinceCode: string;
  readonly regionCode: string;
}

/** A request field: `[name, text]`; repeated names repeat the element (lists are not wrapped). */
export type RequestField = readonly [string, string];

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Character data, escaped. Control characters XML 1.0 cannot carry are refused, not sent. */
export function escapeXml(text: string): string {
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.test(text)) throw new RangeError('text holds a character XML 1.0 cannot carry');
  return text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);
}

const element = (name: string, text: string) => (text === '' ? `<${name}/>` : `<${name}>${escapeXml(text)}</${name}>`);

/**
 * The request envelope of an operation, as the WSDL has it: `{Op}RequestMsg` in the service's
 * namespace holding `RequestHeader` and `{Op}Request` with unqualified children. Sent as UTF-8
 * (declared in the XML declaration and the Content-Type): billing reads requests by the charset
 * they declare.
 */
export function requestEnvelope(op: OperationName, messageSeq: string, header: RequestHeaderFields, fields: readonly RequestField[]): string {
  const { prefix, ns } = OPERATIONS[op];
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<soapenv:Envelope xmlns:soapenv="${SOAP_ENV_NS}" xmlns:${prefix}="${ns}"><soapenv:Body><${prefix}:${op}RequestMsg>` +
    `<RequestHeader>` +
    element('Version', '1.0') +
    element('BusinessCode', op) +
    element('MessageSeq', messageSeq) +
    `<AccessSecurity>${element('LoginSystemCode', header.loginSystemCode)}${element('Password', header.password)}</AccessSecurity>` +
    element('OperatorID', header.operatorId) +
    element('ProvinceCode', header.provinceCode) +
    element('RegionCode', header.regionCode) +
    `<TimeFormat><TimeType>1</TimeType><TimeZoneID>Asia/Shanghai</TimeZoneID></TimeFormat>` +
    `</RequestHeader>` +
    `<${op}Request>${fields.map(([name, text]) => element(name, text)).join('')}</${op}Request>` +
    `</${prefix}:${op}RequestMsg></soapenv:Body></soapenv:Envelope>`
  );
}

export const REQUEST_CONTENT_TYPE = 'text/xml; charset=UTF-8';

// ------------------------------------------------------------------ decoding answers

/** The charset an answer declares: its Content-Type parameter, else its XML declaration. */
export function declaredCharset(contentType: string | undefined, body: Buffer): string | undefined {
  const fromHeader = /charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '');
  if (fromHeader) return fromHeader[1];
  const head = body.subarray(0, 200).toString('latin1');
  return /^(?:\ufeff|\u00ef\u00bb\u00bf)?\s*<\?xml[^>]*\bencoding\s*=\s*["']([^"']+)["']/.exec(head)?.[1];
}

const GB_LABELS = /^(?:gbk|gb2312|gb18030|cp936|x-gbk|csgb2312|windows-936)$/;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
/** CJK ideographs (basic, Extension A, and the supplementary planes): Chinese text. */
const CJK = /[\u3400-\u4dbf\u4e00-\u9fff]|[\u{20000}-\u{3134f}]/u;

function hasHighByte(body: Buffer): boolean {
  for (let i = 0; i < body.length; i++) if (body[i]! >= 0x80) return true;
  return false;
}

/**
 * Decodes an answer by the charset it declares — never assuming UTF-8 (contract §1) — and refuses
 * bytes that do not match it (the `charsetMismatch` fault: declared one, written in the other),
 * since decoding them as declared would turn every Chinese field into garbage:
 * - "GBK" (and GB2312, GB18030) is decoded with a GB18030 decoder: billing stores GB18030 behind
 *   the GBK label, and a strict GBK decoder loses the rarer name characters (CJK Ext. A/B, `㛃`).
 *   Bytes that are not GB18030 (a U+FFFD in the result), or that are valid UTF-8 whose UTF-8
 *   reading is Chinese, are refused. (Measured on the emulator's world: about 1 % of Chinese names
 *   in GB18030 happen to be valid UTF-8, but none of them reads as Chinese in UTF-8; UTF-8
 *   Chinese always does.)
 * - UTF-8 (or no declaration: XML's default) must be valid UTF-8.
 */
export function decodeBody(contentType: string | undefined, body: Buffer): string {
  const declared = declaredCharset(contentType, body);
  const label = (declared ?? 'utf-8').toLowerCase();
  let text: string;
  if (label === 'utf-8' || label === 'utf8') {
    try {
      text = strictUtf8.decode(body);
    } catch {
      throw new BillingBadResponseError(`the answer declares ${declared ?? 'no charset (UTF-8)'} but its bytes are not UTF-8 (GBK sent as UTF-8?)`);
    }
  } else if (GB_LABELS.test(label)) {
    if (hasHighByte(body)) {
      let asUtf8: string | undefined;
      try {
        asUtf8 = strictUtf8.decode(body);
      } catch {
        // Not UTF-8: as expected of GB18030 text.
      }
      if (asUtf8 !== undefined && CJK.test(asUtf8)) {
        throw new BillingBadResponseError(`the answer declares ${declared} but its bytes are UTF-8 (decoding them as ${declared} would garble every Chinese field)`);
      }
    }
    text = iconv.decode(body, 'gb18030');
    if (text.includes('\ufffd')) throw new BillingBadResponseError(`the answer declares ${declared} but holds bytes that are not GB18030`);
  } else if (iconv.encodingExists(label)) {
    text = iconv.decode(body, label);
  } else {
    throw new BillingBadResponseError(`the answer declares an unknown charset ${JSON.stringify(declared)}`);
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

// ------------------------------------------------------------------ parsing answers

const parser = new XMLParser({
  // contract §1: namespace prefixes vary (`soapenv:`, `SOAP-ENV:`, `ba:` …): match local names.
  removeNSPrefix: true,
  ignoreAttributes: true,
  // Keep keys and digits as text: a leading zero or an 18-digit id must not become a number.
  parseTagValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // contract §1: XML has no arrays — a list of one is a lone element, so these are arrays always.
  isArray: (name: string) => REPEATED.has(name),
  // Callbacks get the path as a matcher, not a string built per element (we read only the name): ~3 % of billing's CPU.
  jPath: false,
});

type Tree = Record<string, unknown>;

const isTree = (v: unknown): v is Tree => typeof v === 'object' && v !== null && !Array.isArray(v);

/** contract §1 "null is an empty element": `<IMSI/>` (parsed as `""`) becomes null, throughout. */
function emptyToNull(v: unknown): unknown {
  if (v === '') return null;
  if (Array.isArray(v)) return v.map(emptyToNull);
  if (isTree(v)) {
    const out: Tree = {};
    for (const [k, x] of Object.entries(v)) out[k] = emptyToNull(x);
    return out;
  }
  return v;
}

/** A parsed answer: the `{Op}ResultMsg` (header and, on success, result), or a SOAP fault. */
export type SoapAnswer =
  | { readonly kind: 'result'; readonly header: WireResultHeader; readonly result: unknown }
  | { readonly kind: 'fault'; readonly fault: WireFault };

/**
 * Parses a decoded answer. Not well-formed (the `malformedRate` fault cuts answers short), a
 * DTD, not a SOAP envelope, or not the expected message → {@link BillingBadResponseError}.
 */
export function parseAnswer(op: OperationName, text: string): SoapAnswer {
  // SOAP 1.1 forbids a DTD, and entity expansion is a classic attack: refuse rather than parse.
  if (/<!DOCTYPE/i.test(text)) throw new BillingBadResponseError('the answer holds a DTD');
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new BillingBadResponseError(`the answer is not well-formed XML (line ${valid.err.line}: ${valid.err.msg})`);
  const doc = emptyToNull(parser.parse(text));
  const envelope = isTree(doc) ? doc.Envelope : undefined;
  const body = isTree(envelope) ? envelope.Body : undefined;
  if (!isTree(body)) throw new BillingBadResponseError('the answer is not a SOAP envelope with a Body');
  if (isTree(body.Fault)) return { kind: 'fault', fault: body.Fault as WireFault };
  const message = body[`${op}ResultMsg`];
  if (!isTree(message)) throw new BillingBadResponseError(`the answer's Body holds no ${op}ResultMsg`);
  const header = message.ResultHeader;
  if (!isTree(header)) throw new BillingBadResponseError(`${op}ResultMsg has no ResultHeader`);
  return { kind: 'result', header: header as WireResultHeader, result: message[`${op}Result`] };
}

/** The local name of a fault code: `SOAP-ENV:Client` → `Client` (contract §1: the prefix varies). */
export function faultCodeName(faultcode: string | null | undefined): string {
  const v = (faultcode ?? '').trim();
  return v.slice(v.lastIndexOf(':') + 1);
}

/** Reads a fault out of an error answer's bytes, or undefined when the body is no SOAP fault. */
export function readFault(contentType: string | undefined, body: Buffer): WireFault | undefined {
  try {
    const text = decodeBody(contentType, body);
    if (/<!DOCTYPE/i.test(text) || XMLValidator.validate(text) !== true) return undefined;
    const doc = emptyToNull(parser.parse(text));
    const envelope = isTree(doc) ? doc.Envelope : undefined;
    const b = isTree(envelope) ? envelope.Body : undefined;
    return isTree(b) && isTree(b.Fault) ? (b.Fault as WireFault) : undefined;
  } catch {
    return undefined;
  }
}
