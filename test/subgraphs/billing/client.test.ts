import net, { type AddressInfo } from 'node:net';
import iconv from 'iconv-lite';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ProductError } from '../../../lib/errors.js';
import { MessageSeqGenerator, decodeBody, escapeXml } from '../../../subgraphs/billing/client/soap.js';
import { BILLING, SERVICE_PATH, customerXml, soapAnswer, soapFault, testClient, valuesOf } from './soap.js';

/**
 * The billing client over HTTP, with billing answered by nock: every quirk of legacy-contracts §1
 * and every error path of design.md's table.
 */

const transports: { close(): void }[] = [];
function client(overrides: Parameters<typeof testClient>[0] = {}) {
  const t = testClient(overrides);
  transports.push(t.transport);
  return t;
}

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});

afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  for (const t of transports.splice(0)) t.close();
  expect(pending).toEqual([]);
});

afterAll(() => {
  nock.enableNetConnect();
});

const customerInfo = (key: string, inner: string, code = '0') =>
  `<CustomerInfo><Key>${key}</Key><ResultCode>${code}</ResultCode><ResultDesc>x</ResultDesc>${inner}</CustomerInfo>`;

const balanceInfo = (key: string, inner: string, code = '0') =>
  `<BalanceInfo><Key>${key}</Key><ResultCode>${code}</ResultCode><ResultDesc>x</ResultDesc>${inner}</BalanceInfo>`;

const bill = (cycle: string, acct: string, due = '12800', remaining = '0', status = 'settled') =>
  `<BillInfo><BillNo>${cycle}${acct}</BillNo><BillCycle>${cycle}</BillCycle><BillDate>${cycle}01000000</BillDate><DueDate>${cycle}20235959</DueDate>` +
  `<AmountDue>${due}</AmountDue><Remaining>${remaining}</Remaining><Status>${status}</Status></BillInfo>`;

const page = (total: number, begin: number, fetch: number) => `<TotalRowNum>${total}</TotalRowNum><BeginRowNum>${begin}</BeginRowNum><FetchRowNum>${fetch}</FetchRowNum>`;

async function productError(p: Promise<unknown>): Promise<ProductError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ProductError);
    return e as ProductError;
  }
  throw new Error('expected a ProductError');
}

describe('HttpBillingClient requests', () => {
  it('sends a SOAP 1.1 envelope with the RequestHeader, SOAPAction, UTF-8 declaration and x-request-id', async () => {
    let body = '';
    let headers: Record<string, string | string[] | undefined> = {};
    nock(BILLING)
      .post(SERVICE_PATH.BatchQueryCustomerInfo, (b: string) => ((body = b), true))
      .reply(function (uri, b) {
        headers = this.req.headers;
        return soapAnswer('BatchQueryCustomerInfo', customerInfo('13473195905', '', '102'))(uri, b);
      });
    const { client: c } = client();
    expect(await c.customers('ServiceNumber', ['13473195905'])).toEqual([null]);
    expect(headers['soapaction']).toBe('"BatchQueryCustomerInfo"');
    expect(headers['content-type']).toBe('text/xml; charset=UTF-8');
    expect(headers['x-request-id']).toBe('req-42');
    expect(body).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><soapenv:Envelope xmlns:soapenv="http:\/\/schemas.xmlsoap.org\/soap\/envelope\/" xmlns:bc="http:\/\/legacy.example\/bss\/customer">/);
    expect(body).toContain('<bc:BatchQueryCustomerInfoRequestMsg><RequestHeader><Version>1.0</Version><BusinessCode>BatchQueryCustomerInfo</BusinessCode>');
    expect(body).toContain('<AccessSecurity><LoginSystemCode>gateway</LoginSystemCode><Password>gateway-dev</Password></AccessSecurity><OperatorID>gateway</OperatorID><ProvinceCode/><RegionCode/>');
    expect(body).toContain('<BatchQueryCustomerInfoRequest><ServiceNumber>13473195905</ServiceNumber></BatchQueryCustomerInfoRequest>');
    const [seq] = valuesOf(body, 'MessageSeq');
    expect(seq).toMatch(/^\d{21}$/);
  });

  it('escapes XML special characters in request text', () => {
    expect(escapeXml(`a&b<c>"d'`)).toBe('a&amp;b&lt;c&gt;&quot;d&apos;');
    expect(() => escapeXml('bell\u0007')).toThrow(RangeError);
  });

  it('makes MessageSeq yyyyMMddHHmmssSSS + 4 digits, unique even for 25 000 calls in one millisecond', () => {
    const at = Date.parse('2026-11-24T15:30:12.001+08:00');
    const gen = new MessageSeqGenerator(() => at, () => 0.9999);
    const seqs = Array.from({ length: 25_000 }, () => gen.next());
    expect(new Set(seqs).size).toBe(25_000);
    expect(seqs[0]).toMatch(/^20261124153012001\d{4}$/);
    expect(seqs[10_000]).toMatch(/^20261124153012002\d{4}$/);
    expect(seqs.every((s) => /^\d{21}$/.test(s))).toBe(true);
    // Never backwards, even when the clock is.
    const back = new MessageSeqGenerator(((t) => () => (t -= 5))(at));
    expect(back.next() < back.next()).toBe(true);
  });
});

describe('HttpBillingClient customer info', () => {
  it('normalises a customer: PRE- stripped, empty elements null, single elements as lists, +08:00 times, TMF637 statuses', async () => {
    const inner = customerXml({
      id: '1-3MFJ8Q',
      accounts: [{ key: 'PRE-3326324374', type: 'PREPAID' }],
      lines: [{ number: '13473195905', status: 'pendingActive', active: '', imsi: '460007621134503', iccid: '89860076211345037190', acct: '3326324374' }],
    });
    nock(BILLING).post(SERVICE_PATH.BatchQueryCustomerInfo).reply(soapAnswer('BatchQueryCustomerInfo', customerInfo('1-3MFJ8Q', inner)));
    const [c] = await client().client.customers('CrmCustId', ['1-3MFJ8Q']);
    expect(c).toEqual({
      id: '1-3MFJ8Q',
      custKey: '8817400416',
      name: '钟翔文',
      province: 'GD',
      localNetwork: 'GZ',
      accounts: [{ accountNumber: '3326324374', type: 'PREPAID', state: 'ACTIVE', parentAccountNumber: null, customerId: '1-3MFJ8Q' }],
      serviceLines: [
        {
          serviceNumber: '13473195905',
          kind: 'MOBILE',
          productName: '全球通 128 元套餐',
          status: 'PENDING_ACTIVE',
          activatedAt: null,
          imsi: '460007621134503',
          iccid: '89860076211345037190',
          accountNumber: '3326324374',
          customerId: '1-3MFJ8Q',
        },
      ],
    });
  });

  it('keeps digits as text (a leading zero, long ids) and decodes XML entities', async () => {
    const inner = customerXml({
      id: '1-00A0B1',
      custKey: '0817400416',
      name: 'A&amp;B &lt;有限公司&gt;',
      accounts: [{ key: '3300000001', parent: '3300000002' }],
      lines: [{ number: '075526881234', kind: 'FIXED', status: 'pendingTerminate', active: '20240229235959', acct: '3300000001', iccid: '898600762113450371901234' }],
    });
    nock(BILLING).post(SERVICE_PATH.BatchQueryCustomerInfo).reply(soapAnswer('BatchQueryCustomerInfo', customerInfo('075526881234', inner)));
    const [c] = await client().client.customers('ServiceNumber', ['075526881234']);
    expect(c).toMatchObject({
      custKey: '0817400416',
      name: 'A&B <有限公司>',
      accounts: [{ accountNumber: '3300000001', parentAccountNumber: '3300000002' }],
      serviceLines: [{ serviceNumber: '075526881234', kind: 'FIXED', status: 'PENDING_TERMINATE', activatedAt: '2024-02-29T23:59:59+08:00', iccid: '898600762113450371901234', imsi: null }],
    });
  });

  it('reads lists of several Accounts and Subscribers side by side, and a customer with none', async () => {
    const two = customerXml({
      id: '1-AAAAAA',
      accounts: [{ key: '3300000001' }, { key: 'PRE-3300000002', type: 'PREPAID', status: 'Closed' }],
      lines: [
        { number: '13800000001', acct: '3300000001' },
        { number: 'AD0755123456', kind: 'BROADBAND', status: 'suspended', acct: '3300000002' },
      ],
    });
    nock(BILLING)
      .post(SERVICE_PATH.BatchQueryCustomerInfo)
      .reply(soapAnswer('BatchQueryCustomerInfo', customerInfo('1-AAAAAA', two) + customerInfo('1-BBBBBB', customerXml({ id: '1-BBBBBB' }))));
    const [a, b] = await client().client.customers('CrmCustId', ['1-AAAAAA', '1-BBBBBB']);
    expect(a).toMatchObject({
      accounts: [{ accountNumber: '3300000001' }, { accountNumber: '3300000002', type: 'PREPAID', state: 'CLOSED' }],
      serviceLines: [{ serviceNumber: '13800000001' }, { serviceNumber: 'AD0755123456', kind: 'BROADBAND', status: 'SUSPENDED' }],
    });
    expect(b).toMatchObject({ id: '1-BBBBBB', accounts: [], serviceLines: [] });
  });

  it('decodes a body labelled GBK with GB18030, keeping GB18030-only characters such as 㛃', async () => {
    // Regression: billing stores GB18030 behind the GBK label; a strict GBK decoder garbles rare name characters.
    const name = '王㛃𡒄';
    expect(iconv.decode(iconv.encode(name, 'gb18030'), 'gbk')).not.toBe(name);
    nock(BILLING)
      .post(SERVICE_PATH.BatchQueryCustomerInfo)
      .reply(soapAnswer('BatchQueryCustomerInfo', customerInfo('1-3MFJ8Q', customerXml({ id: '1-3MFJ8Q', name }))));
    const [c] = await client().client.customers('CrmCustId', ['1-3MFJ8Q']);
    expect(c).toMatchObject({ name });
  });

  it('decodes by the XML declaration when Content-Type names no charset', async () => {
    nock(BILLING)
      .post(SERVICE_PATH.BatchQueryCustomerInfo)
      .reply(soapAnswer('BatchQueryCustomerInfo', customerInfo('1-3MFJ8Q', customerXml({ id: '1-3MFJ8Q', name: '钟翔文' })), { declarationOnly: true }));
    const [c] = await client().client.customers('CrmCustId', ['1-3MFJ8Q']);
    expect(c).toMatchObject({ name: '钟翔文' });
  });

  it('reads a UTF-8 answer when billing is configured for UTF-8', async () => {
    nock(BILLING)
      .post(SERVICE_PATH.BatchQueryCustomerInfo)
      .reply(soapAnswer('BatchQueryCustomerInfo', customerInfo('1-3MFJ8Q', customerXml({ id: '1-3MFJ8Q', name: '王㛃' })), { declared: 'UTF-8' }));
    const [c] = await client().client.customers('CrmCustId', ['1-3MFJ8Q']);
    expect(c).toMatchObject({ name: '王㛃' });
  });

  it('maps a body declared GBK but written in UTF-8 (charsetMismatch) to LEGACY_BAD_RESPONSE', async () => {
    nock(BILLING)
      .post(SERVICE_PATH.BatchQueryCustomerInfo)
      .reply(soapAnswer('BatchQueryCustomerInfo', customerInfo('1-3MFJ8Q', customerXml({ id: '1-3MFJ8Q' })), { declared: 'GBK', written: 'UTF-8' }));
    const err = await productError(client().client.customers('CrmCustId', ['1-3MFJ8Q']));
    expect(err).toMatchObject({ code: 'LEGACY_BAD_RESPONSE', system: 'billing', retryable: false });
    expect(err.message).toMatch(/declares GBK but its bytes are UTF-8/);
  });

  it('maps a body declared UTF-8 but written in GB18030 (charsetMismatch) to LEGACY_BAD_RESPONSE', async () => {
    nock(BILLING)
      .post(SERVICE_PATH.BatchQueryCustomerInfo)
      .reply(soapAnswer('BatchQueryCustomerInfo', customerInfo('1-3MFJ8Q', customerXml({ id: '1-3MFJ8Q' })), { declared: 'UTF-8', written: 'GBK' }));
    const err = await productError(client().client.customers('CrmCustId', ['1-3MFJ8Q']));
    expect(err).toMatchObject({ code: 'LEGACY_BAD_RESPONSE', system: 'billing' });
  });

  it('accepts GBK names whose bytes happen to be valid UTF-8 (they do not read as Chinese in UTF-8)', () => {
    // 1 % of the world's names are such; only UTF-8 Chinese is taken for a charset mismatch.
    const text = '<?xml version="1.0" encoding="GBK"?><a>脗</a>';
    const bytes = iconv.encode(text, 'gb18030');
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).not.toThrow();
    expect(decodeBody('text/xml; charset=GBK', bytes)).toBe(text);
  });

  it('maps an unknown declared charset to LEGACY_BAD_RESPONSE', () => {
    expect(() => decodeBody('text/xml; charset=x-klingon', Buffer.from('<a/>'))).toThrow(/unknown charset/);
  });

  it('answers null for ResultCode 102 and FORBIDDEN for 103 per key, in key order', async () => {
    nock(BILLING)
      .post(SERVICE_PATH.BatchQueryCustomerInfo)
      .reply(
        soapAnswer(
          'BatchQueryCustomerInfo',
          customerInfo('13800000001', '', '102') + customerInfo('13800000002', '', '103') + customerInfo('13800000003', customerXml({ id: '1-CCCCCC' })),
        ),
      );
    const [a, b, c] = await client().client.customers('ServiceNumber', ['13800000001', '13800000002', '13800000003']);
    expect(a).toBeNull();
    expect(b).toBeInstanceOf(ProductError);
    expect(b).toMatchObject({ code: 'FORBIDDEN', system: 'billing', retryable: false });
    expect(c).toMatchObject({ id: '1-CCCCCC' });
  });

  it('fails one key alone when its record breaks the contract (an unknown status)', async () => {
    const broken = customerXml({ id: '1-DDDDDD', lines: [{ number: '13800000004', status: 'hibernating', acct: '3300000001' }] });
    nock(BILLING)
      .post(SERVICE_PATH.BatchQueryCustomerInfo)
      .reply(soapAnswer('BatchQueryCustomerInfo', customerInfo('1-DDDDDD', broken) + customerInfo('1-EEEEEE', customerXml({ id: '1-EEEEEE' }))));
    const [a, b] = await client().client.customers('CrmCustId', ['1-DDDDDD', '1-EEEEEE']);
    expect(a).toMatchObject({ code: 'LEGACY_BAD_RESPONSE' });
    expect((a as ProductError).message).toMatch(/Subscriber.Status .*"hibernating"/);
    expect(b).toMatchObject({ id: '1-EEEEEE' });
  });

  it('maps a batch that does not answer every key in order to LEGACY_BAD_RESPONSE', async () => {
    nock(BILLING).post(SERVICE_PATH.BatchQueryCustomerInfo).reply(soapAnswer('BatchQueryCustomerInfo', customerInfo('1-BBBBBB', '', '102')));
    const err = await productError(client().client.customers('CrmCustId', ['1-AAAAAA']));
    expect(err).toMatchObject({ code: 'LEGACY_BAD_RESPONSE' });
  });

  it('chunks 250 keys into 3 calls of 100/100/50, in parallel', async () => {
    const keys = Array.from({ length: 250 }, (_, i) => `138${String(i).padStart(8, '0')}`);
    const sizes: number[] = [];
    let inFlight = 0;
    let peak = 0;
    nock(BILLING)
      .post(SERVICE_PATH.BatchQueryCustomerInfo)
      .times(3)
      .reply(function (uri, body, cb) {
        const sent = valuesOf(String(body), 'ServiceNumber');
        sizes.push(sent.length);
        inFlight++;
        peak = Math.max(peak, inFlight);
        setTimeout(() => {
          inFlight--;
          const [status, bytes, headers] = soapAnswer('BatchQueryCustomerInfo', sent.map((k) => customerInfo(k, '', '102')).join(''))(uri, body);
          cb(null, [status, bytes, headers]);
        }, 20);
      });
    const answers = await client().client.customers('ServiceNumber', keys);
    expect(sizes.sort((a, b) => b - a)).toEqual([100, 100, 50]);
    expect(peak).toBe(3);
    expect(answers).toHaveLength(250);
    expect(answers.every((a) => a === null)).toBe(true);
  });

  it('never has more calls in flight than BILLING_MAX_IN_FLIGHT (the bulkhead), so billing never answers "System busy"', async () => {
    let inFlight = 0;
    let peak = 0;
    nock(BILLING)
      .post(SERVICE_PATH.BatchQueryBalance)
      .times(6)
      .reply(function (uri, body, cb) {
        inFlight++;
        peak = Math.max(peak, inFlight);
        const keys = valuesOf(String(body), 'AcctKey');
        setTimeout(() => {
          inFlight--;
          const [status, bytes, headers] = soapAnswer('BatchQueryBalance', keys.map((k) => balanceInfo(k, '', '102')).join(''))(uri, body);
          cb(null, [status, bytes, headers]);
        }, 15);
      });
    const keys = Array.from({ length: 60 }, (_, i) => `33${String(i).padStart(8, '0')}`);
    const answers = await client({ maxInFlight: 2, balanceBatchSize: 10 }).client.balances(keys);
    expect(answers).toHaveLength(60);
    expect(peak).toBe(2);
  });

  it('refuses more waiting calls than BILLING_MAX_QUEUE with LEGACY_UNAVAILABLE', async () => {
    nock(BILLING)
      .post(SERVICE_PATH.BatchQueryBalance)
      .times(2)
      .delay(20)
      .reply(soapAnswer('BatchQueryBalance', balanceInfo('3300000001', '', '102')));
    const { client: c } = client({ maxInFlight: 1, maxQueue: 1 });
    const results = await Promise.allSettled([c.balances(['3300000001']), c.balances(['3300000001']), c.balances(['3300000001'])]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect((results[2] as PromiseRejectedResult).reason).toMatchObject({ code: 'LEGACY_UNAVAILABLE', system: 'billing', retryable: true });
  });
});

describe('HttpBillingClient balances', () => {
  it('turns integer fen into exact decimals, strips PRE-, keeps MAIN first and reads CreditLimit as a string', async () => {
    const inner =
      balanceInfo('3352261864', '<AcctKey>3352261864</AcctKey><Balance><BalanceType>MAIN</BalanceType><Amount>-12345</Amount></Balance><Balance><BalanceType>DEPOSIT</BalanceType><Amount>5</Amount></Balance><CreditLimit>50000</CreditLimit>') +
      balanceInfo('PRE-3397141844', '<AcctKey>PRE-3397141844</AcctKey><Balance><BalanceType>MAIN</BalanceType><Amount>28732</Amount></Balance><CreditLimit>0</CreditLimit>') +
      balanceInfo('3300000000', '', '102');
    let sent: string[] = [];
    nock(BILLING)
      .post(SERVICE_PATH.BatchQueryBalance, (b: string) => ((sent = valuesOf(b, 'AcctKey')), true))
      .reply(soapAnswer('BatchQueryBalance', inner));
    const answers = await client().client.balances(['3352261864', 'PRE-3397141844', '3300000000']);
    expect(sent).toEqual(['3352261864', 'PRE-3397141844', '3300000000']);
    expect(answers).toEqual([
      {
        accountNumber: '3352261864',
        balances: [
          { type: 'MAIN', amount: { amount: '-123.45', currency: 'CNY', fen: -12345n } },
          { type: 'DEPOSIT', amount: { amount: '0.05', currency: 'CNY', fen: 5n } },
        ],
        creditLimit: { amount: '500.00', currency: 'CNY', fen: 50000n },
      },
      {
        accountNumber: '3397141844',
        balances: [{ type: 'MAIN', amount: { amount: '287.32', currency: 'CNY', fen: 28732n } }],
        creditLimit: { amount: '0.00', currency: 'CNY', fen: 0n },
      },
      null,
    ]);
  });

  it('chunks 120 account numbers into 50/50/20', async () => {
    const sizes: number[] = [];
    nock(BILLING)
      .post(SERVICE_PATH.BatchQueryBalance)
      .times(3)
      .reply((uri, body) => {
        const keys = valuesOf(String(body), 'AcctKey');
        sizes.push(keys.length);
        return soapAnswer('BatchQueryBalance', keys.map((k) => balanceInfo(k, '', '102')).join(''))(uri, body);
      });
    await client().client.balances(Array.from({ length: 120 }, (_, i) => `33${String(i).padStart(8, '0')}`));
    expect(sizes.sort((a, b) => b - a)).toEqual([50, 50, 20]);
  });

  it('maps an amount that is not whole fen to LEGACY_BAD_RESPONSE for that key', async () => {
    nock(BILLING)
      .post(SERVICE_PATH.BatchQueryBalance)
      .reply(soapAnswer('BatchQueryBalance', balanceInfo('3300000001', '<AcctKey>3300000001</AcctKey><Balance><BalanceType>MAIN</BalanceType><Amount>12.5</Amount></Balance><CreditLimit>0</CreditLimit>')));
    const [a] = await client().client.balances(['3300000001']);
    expect(a).toMatchObject({ code: 'LEGACY_BAD_RESPONSE' });
  });
});

describe('HttpBillingClient paged queries', () => {
  it('pages QueryBillList to the end with an explicit FetchRowNum, moving on by the rows answered', async () => {
    const seen: [string, string][] = [];
    const rows = (n: number, from: number) => Array.from({ length: n }, (_, i) => bill(String(202611 - ((from + i) % 10)), '3352261864')).join('');
    nock(BILLING)
      .post(SERVICE_PATH.QueryBillList)
      .times(3)
      .reply((uri, body) => {
        const b = String(body);
        const begin = Number(valuesOf(b, 'BeginRowNum')[0]);
        seen.push([valuesOf(b, 'BeginRowNum')[0]!, valuesOf(b, 'FetchRowNum')[0]!]);
        // Billing cuts the page to 150 here: the client must follow the rows, not what it asked.
        const n = Math.min(150, 320 - begin);
        return soapAnswer('QueryBillList', page(320, begin, 150) + rows(n, begin))(uri, body);
      });
    const bills = await client().client.bills('3352261864', { from: '2024-01', to: '2026-10' });
    expect(seen).toEqual([
      ['0', '200'],
      ['150', '200'],
      ['300', '200'],
    ]);
    expect(bills).toHaveLength(320);
  });

  it('sends BeginMonth/EndMonth as yyyyMM and normalises bills: period YYYY-MM, +08:00 dates, fen, TMF678 states', async () => {
    let body = '';
    nock(BILLING)
      .post(SERVICE_PATH.QueryBillList, (b: string) => ((body = b), true))
      .reply(soapAnswer('QueryBillList', page(1, 0, 200) + bill('202610', '3352261864', '12800', '8448', 'partiallyPaid')));
    const bills = await client().client.bills('3352261864', { from: '2026-05', to: '2026-10' });
    expect(valuesOf(body, 'BeginMonth')).toEqual(['202605']);
    expect(valuesOf(body, 'EndMonth')).toEqual(['202610']);
    expect(bills).toEqual([
      {
        billNo: '2026103352261864',
        period: '2026-10',
        billDate: '2026-10-01T00:00:00+08:00',
        dueDate: '2026-10-20T23:59:59+08:00',
        amountDue: { amount: '128.00', currency: 'CNY', fen: 12800n },
        remaining: { amount: '84.48', currency: 'CNY', fen: 8448n },
        state: 'PARTIALLY_PAID',
      },
    ]);
  });

  it('answers an account with no bills (prepaid: TotalRowNum 0) with an empty list in one call', async () => {
    nock(BILLING).post(SERVICE_PATH.QueryBillList).reply(soapAnswer('QueryBillList', page(0, 0, 200)));
    expect(await client().client.bills('3326324374', { from: '2026-05', to: '2026-10' })).toEqual([]);
  });

  it('maps ResultCode 102 on a paged query to null', async () => {
    nock(BILLING).post(SERVICE_PATH.QueryBillList).reply(soapAnswer('QueryBillList', '', { code: '102' }));
    expect(await client().client.bills('3300000000', { from: '2026-05', to: '2026-10' })).toBeNull();
  });

  it('asks QueryPaymentLog for the payments it needs from StartTime, newest first', async () => {
    let body = '';
    nock(BILLING)
      .post(SERVICE_PATH.QueryPaymentLog, (b: string) => ((body = b), true))
      .reply(
        soapAnswer(
          'QueryPaymentLog',
          page(31, 0, 2) +
            '<PaymentInfo><PaymentId>P202610522618641</PaymentId><PayTime>20261111113453</PayTime><Amount>4352</Amount><Channel>Online</Channel><PayMethod>WeChat</PayMethod></PaymentInfo>' +
            '<PaymentInfo><PaymentId>P202609522618641</PaymentId><PayTime>20261011090000</PayTime><Amount>100</Amount><Channel/><PayMethod/></PaymentInfo>',
        ),
      );
    const since = Date.parse('2025-11-24T10:00:00.750+08:00');
    const payments = await client().client.payments('3352261864', { since, count: 2 });
    expect(valuesOf(body, 'StartTime')).toEqual(['20251124100000']);
    expect(valuesOf(body, 'FetchRowNum')).toEqual(['2']);
    expect(payments).toEqual([
      { id: 'P202610522618641', paidAt: '2026-11-11T11:34:53+08:00', amount: { amount: '43.52', currency: 'CNY', fen: 4352n }, channel: 'Online', method: 'WeChat' },
      { id: 'P202609522618641', paidAt: '2026-10-11T09:00:00+08:00', amount: { amount: '1.00', currency: 'CNY', fen: 100n }, channel: null, method: null },
    ]);
  });

  it('reads CDRs: dateOfEvent + timeOfEvent, duration as a string, the misspelt duraction ignored, Volume empty → null', async () => {
    let body = '';
    nock(BILLING)
      .post(SERVICE_PATH.QueryCDR, (b: string) => ((body = b), true))
      .reply(
        soapAnswer(
          'QueryCDR',
          page(12, 5, 3) +
            '<CDRInfo><CdrType>VOICE</CdrType><dateOfEvent>20261101</dateOfEvent><timeOfEvent>020436</timeOfEvent><duration>642</duration><duraction>642</duraction><Volume/><CalledNumber>15277806141</CalledNumber><Charge>165</Charge></CDRInfo>' +
            '<CDRInfo><CdrType>DATA</CdrType><dateOfEvent>20261101</dateOfEvent><timeOfEvent>032822</timeOfEvent><duration>6036</duration><duraction>9999</duraction><Volume>896847587</Volume><CalledNumber/><Charge>0</Charge></CDRInfo>' +
            '<CDRInfo><CdrType>SMS</CdrType><dateOfEvent>20261102</dateOfEvent><timeOfEvent>000000</timeOfEvent><duration>0</duration><Volume/><CalledNumber>15277806141</CalledNumber><Charge>10</Charge></CDRInfo>',
        ),
      );
    const page3 = await client().client.usage('13473195905', {
      from: Date.parse('2026-11-01T00:00:00+08:00'),
      to: Date.parse('2026-11-10T23:59:59.999+08:00'),
      offset: 5,
      count: 3,
    });
    expect([valuesOf(body, 'StartTime'), valuesOf(body, 'EndTime'), valuesOf(body, 'BeginRowNum'), valuesOf(body, 'FetchRowNum')]).toEqual([
      ['20261101000000'],
      ['20261110235959'],
      ['5'],
      ['3'],
    ]);
    expect(page3).toEqual({
      total: 12,
      items: [
        { startedAt: '2026-11-01T02:04:36+08:00', type: 'VOICE', durationSeconds: 642, volumeBytes: null, destination: '15277806141', charge: { amount: '1.65', currency: 'CNY', fen: 165n } },
        { startedAt: '2026-11-01T03:28:22+08:00', type: 'DATA', durationSeconds: 6036, volumeBytes: 896847587, destination: null, charge: { amount: '0.00', currency: 'CNY', fen: 0n } },
        { startedAt: '2026-11-02T00:00:00+08:00', type: 'SMS', durationSeconds: 0, volumeBytes: null, destination: '15277806141', charge: { amount: '0.10', currency: 'CNY', fen: 10n } },
      ],
    });
  });

  it('asks FetchRowNum 0 for a page of none, and still learns the total', async () => {
    nock(BILLING)
      .post(SERVICE_PATH.QueryCDR, (b: string) => valuesOf(b, 'FetchRowNum')[0] === '0')
      .reply(soapAnswer('QueryCDR', page(42, 0, 0)));
    expect(await client().client.usage('13473195905', { from: 0, to: 1000, offset: 0, count: 0 })).toEqual({ items: [], total: 42 });
  });

  it('maps a CDR time that names no real time to LEGACY_BAD_RESPONSE', async () => {
    nock(BILLING)
      .post(SERVICE_PATH.QueryCDR)
      .reply(soapAnswer('QueryCDR', page(1, 0, 1) + '<CDRInfo><CdrType>VOICE</CdrType><dateOfEvent>20260230</dateOfEvent><timeOfEvent>020436</timeOfEvent><duration>1</duration><Volume/><CalledNumber/><Charge>0</Charge></CDRInfo>'));
    const err = await productError(client().client.usage('13473195905', { from: 0, to: 1000, offset: 0, count: 5 }));
    expect(err).toMatchObject({ code: 'LEGACY_BAD_RESPONSE' });
  });
});

describe('HttpBillingClient errors', () => {
  const call = (c: ReturnType<typeof client>['client']) => c.bills('3352261864', { from: '2026-05', to: '2026-10' });

  it('maps ResultCode 103 to FORBIDDEN', async () => {
    nock(BILLING).post(SERVICE_PATH.QueryBillList).reply(soapAnswer('QueryBillList', '', { code: '103' }));
    expect(await productError(call(client().client))).toMatchObject({ code: 'FORBIDDEN', system: 'billing', retryable: false });
  });

  it('maps ResultCode 104 to LEGACY_REJECTED', async () => {
    nock(BILLING).post(SERVICE_PATH.QueryBillList).reply(soapAnswer('QueryBillList', '', { code: '104' }));
    expect(await productError(call(client().client))).toMatchObject({ code: 'LEGACY_REJECTED', retryable: false });
  });

  it('maps ResultCode 1010 to INTERNAL_SERVER_ERROR (an over-size batch is our bug) and logs it', async () => {
    nock(BILLING).post(SERVICE_PATH.QueryBillList).reply(soapAnswer('QueryBillList', '', { code: '1010', desc: 'exceed max batch size' }));
    const { client: c, logs } = client();
    expect(await productError(call(c))).toMatchObject({ code: 'INTERNAL_SERVER_ERROR' });
    expect(logs.some((l) => l.level === 50 && /a bug here/.test(l.msg))).toBe(true);
  });

  it('maps ResultCode 2001 (bill run) to LEGACY_UNAVAILABLE, retryable, with retryAfterSeconds from RetryAfter', async () => {
    nock(BILLING).post(SERVICE_PATH.QueryBillList).reply(soapAnswer('QueryBillList', '', { code: '2001', retryAfter: '300' }));
    expect(await productError(call(client().client))).toMatchObject({ code: 'LEGACY_UNAVAILABLE', retryable: true, retryAfterSeconds: 300 });
  });

  it('maps a Server fault (soapenv: prefix, System busy) to LEGACY_UNAVAILABLE, retryable', async () => {
    nock(BILLING).post(SERVICE_PATH.QueryBillList).reply(...soapFault('Server', '9001', 'System busy'));
    const err = await productError(call(client().client));
    expect(err).toMatchObject({ code: 'LEGACY_UNAVAILABLE', retryable: true });
    expect(err.message).toMatch(/System busy/);
  });

  it('maps a Client fault 8005 (SOAP-ENV: prefix) to LEGACY_UNAVAILABLE, not retryable, logged loudly', async () => {
    nock(BILLING).post(SERVICE_PATH.QueryBillList).reply(...soapFault('Client', '8005', 'Authentication failed'));
    const { client: c, logs } = client();
    expect(await productError(call(c))).toMatchObject({ code: 'LEGACY_UNAVAILABLE', retryable: false });
    expect(logs.some((l) => l.level === 50 && /BILLING REJECTS OUR CREDENTIALS/.test(l.msg))).toBe(true);
  });

  it('maps any other Client fault to INTERNAL_SERVER_ERROR (our request was wrong)', async () => {
    nock(BILLING).post(SERVICE_PATH.QueryBillList).reply(...soapFault('Client', '8004', 'Invalid request: AcctKey is required'));
    expect(await productError(call(client().client))).toMatchObject({ code: 'INTERNAL_SERVER_ERROR', retryable: false });
  });

  it('maps HTTP 503 without a SOAP body to LEGACY_UNAVAILABLE with Retry-After', async () => {
    nock(BILLING).post(SERVICE_PATH.QueryBillList).reply(503, 'maintenance', { 'retry-after': '120', 'content-type': 'text/plain' });
    expect(await productError(call(client().client))).toMatchObject({ code: 'LEGACY_UNAVAILABLE', retryable: true, retryAfterSeconds: 120 });
  });

  it('maps HTTP 404 (BILLING_URL wrong) to LEGACY_UNAVAILABLE, not retryable, logged loudly', async () => {
    nock(BILLING).post(SERVICE_PATH.QueryBillList).reply(404, 'No such resource', { 'content-type': 'text/plain' });
    const { client: c, logs } = client();
    const err = await productError(call(c));
    expect(err).toMatchObject({ code: 'LEGACY_UNAVAILABLE', retryable: false });
    expect(err.message).toMatch(/BILLING_URL/);
    expect(logs.some((l) => l.level === 50 && /MISCONFIGURED/.test(l.msg))).toBe(true);
  });

  it('maps an answer cut short (malformedRate) to LEGACY_BAD_RESPONSE', async () => {
    nock(BILLING)
      .post(SERVICE_PATH.QueryBillList)
      .reply(soapAnswer('QueryBillList', page(1, 0, 200) + bill('202610', '3352261864'), { truncateTo: 400 }));
    expect(await productError(call(client().client))).toMatchObject({ code: 'LEGACY_BAD_RESPONSE', retryable: false });
  });

  it('maps a body that is not a SOAP envelope to LEGACY_BAD_RESPONSE', async () => {
    nock(BILLING).post(SERVICE_PATH.QueryBillList).reply(200, '<html><body>proxy</body></html>', { 'content-type': 'text/html; charset=UTF-8' });
    expect(await productError(call(client().client))).toMatchObject({ code: 'LEGACY_BAD_RESPONSE' });
  });

  it('maps a missing required field to LEGACY_BAD_RESPONSE', async () => {
    nock(BILLING).post(SERVICE_PATH.QueryBillList).reply(soapAnswer('QueryBillList', page(1, 0, 200) + '<BillInfo><BillNo>1</BillNo></BillInfo>'));
    const err = await productError(call(client().client));
    expect(err).toMatchObject({ code: 'LEGACY_BAD_RESPONSE' });
    expect(err.message).toMatch(/BillCycle is missing/);
  });

  it('maps an answer to another MessageSeq to LEGACY_BAD_RESPONSE', async () => {
    nock(BILLING).post(SERVICE_PATH.QueryBillList).reply(soapAnswer('QueryBillList', page(0, 0, 200), { messageSeq: '202611241530120010001' }));
    expect(await productError(call(client().client))).toMatchObject({ code: 'LEGACY_BAD_RESPONSE' });
  });

  it('maps no answer in time to LEGACY_TIMEOUT', async () => {
    nock(BILLING).post(SERVICE_PATH.QueryBillList).delay(300).reply(soapAnswer('QueryBillList', page(0, 0, 200)));
    expect(await productError(call(client({ timeoutMs: 50 }).client))).toMatchObject({ code: 'LEGACY_TIMEOUT', retryable: true });
  });

  it('maps a connection closed without an answer (billing down) to LEGACY_UNAVAILABLE, retryable', async () => {
    const server = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const t = testClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
      transports.push(t.transport);
      expect(await productError(t.client.bills('3352261864', { from: '2026-05', to: '2026-10' }))).toMatchObject({ code: 'LEGACY_UNAVAILABLE', retryable: true });
    } finally {
      server.close();
    }
  });

  it('maps a refused connection to LEGACY_UNAVAILABLE, retryable', async () => {
    const t = testClient({ baseUrl: 'http://127.0.0.1:1' });
    transports.push(t.transport);
    expect(await productError(t.client.bills('3352261864', { from: '2026-05', to: '2026-10' }))).toMatchObject({ code: 'LEGACY_UNAVAILABLE', retryable: true });
  });

  it('records failures for readiness', async () => {
    nock(BILLING).post(SERVICE_PATH.QueryBillList).times(3).reply(...soapFault('Server', '9000', 'Internal error'));
    const { client: c, transport } = client();
    for (let i = 0; i < 3; i++) await productError(call(c));
    expect(transport.health.state()).toMatchObject({ state: 'down' });
  });
});
