import { XMLParser, XMLValidator } from 'fast-xml-parser';
import iconv from 'iconv-lite';
import { BillingFault, FAULT, type FaultDef } from './errors.js';

/**
 * The billing system's wire format (contract §1): SOAP 1.1 envelopes, GBK by default, parsed
 * without regard to namespace prefixes and written the way the real system writes them.
 */

export const SOAP_ENV_NS = 'http://schemas.xmlsoap.org/soap/envelope/';

export type Charset = 'GBK' | 'UTF-8';

// ------------------------------------------------------------------ reading requests

/** One element of a parsed request: local name (prefix dropped), trimmed text, child elements. */
export interface XmlNode {
  readonly name: string;
  readonly text: string;
  readonly children: readonly XmlNode[];
}

/** The first child element with this local name. */
export function child(node: XmlNode | undefined, name: string): XmlNode | undefined {
  return node?.children.find((c) => c.name === name);
}

/** The text of the first child element with this local name ('' when absent or empty). */
export function childText(node: XmlNode | undefined, name: string): string {
  return child(node, name)?.text ?? '';
}

/** The charset a request declares: its Content-Type parameter, else its XML declaration. */
export function declaredCharset(contentType: string | undefined, body: Buffer): string | undefined {
  const fromHeader = /charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '');
  if (fromHeader) return fromHeader[1];
  const head = body.subarray(0, 200).toString('latin1');
  const fromDecl = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([^"']+)["']/.exec(head);
  return fromDecl?.[1];
}

/**
 * Decodes a request body by the charset it declares, UTF-8 when it declares none. Every GB
 * label is read with a GB18030 decoder: GB18030 is a byte superset of GBK and GB2312.
 */
export function decodeRequest(contentType: string | undefined, body: Buffer): string {
  const declared = declaredCharset(contentType, body);
  const label = (declared ?? 'UTF-8').toLowerCase();
  let text: string;
  if (label === 'utf-8' || label === 'utf8') text = body.toString('utf8');
  else if (/^(gbk|gb2312|gb18030|cp936|x-gbk)$/.test(label)) text = iconv.decode(body, 'gb18030');
  else if (iconv.encodingExists(label)) text = iconv.decode(body, label);
  else throw new BillingFault(FAULT.malformed, `unsupported charset ${declared}`);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

const parser = new XMLParser({
  preserveOrder: true,
  removeNSPrefix: true,
  ignoreAttributes: true,
  parseTagValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  trimValues: true,
});

type Ordered = Record<string, unknown>[];

function toNodes(items: Ordered): XmlNode[] {
  const out: XmlNode[] = [];
  for (const item of items) {
    for (const [name, value] of Object.entries(item)) {
      if (name === '#text' || name === ':@' || name.startsWith('?') || name === '#comment') continue;
      const kids = Array.isArray(value) ? (value as Ordered) : [];
      let text = '';
      for (const k of kids) if (typeof k['#text'] === 'string' || typeof k['#text'] === 'number') text += String(k['#text']);
      out.push({ name, text: text.trim(), children: toNodes(kids) });
    }
  }
  return out;
}

/** A request's SOAP body element: `{Op}RequestMsg`, any namespace prefix. */
export interface SoapRequest {
  /** Local name of the body element, e.g. `QueryBalanceRequestMsg`. */
  readonly bodyElement: string;
  readonly message: XmlNode;
}

/** Parses a SOAP 1.1 request; a body that is not one is a `Client` fault. */
export function parseSoapRequest(text: string): SoapRequest {
  // SOAP 1.1 §3: a message must not contain a DTD (and entity expansion is a classic attack).
  if (/<!DOCTYPE/i.test(text)) throw new BillingFault(FAULT.malformed, 'a SOAP message must not contain a DTD');
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new BillingFault(FAULT.malformed, `not well-formed XML (line ${valid.err.line}: ${valid.err.msg})`);
  const roots = toNodes(parser.parse(text) as Ordered);
  const envelope = roots[0];
  if (roots.length !== 1 || envelope?.name !== 'Envelope') throw new BillingFault(FAULT.malformed, 'the root element must be a SOAP Envelope');
  const body = child(envelope, 'Body');
  if (!body) throw new BillingFault(FAULT.malformed, 'the Envelope has no Body');
  const message = body.children[0];
  if (!message || body.children.length !== 1) throw new BillingFault(FAULT.malformed, 'the Body must hold exactly one element');
  return { bodyElement: message.name, message };
}

// ------------------------------------------------------------------ writing answers

/**
 * An element to write: `[name, value]`. A string or number is text; `null` is an empty element
 * (`<ParentAcctKey/>`, contract §1: an empty element means null); `undefined` leaves the element
 * out; an array holds child elements in order.
 */
export type XmlChild = readonly [string, string | number | null | undefined | readonly XmlChild[]];

/**
 * How an answer is written: the charset it declares (Content-Type and XML declaration) and the
 * bytes it really uses. GBK answers are encoded with GB18030 while declaring GBK, as systems that
 * store GB18030 and label it GBK do: every GBK character has the same bytes in both, and the few
 * GB18030-only characters of the world's names (CJK Ext. A/B) go out as four-byte GB18030
 * sequences — a client must decode "GBK" with a GB18030 decoder. With the fault flag
 * `charsetMismatch` the answer declares the configured charset and is written in the other.
 */
export interface WireEncoding {
  readonly declared: Charset;
  readonly utf8: boolean;
}

export function wireEncoding(charset: Charset, mismatch: boolean): WireEncoding {
  return { declared: charset, utf8: (charset === 'UTF-8') !== mismatch };
}

export const contentType = (enc: WireEncoding) => `text/xml; charset=${enc.declared}`;

/** GB18030 bytes of each non-ASCII character met so far (bounded: at most every BMP character once). */
const gbBytes = new Map<string, Buffer>();
const GB_CACHE_MAX = 70_000;

function gb18030Of(ch: string): Buffer {
  let bytes = gbBytes.get(ch);
  if (!bytes) {
    bytes = iconv.encode(ch, 'gb18030');
    if (gbBytes.size < GB_CACHE_MAX) gbBytes.set(ch, bytes);
  }
  return bytes;
}

const SPECIAL = /[&<>]/;
const escapeText = (s: string) => (SPECIAL.test(s) ? s.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;')) : s);

/**
 * Writes XML straight into bytes in the answer's encoding. Markup is ASCII (the same bytes in
 * both charsets); text is escaped and encoded — GB18030 by a per-character cache, since a large
 * answer is mostly ASCII with a few hundred Chinese names in it.
 */
export class XmlWriter {
  private buf = Buffer.allocUnsafe(16 * 1024);
  private n = 0;

  constructor(private readonly enc: WireEncoding) {
    this.markup(`<?xml version="1.0" encoding="${enc.declared}"?>\n`);
  }

  private room(bytes: number): void {
    if (this.n + bytes <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.n + bytes));
    this.buf.copy(next, 0, 0, this.n);
    this.buf = next;
  }

  /** ASCII markup, written as is. */
  markup(s: string): this {
    this.room(s.length);
    if (s.length > 48) {
      this.n += this.buf.write(s, this.n, 'latin1');
      return this;
    }
    // Short markup: a plain loop beats a native call per tag.
    const buf = this.buf;
    let n = this.n;
    for (let i = 0; i < s.length; i++) buf[n++] = s.charCodeAt(i);
    this.n = n;
    return this;
  }

  /** `<name>`, `</name>` or `<name/>` without building the string. */
  private tag(open: string, name: string, close: string): void {
    this.room(name.length + 3);
    const buf = this.buf;
    let n = this.n;
    for (let i = 0; i < open.length; i++) buf[n++] = open.charCodeAt(i);
    for (let i = 0; i < name.length; i++) buf[n++] = name.charCodeAt(i);
    for (let i = 0; i < close.length; i++) buf[n++] = close.charCodeAt(i);
    this.n = n;
  }

  /** Character data, escaped and encoded. */
  text(s: string): this {
    return this.encoded(escapeText(s));
  }

  /** Text encoded as it is: markup that may hold non-ASCII characters. */
  encoded(escaped: string): this {
    if (this.enc.utf8 && escaped.length > 48) {
      this.room(escaped.length * 3);
      this.n += this.buf.write(escaped, this.n, 'utf8');
      return this;
    }
    this.room(escaped.length * 4);
    const buf = this.buf;
    let n = this.n;
    for (let i = 0; i < escaped.length; i++) {
      const c = escaped.charCodeAt(i);
      if (c < 0x80) {
        buf[n++] = c;
        continue;
      }
      const pair = c >= 0xd800 && c <= 0xdbff && i + 1 < escaped.length;
      const ch = pair ? escaped.slice(i, i + 2) : escaped[i]!;
      const bytes = this.enc.utf8 ? Buffer.from(ch, 'utf8') : gb18030Of(ch);
      if (pair) i++;
      for (let k = 0; k < bytes.length; k++) buf[n++] = bytes[k]!;
    }
    this.n = n;
    return this;
  }

  elements(children: readonly XmlChild[]): this {
    for (const [name, value] of children) {
      if (value === undefined) continue;
      if (value === null || value === '' || (Array.isArray(value) && value.length === 0)) {
        this.tag('<', name, '/>');
        continue;
      }
      this.tag('<', name, '>');
      if (typeof value === 'number') this.markup(String(value));
      else if (typeof value === 'string') this.text(value);
      else this.elements(value as readonly XmlChild[]);
      this.tag('</', name, '>');
    }
    return this;
  }

  done(): Buffer {
    return this.buf.subarray(0, this.n);
  }
}

/** A successful envelope, as in the wire example: `soapenv:` and the service's own prefix. */
export function resultEnvelope(enc: WireEncoding, ns: { prefix: string; uri: string }, messageName: string, content: readonly XmlChild[]): Buffer {
  return new XmlWriter(enc)
    .markup(`<soapenv:Envelope xmlns:soapenv="${SOAP_ENV_NS}" xmlns:${ns.prefix}="${ns.uri}"><soapenv:Body><${ns.prefix}:${messageName}>`)
    .elements(content)
    .markup(`</${ns.prefix}:${messageName}></soapenv:Body></soapenv:Envelope>`)
    .done();
}

/**
 * A SOAP 1.1 fault. contract §1: "the namespace prefix varies" — this system's container writes
 * `soapenv:` for `Server` faults (as in the wire example) and its request-validation layer writes
 * `SOAP-ENV:` for `Client` faults. A client must match the fault code's local name only.
 */
export function faultEnvelope(enc: WireEncoding, fault: FaultDef, detail?: string): Buffer {
  const p = fault.faultCode === 'Server' ? 'soapenv' : 'SOAP-ENV';
  return new XmlWriter(enc)
    .markup(`<${p}:Envelope xmlns:${p}="${SOAP_ENV_NS}"><${p}:Body><${p}:Fault>`)
    .markup(`<faultcode>${p}:${fault.faultCode}</faultcode><faultstring>`)
    .text(detail ? `${fault.text}: ${detail}` : fault.text)
    .markup(`</faultstring><detail><ErrorCode>${fault.errorCode}</ErrorCode></detail></${p}:Fault></${p}:Body></${p}:Envelope>`)
    .done();
}

/** A whole document given as markup without its XML declaration (the WSDL), in the answer's encoding. */
export function encodeDocument(enc: WireEncoding, xmlWithoutDeclaration: string): Buffer {
  return new XmlWriter(enc).encoded(xmlWithoutDeclaration).done();
}

/**
 * The `malformedRate` form: the answer cut off between 40 % and 90 % of its bytes — never
 * well-formed (the closing tags are gone), possibly ending mid-character.
 */
export function truncateBody(body: Buffer, u = Math.random()): Buffer {
  const cut = Math.floor(body.length * (0.4 + 0.5 * u));
  return body.subarray(0, Math.min(cut, Math.max(0, body.length - 20)));
}
