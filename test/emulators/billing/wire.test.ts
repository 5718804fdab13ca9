import { XMLValidator } from 'fast-xml-parser';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startBillingEmulator } from '../../../emulators/billing/index.js';
import { GB18030_ONLY } from '../../../emulators/shared/names.js';
import { startTestEmulator, testWorld, type TestEmulator } from '../../helpers/emulators.js';
import { subjects } from './fixtures.js';
import { SERVICE_OF, envelope, faultCodeName, soapCall, type CallOptions } from './soap.js';

const world = testWorld;
let em: TestEmulator;

beforeAll(async () => {
  em = await startTestEmulator('billing', startBillingEmulator);
});
afterAll(async () => {
  await em.close();
});
beforeEach(async () => {
  await em.reset();
});

const call = (op: string, request: string, o: CallOptions = {}) => soapCall(em.url, op, request, o);
const byCustKey = (i: number) => `<CustKey>${world.custKey(i)}</CustKey>`;
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

describe('billing encoding', () => {
  it('sends GBK bytes on the wire by default', async () => {
    const i = subjects.singleCustomer;
    const name = world.customer(i).name;
    const a = await call('QueryCustomerInfo', byCustKey(i));
    expect(a.contentType).toBe('text/xml; charset=GBK');
    expect(a.bytes.subarray(0, 40).toString('latin1')).toBe('<?xml version="1.0" encoding="GBK"?>\n<so');
    expect(a.bytes.includes(iconv.encode(name, 'gbk'))).toBe(true);
    expect(a.bytes.includes(Buffer.from(name, 'utf8'))).toBe(false);
    expect(() => utf8Strict.decode(a.bytes)).toThrow();
    expect(iconv.decode(a.bytes, 'gbk')).toContain(`<CustName>${name}</CustName>`);
  });

  it('sends a GB18030-only name as four-byte GB18030 while declaring GBK: a GB18030 decoder reads it back', async () => {
    const i = subjects.rareNameCustomer;
    const name = world.customer(i).name;
    expect([...name].some((ch) => GB18030_ONLY.includes(ch))).toBe(true);
    const a = await call('QueryCustomerInfo', byCustKey(i));
    expect(a.contentType).toBe('text/xml; charset=GBK');
    expect(a.bytes.includes(iconv.encode(name, 'gb18030'))).toBe(true);
    expect(new TextDecoder('gb18030').decode(a.bytes)).toContain(`<CustName>${name}</CustName>`);
    expect(a.result.Customer.CustName).toBe(name);
    // A plain GBK decoder cannot read it.
    expect(iconv.decode(a.bytes, 'gbk')).not.toContain(name);
  });

  it('sends UTF-8 when configured', async () => {
    const u = await startTestEmulator('billing', startBillingEmulator, { charset: 'UTF-8' });
    try {
      const i = subjects.rareNameCustomer;
      const a = await soapCall(u.url, 'QueryCustomerInfo', byCustKey(i));
      expect(a.contentType).toBe('text/xml; charset=UTF-8');
      expect(a.bytes.subarray(0, 38).toString('latin1')).toBe('<?xml version="1.0" encoding="UTF-8"?>');
      expect(utf8Strict.decode(a.bytes)).toContain(`<CustName>${world.customer(i).name}</CustName>`);
      // charsetMismatch under UTF-8: declares UTF-8, sends GB18030 bytes.
      await u.faults({ charsetMismatch: true });
      const m = await soapCall(u.url, 'QueryCustomerInfo', byCustKey(subjects.singleCustomer));
      expect(m.contentType).toBe('text/xml; charset=UTF-8');
      expect(m.bytes.includes(iconv.encode(world.customer(subjects.singleCustomer).name, 'gbk'))).toBe(true);
      expect(() => utf8Strict.decode(m.bytes)).toThrow();
    } finally {
      await u.close();
    }
  });

  it('charsetMismatch declares GBK but sends UTF-8 bytes', async () => {
    await em.faults({ charsetMismatch: true });
    const i = subjects.singleCustomer;
    const name = world.customer(i).name;
    const a = await call('QueryCustomerInfo', byCustKey(i));
    expect(a.contentType).toBe('text/xml; charset=GBK');
    expect(a.bytes.toString('latin1')).toContain('encoding="GBK"');
    expect(a.bytes.includes(Buffer.from(name, 'utf8'))).toBe(true);
    expect(utf8Strict.decode(a.bytes)).toContain(name);
    // Read as declared, the name comes out garbled.
    expect(a.text).not.toContain(name);
  });

  it('reads a request in the charset it declares, in the Content-Type or only in the XML declaration', async () => {
    const operator = '坐席张伟';
    const i = subjects.singleCustomer;
    const gbk = iconv.encode(envelope('QueryCustomerInfo', byCustKey(i), { operator }, 'GBK'), 'gbk');
    const before = (await em.requests()).last;
    const a = await call('QueryCustomerInfo', '', { raw: gbk, contentType: 'text/xml; charset=GBK' });
    expect(a.header.ResultCode).toBe('0');
    const b = await call('QueryCustomerInfo', '', { raw: gbk, contentType: 'text/xml' });
    expect(b.header.ResultCode).toBe('0');
    const log = (await em.requests(before)).items;
    expect(log.map((e) => e.operator)).toEqual([operator, operator]);
  });
});

describe('billing SOAP envelope', () => {
  it('parses requests with any namespace prefix, or a default namespace', async () => {
    const i = subjects.singleCustomer;
    const std = envelope('QueryCustomerInfo', byCustKey(i));
    const variants = [
      std.replaceAll('soapenv:', 'SOAP-ENV:').replace('xmlns:soapenv', 'xmlns:SOAP-ENV'),
      std.replaceAll('bc:', 'ns1:').replace('xmlns:bc', 'xmlns:ns1'),
      std.replace('<bc:QueryCustomerInfoRequestMsg>', '<QueryCustomerInfoRequestMsg xmlns="http://legacy.example/bss/customer">').replace('</bc:QueryCustomerInfoRequestMsg>', '</QueryCustomerInfoRequestMsg>'),
    ];
    for (const raw of variants) {
      const a = await call('QueryCustomerInfo', '', { raw });
      expect(a.status, raw).toBe(200);
      expect(a.result.Customer.CustKey).toBe(world.custKey(i));
    }
  });

  it('answers in the wire example shape: the service namespace, ResultHeader with the MessageSeq echoed', async () => {
    const seq = '202611241530120010001';
    const a = await call('QueryCustomerInfo', byCustKey(subjects.singleCustomer), { seq });
    expect(a.text).toContain('<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:bc="http://legacy.example/bss/customer">');
    expect(a.text).toContain('<bc:QueryCustomerInfoResultMsg><ResultHeader><Version>1.0</Version><ResultCode>0</ResultCode><ResultDesc>Operation successfully.</ResultDesc>');
    expect(a.header.MessageSeq).toBe(seq);
    const b = await call('QueryBalance', `<AcctKey>${subjects.prepaidAccount.key}</AcctKey>`);
    expect(b.text).toContain('xmlns:ba="http://legacy.example/bss/account"><soapenv:Body><ba:QueryBalanceResultMsg>');
  });

  it('takes SOAPAction quoted or not, or the body element name when it is absent', async () => {
    const req = byCustKey(subjects.singleCustomer);
    for (const soapAction of ['QueryCustomerInfo', '"QueryCustomerInfo"', null, '""']) {
      const a = await call('QueryCustomerInfo', req, { soapAction });
      expect(a.header?.ResultCode, String(soapAction)).toBe('0');
    }
    const mismatch = await call('QueryCustomerInfo', req, { soapAction: 'QueryBalance' });
    expect(mismatch.status).toBe(500);
    expect(faultCodeName(mismatch.fault)).toBe('Client');
  });

  it('answers Client faults (HTTP 500) to malformed XML, non-SOAP bodies and DTDs — never a crash', async () => {
    const bodies = [
      '<soapenv:Envelope><soapenv:Body><bc:QueryCustomerInfoRequestMsg>',
      'not xml at all',
      '',
      '<Envelope><NoBody/></Envelope>',
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><Envelope><Body><QueryCustomerInfoRequestMsg/></Body></Envelope>',
      '<Envelope><Body><Something/></Body></Envelope>',
      Buffer.from([0xff, 0xfe, 0x00, 0x3c, 0x81]),
    ];
    for (const raw of bodies) {
      const a = await call('QueryCustomerInfo', '', { raw });
      expect(a.status, String(raw)).toBe(500);
      expect(faultCodeName(a.fault)).toBe('Client');
      expect(a.fault.detail.ErrorCode).toBe('8001');
    }
    const charset = await call('QueryCustomerInfo', byCustKey(1), { contentType: 'text/xml; charset=klingon' });
    expect(faultCodeName(charset.fault)).toBe('Client');
  });

  it('answers a Client fault to an unknown operation, and to an operation posted to the wrong service', async () => {
    const unknown = await call('QueryEverything', '<X>1</X>', { service: 'CustomerService' });
    expect(unknown.status).toBe(500);
    expect(faultCodeName(unknown.fault)).toBe('Client');
    expect(unknown.fault.detail.ErrorCode).toBe('8002');
    const wrong = await call('QueryBalance', `<AcctKey>${subjects.prepaidAccount.key}</AcctKey>`, { service: 'BillService' });
    expect(wrong.status).toBe(500);
    expect(faultCodeName(wrong.fault)).toBe('Client');
    expect(wrong.fault.detail.ErrorCode).toBe('8003');
    const noService = await call('QueryBalance', '<AcctKey>1</AcctKey>', { service: 'NoSuchService' });
    expect(faultCodeName(noService.fault)).toBe('Client');
  });

  it('answers a Client fault to wrong credentials', async () => {
    for (const h of [{ password: 'wrong' }, { user: 'intruder' }, { user: '', password: '' }]) {
      const a = await call('QueryCustomerInfo', byCustKey(1), h);
      expect(a.status).toBe(500);
      expect(faultCodeName(a.fault)).toBe('Client');
      expect(a.fault.faultstring).toBe('Authentication failed');
      expect(a.fault.detail.ErrorCode).toBe('8005');
    }
  });

  it('answers a Client fault to a malformed MessageSeq or a BusinessCode that is not the operation', async () => {
    for (const h of [{ seq: '2026112415301200100' }, { seq: '202613241530120010001' }, { seq: 'abc' }, { businessCode: 'QueryBalance' }]) {
      const a = await call('QueryCustomerInfo', byCustKey(1), h);
      expect(a.status).toBe(500);
      expect(faultCodeName(a.fault)).toBe('Client');
      expect(a.fault.detail.ErrorCode).toBe('8004');
    }
  });

  it('varies the fault namespace prefix: soapenv: for Server faults, SOAP-ENV: for Client faults', async () => {
    const client = await call('QueryCustomerInfo', byCustKey(1), { password: 'x' });
    expect(client.text).toContain('<SOAP-ENV:Fault><faultcode>SOAP-ENV:Client</faultcode>');
    await em.faults({ errorRate: 1 });
    const server = await call('QueryCustomerInfo', byCustKey(1));
    expect(server.text).toContain('<soapenv:Fault><faultcode>soapenv:Server</faultcode><faultstring>Internal error</faultstring><detail><ErrorCode>9000</ErrorCode></detail>');
  });

  it('answers 404 to an unknown path and 405 to GET on a service without ?wsdl', async () => {
    expect((await fetch(`${em.url}/nothing`)).status).toBe(404);
    expect((await fetch(`${em.url}/services/AccountService`)).status).toBe(405);
    expect((await fetch(`${em.url}/services/AccountService`, { method: 'DELETE' })).status).toBe(405);
  });
});

describe('billing WSDL', () => {
  it('serves a well-formed document/literal WSDL per service naming each of its operations', async () => {
    const byService = new Map<string, string[]>();
    for (const [op, svc] of Object.entries(SERVICE_OF)) byService.set(svc, [...(byService.get(svc) ?? []), op]);
    for (const [service, ops] of byService) {
      const res = await fetch(`${em.url}/services/${service}?wsdl`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/xml; charset=GBK');
      const text = await res.text();
      expect(XMLValidator.validate(text), service).toBe(true);
      expect(text).toContain(`<soap:address location="${em.url}/services/${service}"/>`);
      expect(text).toContain('<soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>');
      for (const op of ops) {
        expect(text).toContain(`<soap:operation soapAction="${op}" style="document"/>`);
        expect(text).toContain(`<xsd:element name="${op}RequestMsg">`);
        expect(text).toContain(`<xsd:element name="${op}ResultMsg">`);
      }
      const others = Object.keys(SERVICE_OF).filter((o) => !ops.includes(o));
      for (const op of others) expect(text).not.toContain(`soapAction="${op}"`);
    }
  });
});
