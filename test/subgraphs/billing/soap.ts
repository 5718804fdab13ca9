import iconv from 'iconv-lite';
import pino from 'pino';
import { BillingTransport, HttpBillingClient, type BillingTransportOptions } from '../../../subgraphs/billing/client/BillingClient.js';

/**
 * Helpers for the billing client's nock tests: answers written the way billing writes them
 * (docs/legacy-systems/billing.md), and a client pointed at `http://billing.test`.
 */

export const BILLING = 'http://billing.test';

const NAMESPACES: Record<string, [string, string]> = {
  BatchQueryCustomerInfo: ['bc', 'http://legacy.example/bss/customer'],
  BatchQueryBalance: ['ba', 'http://legacy.example/bss/account'],
  QueryBillList: ['bb', 'http://legacy.example/bss/bill'],
  QueryPaymentLog: ['bp', 'http://legacy.example/bss/payment'],
  QueryCDR: ['bu', 'http://legacy.example/bss/usage'],
};

export const SERVICE_PATH = {
  BatchQueryCustomerInfo: '/services/CustomerService',
  BatchQueryBalance: '/services/AccountService',
  QueryBillList: '/services/BillService',
  QueryPaymentLog: '/services/PaymentService',
  QueryCDR: '/services/UsageService',
} as const;

export interface AnswerOptions {
  /** ResultCode of the header (default `0`). */
  code?: string;
  desc?: string;
  retryAfter?: string;
  /** What the answer declares (default GBK). */
  declared?: 'GBK' | 'UTF-8';
  /** How it is really written (default: as declared; GBK is written as GB18030 bytes, as billing does). */
  written?: 'GBK' | 'UTF-8';
  /** Declare the charset only in the XML declaration, not in Content-Type. */
  declarationOnly?: boolean;
  /** MessageSeq to echo instead of the request's. */
  messageSeq?: string;
  /** Cut the body to this many bytes (malformedRate). */
  truncateTo?: number;
}

/** All values of a (child) element in a request body, in order. */
export function valuesOf(requestBody: string, element: string): string[] {
  return [...requestBody.matchAll(new RegExp(`<${element}>([^<]*)</${element}>|<${element}/>`, 'g'))].map((m) => m[1] ?? '');
}

const encode = (text: string, charset: 'GBK' | 'UTF-8') => (charset === 'UTF-8' ? Buffer.from(text, 'utf8') : iconv.encode(text, 'gb18030'));

/** An HTTP 200 `{Op}ResultMsg` answer, as a nock reply function echoing the request's MessageSeq. */
export function soapAnswer(op: string, resultInner: string, o: AnswerOptions = {}) {
  return (_uri: string, requestBody: unknown): [number, Buffer, Record<string, string>] => {
    const seq = o.messageSeq ?? valuesOf(String(requestBody), 'MessageSeq')[0] ?? '';
    const [p, ns] = NAMESPACES[op]!;
    const code = o.code ?? '0';
    const declared = o.declared ?? 'GBK';
    const header =
      `<ResultHeader><Version>1.0</Version><ResultCode>${code}</ResultCode><ResultDesc>${o.desc ?? (code === '0' ? 'Operation successfully.' : 'Failed.')}</ResultDesc>` +
      `<MessageSeq>${seq}</MessageSeq>${o.retryAfter ? `<RetryAfter>${o.retryAfter}</RetryAfter>` : ''}</ResultHeader>`;
    const result = code === '0' ? `<${op}Result>${resultInner}</${op}Result>` : '';
    const xml =
      `<?xml version="1.0" encoding="${declared}"?>\n` +
      `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:${p}="${ns}"><soapenv:Body>` +
      `<${p}:${op}ResultMsg>${header}${result}</${p}:${op}ResultMsg></soapenv:Body></soapenv:Envelope>`;
    let body = encode(xml, o.written ?? declared);
    if (o.truncateTo !== undefined) body = body.subarray(0, o.truncateTo);
    return [200, body, { 'content-type': o.declarationOnly ? 'text/xml' : `text/xml; charset=${declared}` }];
  };
}

/** An HTTP 500 SOAP fault, with the prefix billing uses for it (`soapenv:` Server, `SOAP-ENV:` Client). */
export function soapFault(faultCode: 'Server' | 'Client', errorCode: string, faultString: string): [number, Buffer, Record<string, string>] {
  const p = faultCode === 'Server' ? 'soapenv' : 'SOAP-ENV';
  const xml =
    `<?xml version="1.0" encoding="GBK"?>\n<${p}:Envelope xmlns:${p}="http://schemas.xmlsoap.org/soap/envelope/"><${p}:Body><${p}:Fault>` +
    `<faultcode>${p}:${faultCode}</faultcode><faultstring>${faultString}</faultstring><detail><ErrorCode>${errorCode}</ErrorCode></detail>` +
    `</${p}:Fault></${p}:Body></${p}:Envelope>`;
  return [500, iconv.encode(xml, 'gb18030'), { 'content-type': 'text/xml; charset=GBK' }];
}

/** A `Customer` + `Account`s + `Subscriber`s block. */
export function customerXml(c: {
  custKey?: string;
  id: string;
  name?: string;
  accounts?: { key: string; type?: string; status?: string; parent?: string }[];
  lines?: { number: string; kind?: string; status?: string; imsi?: string; iccid?: string; product?: string; active?: string; acct: string }[];
}): string {
  return (
    `<Customer><CustKey>${c.custKey ?? '8817400416'}</CustKey><CrmCustId>${c.id}</CrmCustId><CustName>${c.name ?? '钟翔文'}</CustName><ProvinceCode>GD</ProvinceCode><RegionCode>GZ</RegionCode></Customer>` +
    (c.accounts ?? [])
      .map(
        (a) =>
          `<Account><AcctKey>${a.key}</AcctKey><PaymentType>${a.type ?? 'POSTPAID'}</PaymentType><Status>${a.status ?? 'Active'}</Status>${a.parent ? `<ParentAcctKey>${a.parent}</ParentAcctKey>` : '<ParentAcctKey/>'}</Account>`,
      )
      .join('') +
    (c.lines ?? [])
      .map(
        (l) =>
          `<Subscriber><ServiceNumber>${l.number}</ServiceNumber><ServiceType>${l.kind ?? 'MOBILE'}</ServiceType>` +
          `${l.imsi ? `<IMSI>${l.imsi}</IMSI>` : '<IMSI/>'}${l.iccid ? `<ICCID>${l.iccid}</ICCID>` : '<ICCID/>'}` +
          `<ProductName>${l.product ?? '全球通 128 元套餐'}</ProductName><Status>${l.status ?? 'active'}</Status>` +
          `${l.active === undefined ? '<ActiveTime>20121006022426</ActiveTime>' : l.active ? `<ActiveTime>${l.active}</ActiveTime>` : '<ActiveTime/>'}<AcctKey>${l.acct}</AcctKey></Subscriber>`,
      )
      .join('')
  );
}

export interface CapturedLog {
  level: number;
  msg: string;
  [k: string]: unknown;
}

/** A client on `http://billing.test` with retries off, and the log lines it wrote. */
export function testClient(overrides: Partial<BillingTransportOptions> = {}) {
  const logs: CapturedLog[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line) as CapturedLog) });
  const transport = new BillingTransport({
    baseUrl: BILLING,
    user: 'gateway',
    password: 'gateway-dev',
    timeoutMs: 2000,
    connectTimeoutMs: 500,
    maxInFlight: 20,
    maxQueue: 1000,
    customerBatchSize: 100,
    balanceBatchSize: 50,
    pageSize: 200,
    logger,
    ...overrides,
  });
  const client = new HttpBillingClient(transport, { requestId: 'req-42', logger, caller: { operatorId: 'gateway', provinceCode: '', regionCode: '' } });
  return { client, transport, logs };
}
