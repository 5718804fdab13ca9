import iconv from 'iconv-lite';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBillingEmulator } from '../../emulators/billing/index.js';
import { startCustomerServiceEmulator } from '../../emulators/customer-service/index.js';
import { startNetworkEmulator } from '../../emulators/network/index.js';
import { startTestEmulator, testWorld, type TestEmulator } from '../helpers/emulators.js';

/**
 * One customer followed through all three emulated systems: the CRM, billing and the NMS must tell
 * the same story (ids, names, regions, accounts, lines), except where the world makes the CRM
 * deliberately stale — and then billing and the NMS still agree with each other.
 */

let crm: TestEmulator;
let billing: TestEmulator;
let nms: TestEmulator;
let token: string;

beforeAll(async () => {
  [crm, billing, nms] = await Promise.all([
    startTestEmulator('customer-service', startCustomerServiceEmulator),
    startTestEmulator('billing', startBillingEmulator),
    startTestEmulator('network', startNetworkEmulator),
  ]);
  const session = await fetch(`${crm.url}/crm/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: 'gateway', password: 'gateway-dev' }),
  });
  token = ((await session.json()) as { token: string }).token;
});

afterAll(async () => {
  await Promise.all([crm?.close(), billing?.close(), nms?.close()]);
});

let seq = 0;
async function billingCustomer(crmId: string) {
  const messageSeq = `20261124100000000${String(++seq).padStart(4, '0')}`;
  const body = `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:bc="http://legacy.example/bss/customer"><soapenv:Body>
<bc:QueryCustomerInfoRequestMsg><RequestHeader><Version>1.0</Version><BusinessCode>QueryCustomerInfo</BusinessCode><MessageSeq>${messageSeq}</MessageSeq>
<AccessSecurity><LoginSystemCode>gateway</LoginSystemCode><Password>gateway-dev</Password></AccessSecurity><OperatorID>test</OperatorID><ProvinceCode/><RegionCode/></RequestHeader>
<QueryCustomerInfoRequest><CrmCustId>${crmId}</CrmCustId></QueryCustomerInfoRequest></bc:QueryCustomerInfoRequestMsg></soapenv:Body></soapenv:Envelope>`;
  const res = await fetch(`${billing.url}/services/CustomerService`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml; charset=UTF-8', soapaction: 'QueryCustomerInfo' },
    body,
  });
  expect(res.headers.get('content-type')).toMatch(/charset=GBK/i);
  const xml = iconv.decode(Buffer.from(await res.arrayBuffer()), 'gb18030');
  const parsed = new XMLParser({ removeNSPrefix: true, parseTagValue: false, isArray: (name) => ['Account', 'Subscriber'].includes(name) }).parse(xml);
  const msg = parsed.Envelope.Body.QueryCustomerInfoResultMsg;
  expect(msg.ResultHeader.ResultCode).toBe('0');
  return msg.QueryCustomerInfoResult as {
    Customer: { CustKey: string; CrmCustId: string; CustName: string; ProvinceCode: string; RegionCode: string };
    Account: { AcctKey: string }[];
    Subscriber: { ServiceNumber: string; AcctKey: string }[];
  };
}

async function crmCustomer(id: string) {
  const url = `${crm.url}/crm/v1/data/Customer?searchspec=${encodeURIComponent(`[Row Id]='${id}'`)}&PageSize=10&StartRowNum=0`;
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { items: Record<string, string>[] };
  expect(body.items).toHaveLength(1);
  return body.items[0]!;
}

async function nmsServices(customerCode: string) {
  const res = await fetch(`${nms.url}/nms/rest/services?customerCode=${customerCode}&limit=0`, {
    headers: { accept: 'application/json', authorization: `Basic ${Buffer.from('gateway:gateway-dev').toString('base64')}` },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { service: { serviceNumber: string; customerCode: string; province: string; localNetwork: string }[] }).service;
}

const split = (list: string) => list.split(',').map((s) => s.trim()).filter(Boolean).sort();

describe('one customer across the CRM, billing and the NMS', () => {
  it('has the same id, name, region, accounts and lines in all three systems', async () => {
    // A customer with several lines whose CRM list is not stale and whose name needs GB18030.
    let i = 0;
    while (testWorld.customer(i).lineCount < 3 || testWorld.customer(i).staleServiceList) i++;
    const id = testWorld.customerId(i);

    const [c, b, n] = await Promise.all([crmCustomer(id), billingCustomer(id), nmsServices(id)]);
    expect(b.Customer.CrmCustId).toBe(c['Row Id']);
    expect(b.Customer.CustName).toBe(c.Name);
    expect([b.Customer.ProvinceCode, b.Customer.RegionCode]).toEqual([c.Province, c['Local Network']]);
    expect(b.Account.map((a) => a.AcctKey.replace(/^PRE-/, '')).sort()).toEqual(split(c['Billing Account Numbers']!));
    const billingLines = b.Subscriber.map((s) => s.ServiceNumber).sort();
    expect(billingLines).toEqual(split(c['Service Numbers']!));
    expect(n.map((s) => s.serviceNumber).sort()).toEqual(billingLines);
    for (const s of n) {
      expect(s.customerCode).toBe(id);
      expect([s.province, s.localNetwork]).toEqual([c.Province, c['Local Network']]);
    }
  });

  it('decodes a GB18030-only name from billing to the same text the CRM holds', async () => {
    let i = 0;
    while (iconv.decode(iconv.encode(testWorld.customer(i).name, 'gbk'), 'gbk') === testWorld.customer(i).name) i++;
    const id = testWorld.customerId(i);
    const [c, b] = await Promise.all([crmCustomer(id), billingCustomer(id)]);
    expect(b.Customer.CustName).toBe(c.Name);
    expect(c.Name).toBe(testWorld.customer(i).name);
  });

  it('keeps billing and the NMS in agreement where the CRM service list is stale', async () => {
    for (const kind of ['missing', 'extra'] as const) {
      let i = 0;
      while (testWorld.customer(i).staleServiceList !== kind) i++;
      const id = testWorld.customerId(i);
      const [c, b, n] = await Promise.all([crmCustomer(id), billingCustomer(id), nmsServices(id)]);
      const billingLines = b.Subscriber.map((s) => s.ServiceNumber).sort();
      expect(n.map((s) => s.serviceNumber).sort()).toEqual(billingLines);
      const crmLines = split(c['Service Numbers']!);
      expect(crmLines).not.toEqual(billingLines);
      const symmetricDifference = [...crmLines.filter((s) => !billingLines.includes(s)), ...billingLines.filter((s) => !crmLines.includes(s))];
      expect(symmetricDifference.length, `${kind}: ${crmLines} vs ${billingLines}`).toBeGreaterThanOrEqual(1);
      expect(symmetricDifference.length).toBeLessThanOrEqual(2);
    }
  });

  it('links an open CRM incident to an NMS alarm on an element its service rides on', async () => {
    const url = `${crm.url}/crm/v1/data/ServiceRequest?searchspec=${encodeURIComponent("[Province]='GD' AND [Status]='Open' AND [Related Alarm Id] IS NOT NULL")}&PageSize=20&StartRowNum=0`;
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const tickets = ((await res.json()) as { items: Record<string, string>[] }).items;
    expect(tickets.length).toBeGreaterThan(0);
    const t = tickets[0]!;
    const alarmRes = await fetch(`${nms.url}/nms/rest/alarms/${t['Related Alarm Id']}`, {
      headers: { accept: 'application/json', authorization: `Basic ${Buffer.from('gateway:gateway-dev').toString('base64')}` },
    });
    expect(alarmRes.status).toBe(200);
    const alarm = (await alarmRes.json()) as { neId: string };
    const [service] = (
      (await (
        await fetch(`${nms.url}/nms/rest/services/_batch`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Basic ${Buffer.from('gateway:gateway-dev').toString('base64')}` },
          body: JSON.stringify({ serviceNumbers: [t['Related Service Number']] }),
        })
      ).json()) as { service: { supportingNeIds: string[]; customerCode: string }[] }
    ).service;
    expect(service!.supportingNeIds).toContain(alarm.neId);
    expect(service!.customerCode).toBe(t['Customer Id']);
  });
});
