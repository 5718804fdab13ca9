/**
 * The plain hand-written aggregator of the benchmark (latency only): customer 360 by phone number
 * (scenario S1) straight from the three emulated legacy systems, no GraphQL, every call as early as
 * its inputs allow:
 *
 *   billing QueryCustomerInfo(ServiceNumber) ─┬─ BatchQueryBalance(accounts), QueryBillList per postpaid account
 *                                             └─ NMS services/_batch(lines) ── NMS alarms/_query(elements)
 *   CRM customers:lookup(serviceNumbers) ──────── CRM ServiceRequest:byCustomer (open)
 *
 * Answers are read with regular expressions (only ASCII keys are needed from billing's GBK); the
 * result is assembled into one object so the work is comparable, not checked field by field.
 */

const AUTH = { user: 'gateway', password: 'gateway-dev' };
const BASIC = `Basic ${Buffer.from(`${AUTH.user}:${AUTH.password}`).toString('base64')}`;

export interface AggregatorUrls {
  crm: string;
  billing: string;
  network: string;
}

let seq = 0;
function soap(service: string, ns: string, op: string, request: string): [string, RequestInit] {
  const body =
    `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:b="http://legacy.example/bss/${ns}"><soapenv:Body><b:${op}RequestMsg>` +
    `<RequestHeader><Version>1.0</Version><BusinessCode>${op}</BusinessCode><MessageSeq>20261124100000000${String(++seq % 10000).padStart(4, '0')}</MessageSeq>` +
    `<AccessSecurity><LoginSystemCode>${AUTH.user}</LoginSystemCode><Password>${AUTH.password}</Password></AccessSecurity><OperatorID>bench</OperatorID><ProvinceCode/><RegionCode/></RequestHeader>` +
    `<${op}Request>${request}</${op}Request></b:${op}RequestMsg></soapenv:Body></soapenv:Envelope>`;
  return [`/services/${service}`, { method: 'POST', headers: { 'content-type': 'text/xml; charset=UTF-8', soapaction: op }, body }];
}

const all = (xml: string, tag: string) => [...xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, 'g'))].map((m) => m[1]!);
const blocks = (xml: string, tag: string) => [...xml.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => m[1]!);

async function text(url: string, init: RequestInit): Promise<string> {
  const r = await fetch(url, init);
  const body = Buffer.from(await r.arrayBuffer()).toString('latin1');
  if (!r.ok) throw new Error(`${init.method ?? 'GET'} ${url} → ${r.status}: ${body.slice(0, 600)}`);
  return body;
}

export async function customer360(urls: AggregatorUrls, token: string, serviceNumber: string): Promise<unknown> {
  const billing = (service: string, ns: string, op: string, request: string) => {
    const [p, init] = soap(service, ns, op, request);
    return text(urls.billing + p, init);
  };
  const nms = async (p: string, body: unknown) =>
    JSON.parse(await text(`${urls.network}/nms/rest${p}`, { method: 'POST', headers: { authorization: BASIC, accept: 'application/json', 'content-type': 'application/json' }, body: JSON.stringify(body) }));
  const crm = async (p: string, body: unknown) =>
    JSON.parse(await text(`${urls.crm}/crm/v1${p}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })) as { items: Record<string, unknown>[] };

  const crmSide = (async () => {
    const found = await crm('/customers:lookup', { serviceNumbers: [serviceNumber] });
    const customer = found.items[0];
    if (!customer) return { customer: null, tickets: [] };
    const tickets = await crm('/data/ServiceRequest:byCustomer', {
      customerIds: [customer['Row Id']],
      searchspec: "[Status]='Open' OR [Status]='Open - Escalated' OR [Status]='Pending'",
      limitPerCustomer: 20,
    });
    return { customer, tickets: tickets.items };
  })();

  const billingSide = (async () => {
    const info = await billing('CustomerService', 'customer', 'QueryCustomerInfo', `<ServiceNumber>${serviceNumber}</ServiceNumber>`);
    const accounts = blocks(info, 'Account').map((a) => ({ key: all(a, 'AcctKey')[0]!, type: all(a, 'PaymentType')[0] }));
    const lines = blocks(info, 'Subscriber').map((s) => all(s, 'ServiceNumber')[0]!);
    const network = (async () => {
      if (!lines.length) return { services: [], alarms: [] };
      const services = (await nms('/services/_batch', { serviceNumbers: lines })).service as { supportingNeIds: string[] | { neId: string[] } }[];
      const neIds = [...new Set(services.flatMap((s) => (Array.isArray(s.supportingNeIds) ? s.supportingNeIds : (s.supportingNeIds?.neId ?? []))))];
      const alarms = neIds.length ? (await nms('/alarms/_query', { neIds, minSeverity: 'MINOR', active: true, limit: 0 })).alarm : [];
      return { services, alarms };
    })();
    const [balances, bills, net] = await Promise.all([
      accounts.length ? billing('AccountService', 'account', 'BatchQueryBalance', accounts.map((a) => `<AcctKey>${a.key}</AcctKey>`).join('')) : '',
      Promise.all(accounts.filter((a) => a.type !== 'PREPAID').map((a) => billing('BillService', 'bill', 'QueryBillList', `<AcctKey>${a.key}</AcctKey><BeginRowNum>0</BeginRowNum><FetchRowNum>3</FetchRowNum>`))),
      network,
    ]);
    return { accounts, lines, balances: all(balances, 'Amount'), bills: bills.map((b) => all(b, 'BillNo')), ...net };
  })();

  const [c, b] = await Promise.all([crmSide, billingSide]);
  return { ...c, ...b };
}

/** Runs customer 360 one at a time for `durationMs`, cycling through the numbers; latency percentiles in ms. */
export async function handWrittenCustomer360(urls: AggregatorUrls, numbers: string[], durationMs: number): Promise<{ p50: number; p99: number; requests: number; errors: number }> {
  const session = await fetch(`${urls.crm}/crm/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(AUTH) });
  const { token } = (await session.json()) as { token: string };
  for (let i = 0; i < 10; i++) await customer360(urls, token, numbers[(i + 1) % numbers.length]!); // warm up
  const times: number[] = [];
  let errors = 0;
  const end = performance.now() + durationMs;
  for (let k = 0; performance.now() < end; k++) {
    const t = performance.now();
    try {
      await customer360(urls, token, numbers[k % numbers.length]!);
    } catch {
      errors++;
    }
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const pct = (p: number) => Math.round(times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))] ?? NaN);
  return { p50: pct(50), p99: pct(99), requests: times.length, errors };
}
