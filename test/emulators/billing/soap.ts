import { XMLParser } from 'fast-xml-parser';
import iconv from 'iconv-lite';
import { formatLocal } from '../../../emulators/shared/time.js';

/** A tiny SOAP client for the billing emulator's tests: builds envelopes, decodes and parses answers. */

export const USER = 'gateway';
export const PASSWORD = 'gateway-dev';

export const SERVICE_OF: Record<string, string> = {
  QueryCustomerInfo: 'CustomerService',
  BatchQueryCustomerInfo: 'CustomerService',
  QueryBalance: 'AccountService',
  BatchQueryBalance: 'AccountService',
  AdjustBalance: 'AccountService',
  QueryTransaction: 'AccountService',
  QueryBillList: 'BillService',
  QueryPaymentLog: 'PaymentService',
  QueryCDR: 'UsageService',
};

let counter = 0;
/** A fresh MessageSeq: `yyyyMMddHHmmssSSS` + 4 digits. */
export function nextSeq(): string {
  counter = (counter + 1) % 10_000;
  return formatLocal(Date.now(), 'yyyyMMddHHmmssSSS') + String(counter).padStart(4, '0');
}

export interface HeaderOptions {
  user?: string;
  password?: string;
  province?: string;
  region?: string;
  operator?: string;
  seq?: string;
  businessCode?: string;
}

export function envelope(op: string, request: string, h: HeaderOptions = {}, charsetDecl = 'UTF-8'): string {
  return `<?xml version="1.0" encoding="${charsetDecl}"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:bc="http://legacy.example/bss/any">
  <soapenv:Body>
    <bc:${op}RequestMsg>
      <RequestHeader>
        <Version>1.0</Version>
        <BusinessCode>${h.businessCode ?? op}</BusinessCode>
        <MessageSeq>${h.seq ?? nextSeq()}</MessageSeq>
        <AccessSecurity><LoginSystemCode>${h.user ?? USER}</LoginSystemCode><Password>${h.password ?? PASSWORD}</Password></AccessSecurity>
        <OperatorID>${h.operator ?? 'agent-0042'}</OperatorID>
        <ProvinceCode>${h.province ?? ''}</ProvinceCode>
        <RegionCode>${h.region ?? ''}</RegionCode>
        <TimeFormat><TimeType>1</TimeType><TimeZoneID>Asia/Shanghai</TimeZoneID></TimeFormat>
      </RequestHeader>
      <${op}Request>${request}</${op}Request>
    </bc:${op}RequestMsg>
  </soapenv:Body>
</soapenv:Envelope>`;
}

/** Elements that repeat: parsed as arrays always, as a client must (a list of one is not wrapped). */
const LISTS = new Set(['Account', 'Subscriber', 'CustomerInfo', 'BalanceInfo', 'Balance', 'BillInfo', 'PaymentInfo', 'CDRInfo']);
const parser = new XMLParser({ removeNSPrefix: true, ignoreAttributes: true, parseTagValue: false, isArray: (name) => LISTS.has(name) });

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Doc = any;

export interface SoapAnswer {
  status: number;
  contentType: string;
  bytes: Buffer;
  /** The body decoded by its declared charset (GBK read with GB18030). */
  text: string;
  /** `Envelope.Body`, prefixes removed. */
  body: Doc;
  /** `{Op}ResultMsg` of a non-fault answer. */
  msg: Doc;
  header: Doc;
  result: Doc;
  fault: Doc;
}

export function decodeDeclared(contentType: string, bytes: Buffer): string {
  const cs = /charset=([^;\s]+)/i.exec(contentType)?.[1]?.toUpperCase() ?? 'UTF-8';
  return cs === 'GBK' ? iconv.decode(bytes, 'gb18030') : bytes.toString('utf8');
}

export function parseAnswer(status: number, contentType: string, bytes: Buffer): SoapAnswer {
  const text = decodeDeclared(contentType, bytes);
  const doc = parser.parse(text) as Doc;
  const body = doc?.Envelope?.Body ?? {};
  const msgName = Object.keys(body).find((k) => k.endsWith('ResultMsg'));
  const msg = msgName ? body[msgName] : undefined;
  const resultName = msgName ? msgName.replace(/Msg$/, '') : '';
  return { status, contentType, bytes, text, body, msg, header: msg?.ResultHeader, result: msg?.[resultName], fault: body.Fault };
}

export interface CallOptions extends HeaderOptions {
  service?: string;
  /** SOAPAction header: the op by default; null leaves it out. */
  soapAction?: string | null;
  /** A whole body to send instead of the built envelope. */
  raw?: string | Buffer;
  contentType?: string;
  signal?: AbortSignal;
}

export async function soapCall(baseUrl: string, op: string, request: string, o: CallOptions = {}): Promise<SoapAnswer> {
  const headers: Record<string, string> = { 'content-type': o.contentType ?? 'text/xml; charset=UTF-8' };
  if (o.soapAction !== null) headers.soapaction = o.soapAction ?? `"${op}"`;
  const res = await fetch(`${baseUrl}/services/${o.service ?? SERVICE_OF[op] ?? 'CustomerService'}`, {
    method: 'POST',
    headers,
    body: o.raw ?? envelope(op, request, o),
    ...(o.signal && { signal: o.signal }),
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  return parseAnswer(res.status, res.headers.get('content-type') ?? '', bytes);
}

/** Local part of a fault code (`soapenv:Server` → `Server`). */
export const faultCodeName = (fault: Doc) => String(fault?.faultcode ?? '').replace(/^.*:/, '');

/** An array of a repeated element that may be absent. */
export const list = <T = Doc>(v: T[] | undefined): T[] => v ?? [];
