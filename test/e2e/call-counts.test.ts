import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVINCES } from '../../emulators/shared/regions.js';
import { World } from '../../emulators/shared/world.js';
import { examples } from '../../gateway/playground/examples.js';
import { TEST_NOW, testWorld as world } from '../helpers/emulators.js';
import { startStack, type Stack } from '../helpers/stack.js';

/**
 * Issue 4, "fewest legacy calls": the bench scenarios through the gateway, each asserting the
 * exact legacy calls per system and operation, equal to the lower bound of the issue's rule — per
 * system and plan dependency level, ⌈keys ÷ max batch⌉ for an operation with a batch form
 * (billing BatchQueryCustomerInfo 100, BatchQueryBalance 50; NMS batches 100; CRM
 * customers:lookup, :byCustomer and OR-ed searchspecs 50), one call per key for one without
 * (QueryBillList per POSTPAID account), plus the pages the data needs.
 *
 * The numbers are computed here from the world (`testWorld`) — the keys a scenario reads are
 * taken from its answer (which customers a page lists, which lines an outage page holds), the
 * facts about them (accounts, lines, alarms' elements) from the world or, for tickets, from the
 * CRM emulator's own records — never written down as constants. `toEqual` on the whole map of
 * operations also fails on any operation the bound does not need.
 */

const NOW = Date.parse(TEST_NOW);
const OPEN = '[ACKNOWLEDGED, IN_PROGRESS, PENDING, HELD]';
const ceil = (keys: number, max: number) => Math.ceil(keys / max);
/** An expected map of operation → calls, without the operations that need none. */
const ops = (entries: Record<string, number>) => Object.fromEntries(Object.entries(entries).filter(([, n]) => n > 0));
const distinct = <T>(values: readonly T[]) => [...new Set(values)];

/** Max keys per batch call (legacy contracts). */
const BATCH = { crm: 50, crmPage: 100, billingCustomer: 100, billingBalance: 50, nms: 100, nmsPage: 1000 };

const CUSTOMER_FIELDS = `
  id name kind region { province localNetwork } segment starLevel bigCustomerClass
  balance { amount currency }
  accounts { accountNumber type state balances { type amount { amount currency } } bills(last: 3) { period amountDue { amount currency } state } }
  serviceLines { serviceNumber kind productName status networkStatus { operState adminState affected } }
  tickets(status: ${OPEN}) { id status summary openedAt }`;

let stack: Stack;
let crmToken: string;

beforeAll(async () => {
  stack = await startStack();
  // The subgraph's CRM session is opened once per process: open it before counting.
  await stack.query(`{ customer(id: "${world.customerId(0)}") { id } }`);
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

/** Runs one query with counting on; the answer must have no errors unless `allowErrors`. */
async function counted(query: string, variables: Record<string, unknown>, allowErrors = false) {
  await stack.resetCounts();
  const answer = await stack.query(query, variables);
  const calls = await stack.legacyCalls();
  if (!allowErrors) expect(answer.errors).toBeUndefined();
  expect(answer.data).toBeTruthy();
  return { data: answer.data, calls: { crm: calls.crm, billing: calls.billing, network: calls.network } };
}

/** The billing keys behind customers (by world index): their accounts, postpaid ones, lines. */
function billingFacts(indexes: readonly number[]) {
  const accounts = indexes.flatMap((i) => world.accounts(i));
  const lines = indexes.flatMap((i) => world.lines(i));
  return {
    accounts: accounts.length,
    postpaid: accounts.filter((a) => a.type === 'POSTPAID').length,
    lines: distinct(lines.map((l) => l.serviceNumber)).length,
    elements: distinct(lines.flatMap((l) => [...l.supporting])).length,
  };
}

/** The elements the given alarms sit on (the NMS's alarm record names its element). */
function alarmElements(alarmIds: readonly string[]): number {
  return distinct(alarmIds.map((id) => world.alarm(Number(id), NOW)?.element).filter((e) => e !== undefined)).length;
}

describe('legacy calls per scenario equal the lower bound', () => {
  const example = examples.find((e) => e.query.includes('query Customer360ByPhoneNumber'))!;
  /** A mobile number whose customer's lines ride on elements with active alarms (so the alarms' elements are read too). */
  const withAlarms = (() => {
    for (let i = 0; i < world.customerCount; i += 37) {
      const lines = world.lines(i);
      const alarmed = lines.some((l) => l.supporting.some((e) => world.alarmsOnElement(e, NOW).some((a) => World.isActive(a, NOW) && ['CRITICAL', 'MAJOR', 'MINOR'].includes(a.severity))));
      const mobile = lines.find((l) => l.kind === 'MOBILE');
      if (alarmed && mobile) return mobile.serviceNumber;
    }
    throw new Error('no customer with active alarms in the test world');
  })();

  it.each([
    ['the example number', String(example.variables.serviceNumber)],
    ['a customer with active alarms', withAlarms],
  ])('S1 customer 360 by phone number (Customer360ByPhoneNumber): %s', async (_what, serviceNumber) => {
    const { data, calls } = await counted(example.query, { serviceNumber });
    const line = world.line(serviceNumber)!;
    const f = billingFacts([line.customer]);
    const c = data.customerByServiceNumber;
    expect(c.id).toBe(world.customerId(line.customer));
    const alarmIds: string[] = c.serviceLines.flatMap((l: any) => (l.activeAlarms ?? []).map((a: any) => a.id));
    if (serviceNumber === withAlarms) expect(alarmIds.length).toBeGreaterThan(0);
    expect(calls).toEqual({
      // level 2 (the customer id comes from billing): its CRM record; its open tickets
      crm: ops({ 'POST customers:lookup': 1, 'POST ServiceRequest:byCustomer': 1 }),
      billing: ops({
        BatchQueryCustomerInfo: 1, // level 1: line → customer, accounts, lines
        BatchQueryBalance: ceil(f.accounts, BATCH.billingBalance), // level 2
        QueryBillList: f.postpaid, // level 2: one per postpaid account; prepaid ones have no bills
      }),
      network: ops({
        'POST /services/_batch': ceil(f.lines, BATCH.nms), // level 2
        'POST /alarms/_query': ceil(f.elements, BATCH.nms), // level 3: the elements the lines ride on
        'POST /nes/_batch': ceil(alarmElements(alarmIds), BATCH.nms), // level 4: the alarms' element names
      }),
    });
  });

  it('S2 fifty customers of a province with accounts, bills, lines, network status and open tickets', async () => {
    const query = `query S2($p: String!) { customers(filter: { province: $p }, first: 50) { edges { node { ${CUSTOMER_FIELDS} } } pageInfo { hasNextPage } } }`;
    const { data, calls } = await counted(query, { p: 'GD' });
    const ids: string[] = data.customers.edges.map((e: any) => e.node.id);
    expect(ids).toHaveLength(50);
    const indexes = ids.map((id) => world.customerIndexById(id));
    for (const i of indexes) expect(world.customer(i).province).toBe('GD');
    const f = billingFacts(indexes);
    expect(calls).toEqual({
      crm: ops({
        'GET Customer': ceil(ids.length, BATCH.crmPage), // level 1: the page
        'POST ServiceRequest:byCustomer': ceil(ids.length, BATCH.crm), // level 2: open tickets
      }),
      billing: ops({
        BatchQueryCustomerInfo: ceil(ids.length, BATCH.billingCustomer), // level 2: accounts and lines
        BatchQueryBalance: ceil(f.accounts, BATCH.billingBalance), // level 3
        QueryBillList: f.postpaid, // level 3
      }),
      network: ops({ 'POST /services/_batch': ceil(f.lines, BATCH.nms) }), // level 3: network status
    });
  });

  it('S3 open tickets of a province (first 20) with their service lines and alarms', async () => {
    const query = `query S3($p: String!) { tickets(filter: { province: $p, status: ${OPEN} }, first: 20) { edges { node {
      id type status priority summary openedAt customer { id name }
      serviceLine { serviceNumber kind status networkStatus { operState affected } }
      alarm { id severity probableCause raisedAt clearedAt element { id name } } } } pageInfo { hasNextPage } } }`;
    // A ticket may name a line billing no longer knows (the CRM's list is sometimes stale): NOT_FOUND on that line.
    const { data, calls } = await counted(query, { p: 'GD' }, true);
    const srs: string[] = data.tickets.edges.map((e: any) => e.node.id);
    expect(srs).toHaveLength(20);
    // What each ticket refers to, as the CRM itself records it.
    const spec = srs.map((sr) => `[SR Number]='${sr}'`).join(' OR ');
    const r = await fetch(`${stack.emulators.crm.url}/crm/v1/data/ServiceRequest?searchspec=${encodeURIComponent(spec)}&PageSize=100&StartRowNum=0`, {
      headers: { authorization: `Bearer ${crmToken}` },
    });
    const rows = ((await r.json()) as { items: Record<string, string>[] }).items;
    expect(rows).toHaveLength(20);
    const customers = distinct(rows.map((t) => t['Customer Id']!)).length;
    const lines = distinct(rows.map((t) => (t['Related Service Number'] ?? '').trim().toUpperCase()).filter(Boolean)).length;
    const alarmIds = distinct(rows.map((t) => (t['Related Alarm Id'] ?? '').trim()).filter(Boolean));
    expect(calls).toEqual({
      crm: ops({
        'GET ServiceRequest': ceil(srs.length, BATCH.crmPage), // level 1: the page
        'POST customers:lookup': ceil(customers, BATCH.crm), // level 2: the customers' names
      }),
      billing: ops({ BatchQueryCustomerInfo: ceil(lines, BATCH.billingCustomer) }), // level 2: line kind and status
      network: ops({
        'POST /services/_batch': ceil(lines, BATCH.nms), // level 2: network status
        'POST /alarms/_byIds': ceil(alarmIds.length, BATCH.nms), // level 2
        'POST /nes/_batch': ceil(alarmElements(alarmIds), BATCH.nms), // level 3: the alarms' element names
      }),
    });
  });

  it('S4 the customers behind the first 20 lines of one outage, with their open tickets', async () => {
    // The open outage with the most lines behind it.
    let outage: { id: string; rootCauseAlarmId: number; lines: number } | undefined;
    for (const p of PROVINCES) {
      for (const o of world.outages(p.code, NOW)) {
        const lines = world.linesOnAggregation(o.aggregation).length;
        if (World.isOpen(o, NOW) && (!outage || lines > outage.lines)) outage = { id: o.id, rootCauseAlarmId: o.rootCauseAlarmId, lines };
      }
    }
    expect(outage).toBeDefined();
    const query = `query S4($id: ID!) { outage(id: $id) { id status startedAt affectedServiceCount
      rootCauseAlarms { id severity probableCause element { id name } }
      affectedServiceLines(first: 20) { edges { node { serviceNumber networkStatus { operState affected }
        customer { id name starLevel tickets(status: ${OPEN}) { id status summary } } } } pageInfo { hasNextPage } } } }`;
    const { data, calls } = await counted(query, { id: outage!.id });
    const o = data.outage;
    const lines: string[] = o.affectedServiceLines.edges.map((e: any) => e.node.serviceNumber);
    expect(lines.length).toBe(Math.min(20, o.affectedServiceCount));
    const customers = distinct(lines.map((n) => world.line(n)!.customer));
    for (const [k, e] of o.affectedServiceLines.edges.entries()) expect(e.node.customer.id).toBe(world.customerId(world.line(lines[k]!)!.customer));
    const rootCause = world.alarm(outage!.rootCauseAlarmId, NOW);
    expect(calls).toEqual({
      network: ops({
        'POST /outages/_byIds': 1, // level 1: the outage
        'GET /outages/{id}/services': Math.max(1, ceil(lines.length, BATCH.nmsPage)), // level 2: its lines, with their state
        'POST /alarms/_byIds': 1, // level 2: the root-cause alarm
        'POST /nes/_batch': rootCause ? 1 : 0, // level 3: its element's name
      }),
      billing: ops({ BatchQueryCustomerInfo: ceil(lines.length, BATCH.billingCustomer) }), // level 3: line → customer
      crm: ops({
        'POST customers:lookup': ceil(customers.length, BATCH.crm), // level 4: the customers
        'POST ServiceRequest:byCustomer': ceil(customers.length, BATCH.crm), // level 4: their open tickets
      }),
    });
  });
});
