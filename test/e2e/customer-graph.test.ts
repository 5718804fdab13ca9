import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BillingModel } from '../../emulators/billing/model.js';
import { PROVINCES } from '../../emulators/shared/regions.js';
import { World, type Severity } from '../../emulators/shared/world.js';
import { TEST_NOW, testWorld as world } from '../helpers/emulators.js';
import { startStack, type Stack } from '../helpers/stack.js';

/**
 * End to end through the gateway: three subgraphs over the three emulators, values checked against
 * the emulators' world (customers, lines, network, money) and, for tickets, against what the CRM
 * emulator itself answers.
 */

const NOW = Date.parse(TEST_NOW);
const billingModel = new BillingModel(world);
const OPEN = ['ACKNOWLEDGED', 'IN_PROGRESS', 'PENDING', 'HELD'];
const RANK: Record<Severity, number> = { CRITICAL: 5, MAJOR: 4, MINOR: 3, WARNING: 2, INDETERMINATE: 1 };

let stack: Stack;
let crmToken: string;

beforeAll(async () => {
  stack = await startStack();
  const r = await fetch(`${stack.emulators.crm.url}/crm/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: 'gateway', password: 'gateway-dev' }),
  });
  crmToken = ((await r.json()) as { token: string }).token;
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

beforeEach(async () => {
  await Promise.all(Object.values(stack.emulators).map((e) => e.faults({})));
});

/** Every record the CRM emulator answers for a searchspec, read to the last page. */
async function crmAll(component: string, searchspec: string): Promise<Record<string, string>[]> {
  const out: Record<string, string>[] = [];
  for (let start = 0; ; start += 100) {
    const url = `${stack.emulators.crm.url}/crm/v1/data/${component}?searchspec=${encodeURIComponent(searchspec)}&PageSize=100&StartRowNum=${start}`;
    const r = await fetch(url, { headers: { authorization: `Bearer ${crmToken}` } });
    expect(r.status).toBe(200);
    const body = (await r.json()) as { items: Record<string, string>[]; LastPage: boolean };
    out.push(...body.items);
    if (body.LastPage) return out;
  }
}

const openTicketsSpec = (customerId: string) =>
  `[Customer Id]='${customerId}' AND ([Status]='Open' OR [Status]='Open - Escalated' OR [Status]='Pending')`;

const fen = (n: number) => `${n < 0 ? '-' : ''}${Math.floor(Math.abs(n) / 100)}.${String(Math.abs(n) % 100).padStart(2, '0')}`;

function expectedMainBalance(i: number): string {
  let total = 0;
  for (const a of world.accounts(i)) total += billingModel.mainBalance(a, NOW);
  return fen(total);
}

function activeAlarmIds(serviceNumber: string, minRank: number): string[] {
  const line = world.line(serviceNumber)!;
  const ids: string[] = [];
  for (const e of line.supporting) {
    for (const a of world.alarmsOnElement(e, NOW)) if (World.isActive(a, NOW) && RANK[a.severity] >= minRank) ids.push(String(a.id));
  }
  return ids.sort();
}

const CUSTOMER_FIELDS = `
  id name kind region { province localNetwork } segment starLevel bigCustomerClass
  balance { amount currency }
  accounts { accountNumber type state balances { type amount { amount currency } } bills(last: 3) { period amountDue { amount } state } }
  serviceLines {
    serviceNumber kind productName status
    networkStatus { operState adminState affected }
    activeAlarms(minSeverity: WARNING, first: 100) { id severity }
  }
  tickets(status: [ACKNOWLEDGED, IN_PROGRESS, PENDING, HELD]) { id status }
`;

async function checkCustomer360(c: any, i: number) {
  const w = world.customer(i);
  expect(c.id).toBe(w.id);
  expect(c.name).toBe(w.name);
  expect(c.kind).toBe(w.kind);
  expect(c.region).toEqual({ province: w.province, localNetwork: w.localNetwork });
  expect(c.segment).toBe(w.segment.toUpperCase());
  expect(c.starLevel).toBe(w.starLevel);
  expect(c.bigCustomerClass).toBe(w.bigCustomerClass);
  expect(c.balance).toEqual({ amount: expectedMainBalance(i), currency: 'CNY' });
  expect(c.accounts.map((a: any) => a.accountNumber)).toEqual(world.accounts(i).map((a) => a.key));
  for (const [k, a] of world.accounts(i).entries()) {
    const bills = billingModel.ledger.bills(a, NOW).slice(0, 3);
    expect(c.accounts[k].type).toBe(a.type);
    expect(c.accounts[k].bills.map((b: any) => b.period)).toEqual(bills.map((b) => `${String(b.cycle).slice(0, 4)}-${String(b.cycle).slice(4)}`));
    expect(c.accounts[k].bills.map((b: any) => b.amountDue.amount)).toEqual(bills.map((b) => fen(b.amountDue)));
  }
  expect(c.serviceLines.map((l: any) => l.serviceNumber)).toEqual(world.lines(i).map((l) => l.serviceNumber));
  for (const [k, l] of world.lines(i).entries()) {
    const state = world.lineNetworkState(l, NOW);
    expect(c.serviceLines[k].kind).toBe(l.kind);
    expect(c.serviceLines[k].networkStatus).toEqual({ operState: state.operState, adminState: state.adminState, affected: state.affected });
    expect(c.serviceLines[k].activeAlarms.map((a: any) => a.id).sort()).toEqual(activeAlarmIds(l.serviceNumber, RANK.WARNING));
  }
  const open = await crmAll('ServiceRequest', openTicketsSpec(w.id));
  expect(c.tickets.map((t: any) => t.id).sort()).toEqual(open.map((t) => t['SR Number']).sort());
  for (const t of c.tickets) expect(OPEN).toContain(t.status);
}

describe('the unified Customer graph, through the gateway', () => {
  it('1. answers customer 360 by a mobile number from all three systems', async () => {
    // A GD individual with a mobile line on an open outage's aggregation and an open ticket.
    const outage = world.outages('GD', NOW).find((o) => World.isOpen(o, NOW))!;
    const candidates = world.linesOnAggregation(outage.aggregation).filter((l) => l.kind === 'MOBILE' && world.customer(l.customer).kind === 'INDIVIDUAL');
    let chosen = candidates[0]!;
    for (const l of candidates.slice(0, 40)) {
      if ((await crmAll('ServiceRequest', openTicketsSpec(world.customerId(l.customer)))).length > 0) {
        chosen = l;
        break;
      }
    }
    await stack.resetCounts();
    const res = await stack.query(`query($n: String!) { customerByServiceNumber(serviceNumber: $n) { ${CUSTOMER_FIELDS} } }`, { n: chosen.serviceNumber });
    expect(res.errors).toBeUndefined();
    const c = res.data.customerByServiceNumber;
    await checkCustomer360(c, chosen.customer);
    const line = c.serviceLines.find((l: any) => l.serviceNumber === chosen.serviceNumber);
    expect(line.networkStatus.affected).toBe(true);
    expect(line.activeAlarms.map((a: any) => a.id)).toContain(String(outage.rootCauseAlarmId));
  });

  it('2. pages a province\'s customers, 50 at a time, with the same fields', async () => {
    const gd = world.customersIn('GD')!;
    await stack.resetCounts();
    const page1 = await stack.query(`{ customers(filter: {province: "GD"}, first: 50) { edges { cursor node { ${CUSTOMER_FIELDS} } } pageInfo { hasNextPage endCursor } } }`);
    expect(page1.errors).toBeUndefined();
    const calls = await stack.legacyCalls();
    const conn = page1.data.customers;
    expect(conn.edges.map((e: any) => e.node.id)).toEqual(Array.from({ length: 50 }, (_, k) => world.customerId(gd.at(k))));
    expect(conn.pageInfo.hasNextPage).toBe(true);
    for (const [k, e] of conn.edges.slice(0, 10).entries()) await checkCustomer360(e.node, gd.at(k));
    // Batching: a page of 50 customers costs a handful of legacy calls per system, not hundreds.
    const total = (ops: Record<string, number>) => Object.values(ops).reduce((a, b) => a + b, 0);
    console.log('query 2 legacy calls per system:', JSON.stringify(calls));
    expect(total(calls.crm)).toBeLessThanOrEqual(4);
    expect(calls.billing.BatchQueryCustomerInfo).toBe(1);
    expect(calls.billing.BatchQueryBalance).toBeLessThanOrEqual(2);
    expect(calls.network['POST /services/_batch']).toBeLessThanOrEqual(2);

    const page2 = await stack.query(`query($after: String) { customers(filter: {province: "GD"}, first: 50, after: $after) { edges { node { id } } pageInfo { hasNextPage } } }`, {
      after: conn.pageInfo.endCursor,
    });
    expect(page2.data.customers.edges.map((e: any) => e.node.id)).toEqual(Array.from({ length: 50 }, (_, k) => world.customerId(gd.at(50 + k))));
  });

  it('3. resolves a ticket\'s service line and alarm across subgraphs', async () => {
    const [t] = await crmAll('ServiceRequest', "[Province]='GD' AND [Status]='Open' AND [Related Alarm Id] IS NOT NULL");
    expect(t).toBeDefined();
    const res = await stack.query(
      `query($id: ID!) { ticket(id: $id) { id status customer { id } serviceLine { serviceNumber kind customer { id } networkStatus { affected } } alarm { id severity serviceAffecting element { id kind } } } }`,
      { id: t!['SR Number'] },
    );
    expect(res.errors).toBeUndefined();
    const ticket = res.data.ticket;
    const line = world.line(t!['Related Service Number']!)!;
    const alarm = world.alarm(Number(t!['Related Alarm Id']), NOW)!;
    expect(ticket.customer.id).toBe(t!['Customer Id']);
    expect(ticket.serviceLine).toEqual({ serviceNumber: line.serviceNumber, kind: line.kind, customer: { id: world.customerId(line.customer) }, networkStatus: { affected: world.lineNetworkState(line, NOW).affected } });
    expect(ticket.alarm.id).toBe(String(alarm.id));
    expect(ticket.alarm.severity).toBe(alarm.severity);
    expect(ticket.alarm.element.id).toBe(world.elements[alarm.element]!.id);
  });

  it('4. shows billing\'s lines for a customer whose CRM service list is stale', async () => {
    for (const kind of ['missing', 'extra'] as const) {
      let i = 0;
      while (world.customer(i).staleServiceList !== kind || world.customer(i).lineCount < 2) i++;
      const res = await stack.query(`query($id: ID!) { customer(id: $id) { id serviceLines { serviceNumber } } }`, { id: world.customerId(i) });
      expect(res.errors).toBeUndefined();
      const numbers = res.data.customer.serviceLines.map((l: any) => l.serviceNumber);
      expect(numbers).toEqual(world.lines(i).map((l) => l.serviceNumber));
      expect(numbers.sort()).not.toEqual([...world.crmServiceNumbers(i)].sort());
    }
  });

  it('5. answers a big customer\'s group and its members', async () => {
    let g = 0;
    while (!world.customer(g).isGroupParent || world.groupMembers(g).length < 3) g++;
    const member = world.groupMembers(g)[1]!;
    const res = await stack.query(
      `query($id: ID!) { customer(id: $id) { id group { id name bigCustomerClass groupMembers(first: 20) { edges { node { id name group { id } } } pageInfo { hasNextPage } } } } }`,
      { id: world.customerId(member) },
    );
    expect(res.errors).toBeUndefined();
    const group = res.data.customer.group;
    expect(group.id).toBe(world.customerId(g));
    expect(group.name).toBe(world.customer(g).name);
    expect(group.bigCustomerClass).toBe('Group');
    expect(group.groupMembers.edges.map((e: any) => e.node.id)).toEqual(world.groupMembers(g).map((m) => world.customerId(m)));
    for (const e of group.groupMembers.edges) expect(e.node.group.id).toBe(group.id);
    expect(group.groupMembers.pageInfo.hasNextPage).toBe(false);
  });

  it('6. follows a province\'s outages to their root causes, the lines they hit, the customers behind them and their open tickets', async () => {
    const res = await stack.query(`{
      outages(province: "GD") {
        id status region { province localNetwork } affectedServiceCount
        rootCauseAlarms { id severity element { id } }
        affectedServiceLines(first: 10) { edges { node { serviceNumber customer { id name tickets(status: [ACKNOWLEDGED, IN_PROGRESS, PENDING]) { id status } } } } pageInfo { hasNextPage } }
      } }`);
    expect(res.errors).toBeUndefined();
    const expected = world.outages('GD', NOW);
    expect(res.data.outages.map((o: any) => o.id)).toEqual(expected.map((o) => o.id));
    for (const [k, o] of expected.entries()) {
      const got = res.data.outages[k];
      expect(got.status).toBe(World.isOpen(o, NOW) ? 'open' : 'cleared');
      // A cleared outage's root cause is reported with the NMS's CLEARED severity.
      expect(got.rootCauseAlarms).toEqual([{ id: String(o.rootCauseAlarmId), severity: World.isOpen(o, NOW) ? 'CRITICAL' : 'CLEARED', element: { id: world.elements[o.aggregation]!.id } }]);
      const keys = world.lineKeysOnAggregation(o.aggregation);
      expect(got.affectedServiceCount).toBe(keys.length);
      const lines = Array.from(keys.slice(0, 10), (key) => world.lineByKey(key)!);
      expect(got.affectedServiceLines.edges.map((e: any) => e.node.serviceNumber)).toEqual(lines.map((l) => l.serviceNumber));
      expect(got.affectedServiceLines.edges.map((e: any) => e.node.customer.id)).toEqual(lines.map((l) => world.customerId(l.customer)));
      expect(got.affectedServiceLines.pageInfo.hasNextPage).toBe(keys.length > 10);
    }
    const first = res.data.outages[0].affectedServiceLines.edges[0].node.customer;
    const open = await crmAll('ServiceRequest', openTicketsSpec(first.id));
    expect(first.tickets.map((t: any) => t.id).sort()).toEqual(open.map((t) => t['SR Number']).sort());
  });

  it('7. pages through a province\'s open tickets', async () => {
    const expected = await crmAll('ServiceRequest', "[Province]='SH' AND [Status]='Open'");
    expect(expected.length).toBeGreaterThan(5);
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 50; page++) {
      const res: any = await stack.query(
        `query($after: String) { tickets(filter: {province: "SH", status: [ACKNOWLEDGED]}, first: 7, after: $after) { edges { node { id status region { province } } } pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
      expect(res.errors).toBeUndefined();
      for (const e of res.data.tickets.edges) {
        expect(e.node.status).toBe('ACKNOWLEDGED');
        expect(e.node.region.province).toBe('SH');
        seen.push(e.node.id);
      }
      if (!res.data.tickets.pageInfo.hasNextPage) break;
      after = res.data.tickets.pageInfo.endCursor;
    }
    expect(seen.sort()).toEqual(expected.map((t) => t['SR Number']).sort());
    expect(new Set(seen).size).toBe(seen.length);
  });
});

describe('request ids', () => {
  it('forwards the caller\'s x-request-id through the gateway and the subgraphs to every legacy call', async () => {
    const since = Object.fromEntries(
      await Promise.all(Object.entries(stack.emulators).map(async ([k, e]) => [k, (await e.requests()).last] as const)),
    );
    const id = world.customerId(7);
    const res = await stack.query(
      `query($id: ID!) { customer(id: $id) { name balance { amount } serviceLines { networkStatus { affected } } loyalty { points } } }`,
      { id },
      { 'x-request-id': 'e2e-trace-0042' },
    );
    expect(res.errors).toBeUndefined();
    for (const [k, e] of Object.entries(stack.emulators)) {
      const log = (await e.requests(since[k])).items;
      expect(log.length, k).toBeGreaterThan(0);
      for (const entry of log) expect(entry.requestId, `${k} ${entry.operation}`).toBe('e2e-trace-0042');
    }
  });
});

describe('bad input and legacy failures, through the gateway', () => {
  it('refuses a malformed id or service number with BAD_USER_INPUT naming the argument, and never asks a legacy system', async () => {
    const before = await stack.legacyCalls();
    const res = await stack.query(`{ a: customer(id: "7QX3KD") { id } b: customerByServiceNumber(serviceNumber: "12") { id } c: ticket(id: "1-12") { id } d: outage(id: "OUT-1") { id } }`);
    const codes = Object.fromEntries(res.errors!.map((e: any) => [e.path[0], e.extensions]));
    for (const alias of ['a', 'b', 'c', 'd']) {
      expect(codes[alias]?.code, alias).toBe('BAD_USER_INPUT');
      expect(res.data[alias]).toBeNull();
    }
    expect(res.errors!.find((e: any) => e.path[0] === 'b').message).toMatch(/serviceNumber/);
    expect(await stack.legacyCalls()).toEqual(before);
  });

  it('answers null, with no error, for well-formed keys nobody knows', async () => {
    const bigger = new World({ customers: 100_000 });
    const res = await stack.query(`query($id: ID!, $n: String!) { customer(id: $id) { id } customerByServiceNumber(serviceNumber: $n) { id } outage(id: "OUT-GD-SZ-0001") { id } }`, {
      id: bigger.customerId(99_999),
      n: bigger.lines(99_999)[0]!.serviceNumber,
    });
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ customer: null, customerByServiceNumber: null, outage: null });
  });

  it('refuses a page size over the maximum, saying the maximum', async () => {
    const res = await stack.query(`{ customers(filter: {province: "GD"}, first: 101) { edges { node { id } } } }`);
    expect(res.errors![0].extensions.code).toBe('BAD_USER_INPUT');
    expect(res.errors![0].message).toMatch(/100/);
  });

  it('degrades only billing\'s fields when billing is down', async () => {
    await stack.emulators.billing.faults({ down: true });
    // A customer no other test here reads: billing's stale-if-error cache has nothing to answer with.
    const k = 9_876;
    const id = world.customerId(k);
    const res = await stack.query(`query($id: ID!) { customer(id: $id) { id name region { province } balance { amount } serviceLines { serviceNumber } } }`, { id });
    expect(res.data.customer.id).toBe(id);
    expect(res.data.customer.name).toBe(world.customer(k).name);
    expect(res.data.customer.region.province).toBe(world.customer(k).province);
    expect(res.data.customer.balance).toBeNull();
    expect(res.data.customer.serviceLines).toBeNull();
    const billingErrors = res.errors!.filter((e: any) => e.extensions.system === 'billing');
    expect(billingErrors.length).toBeGreaterThan(0);
    for (const e of billingErrors) expect(e.extensions).toMatchObject({ code: 'LEGACY_UNAVAILABLE', retryable: true });
  });

  it('covers every province with at least one open outage', async () => {
    const res = await stack.query(`{ outages { id status region { province } } }`);
    expect(res.errors).toBeUndefined();
    for (const p of PROVINCES) expect(res.data.outages.some((o: any) => o.region.province === p.code && o.status === 'open'), p.code).toBe(true);
  });
});
