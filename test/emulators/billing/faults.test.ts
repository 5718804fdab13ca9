import { XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startBillingEmulator } from '../../../emulators/billing/index.js';
import { startTestEmulator, testWorld, type TestEmulator } from '../../helpers/emulators.js';
import { subjects } from './fixtures.js';
import { decodeDeclared, envelope, faultCodeName, list, nextSeq, soapCall, type CallOptions } from './soap.js';

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

describe('billing in-flight limit', () => {
  it('answers the 21st call in flight with a Server fault "System busy" (ErrorCode 9001)', async () => {
    await em.faults({ latencyMs: { p50: 1200, p99: 1200 } });
    const held = Array.from({ length: 20 }, (_, k) => call('QueryCustomerInfo', `<CustKey>${world.custKey(k)}</CustKey>`));
    // Wait until the twenty are in flight.
    for (let t = 0; t < 100 && (await em.stats()).concurrency.current < 20; t++) await new Promise((r) => setTimeout(r, 10));
    expect((await em.stats()).concurrency.current).toBe(20);
    const busy = await call('QueryBalance', `<AcctKey>${subjects.prepaidAccount.key}</AcctKey>`);
    expect(busy.status).toBe(500);
    expect(faultCodeName(busy.fault)).toBe('Server');
    expect(busy.fault.faultstring).toBe('System busy');
    expect(busy.fault.detail.ErrorCode).toBe('9001');
    expect(busy.text).toContain('<soapenv:Fault><faultcode>soapenv:Server</faultcode>');
    const answers = await Promise.all(held);
    expect(answers.every((a) => a.status === 200 && a.header.ResultCode === '0')).toBe(true);
    // maxConcurrency moves the limit.
    await em.faults({ latencyMs: { p50: 300, p99: 300 }, maxConcurrency: 2 });
    const three = await Promise.all([1, 2, 3].map((k) => call('QueryCustomerInfo', `<CustKey>${world.custKey(k)}</CustKey>`)));
    expect(three.filter((a) => a.status === 500 && a.fault.faultstring === 'System busy')).toHaveLength(1);
  });
});

describe('billing window billRun', () => {
  it('answers bill and balance operations 2001 with RetryAfter while customer info, payments, CDRs and QueryTransaction work', async () => {
    const seq = nextSeq();
    await call('AdjustBalance', `<AcctKey>${subjects.prepaidAccount.key}</AcctKey><Amount>100</Amount><Reason>x</Reason>`, { seq });
    await em.faults({ window: 'billRun' });
    const acct = subjects.owingAccount.key;
    const refused = [
      await call('QueryBalance', `<AcctKey>${acct}</AcctKey>`),
      await call('BatchQueryBalance', `<AcctKey>${acct}</AcctKey><AcctKey>${subjects.prepaidAccount.key}</AcctKey>`),
      await call('QueryBillList', `<AcctKey>${acct}</AcctKey>`),
      await call('AdjustBalance', `<AcctKey>${acct}</AcctKey><Amount>100</Amount><Reason>x</Reason>`),
    ];
    for (const a of refused) {
      expect(a.status).toBe(200);
      expect(a.header.ResultCode).toBe('2001');
      expect(a.header.RetryAfter).toBe('300');
      expect(a.result).toBeUndefined();
    }
    const working = [
      await call('QueryCustomerInfo', `<AcctKey>${acct}</AcctKey>`),
      await call('BatchQueryCustomerInfo', `<AcctKey>${acct}</AcctKey>`),
      await call('QueryPaymentLog', `<AcctKey>${acct}</AcctKey>`),
      await call('QueryCDR', `<ServiceNumber>${subjects.mobileLine.serviceNumber}</ServiceNumber><StartTime>20261101000000</StartTime><EndTime>20261102000000</EndTime>`),
      await call('QueryTransaction', `<MessageSeq>${seq}</MessageSeq>`),
    ];
    for (const a of working) {
      expect(a.header.ResultCode).toBe('0');
      expect(a.header.RetryAfter).toBeUndefined();
    }
    expect(working[0]!.result.Customer.CustKey).toBe(world.custKey(subjects.owingAccount.customer));
  });

  it('refuses a window name that is not its own', async () => {
    const res = await fetch(`${em.url}/__emulator/faults`, { method: 'PUT', body: JSON.stringify({ window: 'topologySync' }) });
    expect(res.status).toBe(400);
  });
});

describe('billing fault flags', () => {
  it('errorRate answers an HTTP 500 Server fault "Internal error"', async () => {
    await em.faults({ errorRate: 1 });
    const a = await call('QueryCustomerInfo', `<CustKey>${world.custKey(1)}</CustKey>`);
    expect(a.status).toBe(500);
    expect(faultCodeName(a.fault)).toBe('Server');
    expect(a.fault.faultstring).toBe('Internal error');
    expect(a.fault.detail.ErrorCode).toBe('9000');
  });

  it('errorRate on AdjustBalance may strike after the write committed: QueryTransaction tells', async () => {
    await em.faults({ errorRate: 1 });
    const acct = subjects.prepaidAccount.key;
    const seqs: string[] = [];
    for (let k = 0; k < 20; k++) {
      const seq = nextSeq();
      seqs.push(seq);
      const a = await call('AdjustBalance', `<AcctKey>${acct}</AcctKey><Amount>1</Amount><Reason>x</Reason>`, { seq });
      expect(a.status).toBe(500);
    }
    await em.faults({});
    const applied = await Promise.all(seqs.map(async (s) => (await call('QueryTransaction', `<MessageSeq>${s}</MessageSeq>`)).header.ResultCode));
    // Each either committed (0, Applied) or never happened (102); 20 fair coins all alike: once in 500 000.
    expect(applied.every((c) => c === '0' || c === '102')).toBe(true);
    expect(new Set(applied).size).toBe(2);
  });

  it('malformedRate answers a cut-off body that is not well-formed, with HTTP 200', async () => {
    await em.faults({ malformedRate: 1 });
    const res = await fetch(`${em.url}/services/CustomerService`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=UTF-8', soapaction: 'QueryCustomerInfo' },
      body: envelope('QueryCustomerInfo', `<CustKey>${world.custKey(1)}</CustKey>`),
    });
    expect(res.status).toBe(200);
    const text = decodeDeclared(res.headers.get('content-type') ?? '', Buffer.from(await res.arrayBuffer()));
    expect(text.startsWith('<?xml')).toBe(true);
    expect(XMLValidator.validate(text)).not.toBe(true);
    expect(text).not.toContain('</soapenv:Envelope>');
  });

  it('hangRate leaves the call unanswered', async () => {
    await em.faults({ hangRate: 1 });
    await expect(call('QueryCustomerInfo', `<CustKey>${world.custKey(1)}</CustKey>`, { signal: AbortSignal.timeout(300) })).rejects.toThrow();
  });

  it('down closes the connection with no answer', async () => {
    await em.faults({ down: true });
    await expect(call('QueryCustomerInfo', `<CustKey>${world.custKey(1)}</CustKey>`)).rejects.toThrow();
  });
});

describe('billing observability', () => {
  it('logs each call with its SOAP operation, the keys asked, the scope and the operator', async () => {
    const before = (await em.requests()).last;
    const sn = world.lines(3)[0]!.serviceNumber;
    const keys = [world.accounts(1)[0]!.key, world.accounts(2)[0]!.key];
    await call('QueryCustomerInfo', `<ServiceNumber>${sn}</ServiceNumber>`, { province: 'GD', region: 'SZ', operator: 'agent-7' });
    await call('BatchQueryBalance', keys.map((k) => `<AcctKey>${k}</AcctKey>`).join(''), { operator: 'billing-1' });
    await call('QueryCDR', `<ServiceNumber>${sn}</ServiceNumber><StartTime>20261101000000</StartTime><EndTime>20261102000000</EndTime>`, { province: 'BJ', operator: 'noc-1' });
    const log = (await em.requests(before)).items;
    expect(log.map((e) => ({ operation: e.operation, keys: e.keys, scope: e.scope, operator: e.operator, status: e.status }))).toEqual([
      { operation: 'QueryCustomerInfo', keys: [sn], scope: { province: 'GD', region: 'SZ' }, operator: 'agent-7', status: 200 },
      { operation: 'BatchQueryBalance', keys, scope: {}, operator: 'billing-1', status: 200 },
      { operation: 'QueryCDR', keys: [sn], scope: { province: 'BJ' }, operator: 'noc-1', status: 200 },
    ]);
    const stats = await em.stats();
    expect(stats.operations).toMatchObject({ QueryCustomerInfo: 1, BatchQueryBalance: 1, QueryCDR: 1 });
  });

  it('logs a rejected call too (bad credentials) with its operation and operator', async () => {
    const before = (await em.requests()).last;
    await call('QueryBalance', `<AcctKey>${subjects.prepaidAccount.key}</AcctKey>`, { password: 'nope', operator: 'mallory' });
    const [entry] = (await em.requests(before)).items;
    expect(entry).toMatchObject({ operation: 'QueryBalance', keys: [subjects.prepaidAccount.key], operator: 'mallory', status: 500 });
    expect(list((await call('QueryBalance', `<AcctKey>${subjects.prepaidAccount.key}</AcctKey>`)).result.Balance).length).toBeGreaterThan(0);
  });
});
