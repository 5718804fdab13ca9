import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startCustomerServiceEmulator } from '../../../emulators/customer-service/index.js';
import { loadCustomerServiceConfig } from '../../../subgraphs/customer-service/config.js';
import { startCustomerServiceSubgraph } from '../../../subgraphs/customer-service/server.js';
import type { RunningSubgraph } from '../../../subgraphs/shared/server.js';
import { startTestEmulator, testWorld, type TestEmulator } from '../../helpers/emulators.js';
import { viewerFromClaims, type Viewer } from '../../../lib/viewer.js';
import { generateEd25519Pem, loadKey, VIEWER_HEADER, ViewerSigner } from '../../../lib/viewerToken.js';

/**
 * The customer-service subgraph against the real CRM emulator, in process, over loopback HTTP:
 * answers compared with the shared world, legacy calls counted in the emulator's request log.
 */

let emulator: TestEmulator;
let subgraph: RunningSubgraph;

/** The gateway's viewer key pair of this test: the subgraph verifies with the public half. */
const gatewayKeys = generateEd25519Pem();
const signer = new ViewerSigner(loadKey(gatewayKeys.privateKey, 'private', 'VIEWER_SIGNING_KEY'));
const HQ_ADMIN = viewerFromClaims({ sub: 'hq.admin', roles: ['admin'], region: {} });

beforeAll(async () => {
  emulator = await startTestEmulator('customer-service', startCustomerServiceEmulator);
  const config = loadCustomerServiceConfig({ CUSTOMER_SERVICE_URL: emulator.url, CUSTOMER_SERVICE_SUBGRAPH_PORT: '0', VIEWER_VERIFY_KEY: gatewayKeys.publicKey });
  subgraph = await startCustomerServiceSubgraph(config, pino({ level: 'silent' }));
});
afterAll(async () => {
  await subgraph?.close();
  await emulator?.close();
});
beforeEach(async () => {
  await emulator.faults({});
});

interface Result {
  data?: Record<string, any> | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

async function gql(query: string, variables: Record<string, unknown> = {}, requestId?: string, viewer: Viewer = HQ_ADMIN): Promise<Result> {
  const res = await fetch(subgraph.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [VIEWER_HEADER]: await signer.sign(viewer), ...(requestId ? { 'x-request-id': requestId } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as Result;
}

/** The CRM operations the emulator saw after sequence number `since`. */
async function operationsSince(since: number): Promise<string[]> {
  return (await emulator.requests(since)).items.map((r) => r.operation);
}

const lastSeq = async () => (await emulator.requests(0)).last;

/** A group member and its parent, from the world. */
function groupMember(): { i: number; g: number } {
  for (let i = 0; i < testWorld.customerCount; i++) {
    const g = testWorld.groupParentOf(i);
    if (g >= 0) return { i, g };
  }
  throw new Error('the world has no groups');
}

describe('only the gateway may call it', () => {
  it('answers 401 UNAUTHENTICATED without the x-viewer header, with a forged token and with an expired one, asking the CRM nothing', async () => {
    const since = await lastSeq();
    const forger = new ViewerSigner(loadKey(generateEd25519Pem().privateKey, 'private', 'VIEWER_SIGNING_KEY'));
    const expired = await signer.sign(HQ_ADMIN, Date.now() - 10 * 60_000);
    const cases: [string, Record<string, string>, RegExp][] = [
      ['no header', {}, /no x-viewer header: subgraphs answer only the gateway/],
      ['forged', { [VIEWER_HEADER]: await forger.sign(HQ_ADMIN) }, /signature or claims are not the gateway's/],
      ['expired', { [VIEWER_HEADER]: expired }, /it has expired/],
      ['not a JWT', { [VIEWER_HEADER]: 'garbage' }, /refused/],
    ];
    for (const [name, headers, message] of cases) {
      const res = await fetch(subgraph.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: '{ customer(id: "1-7QX3KD") { id name } }' }) });
      expect(res.status, name).toBe(401);
      const body = (await res.json()) as Result;
      expect(body.data, name).toBeUndefined();
      expect(body.errors?.[0]?.extensions, name).toEqual({ code: 'UNAUTHENTICATED', system: 'customer-service', retryable: false });
      expect(body.errors?.[0]?.message, name).toMatch(message);
    }
    expect(await operationsSince(since)).toEqual([]);
  });

  it('serves a regional viewer only its region: another province’s customer is FORBIDDEN, searches are narrowed at the CRM', async () => {
    let inGd = -1;
    let elsewhere = -1;
    for (let i = 0; i < testWorld.customerCount && (inGd < 0 || elsewhere < 0); i++) {
      const c = testWorld.customer(i);
      if (c.province === 'GD' && inGd < 0) inGd = i;
      if (c.province !== 'GD' && elsewhere < 0) elsewhere = i;
    }
    const gdAgent = viewerFromClaims({ sub: 'gd.agent', roles: ['agent'], region: { province: 'GD' } });
    const a = testWorld.customer(inGd);
    const b = testWorld.customer(elsewhere);
    const res = await gql('query($a: ID!, $b: ID!) { a: customer(id: $a) { id region { province } } b: customer(id: $b) { id } }', { a: a.id, b: b.id }, undefined, gdAgent);
    expect(res.data).toEqual({ a: { id: a.id, region: { province: 'GD' } }, b: null });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', customerId: b.id });

    const other = await gql(`{ customers(filter: { province: "${b.province}" }, first: 5) { edges { node { id } } } }`, {}, undefined, gdAgent);
    expect(other).toEqual({ data: { customers: { edges: [] } } });
    const mine = await gql('{ customers(first: 5) { edges { node { region { province } } } } }', {}, undefined, gdAgent);
    expect(mine.data?.customers.edges.length).toBe(5);
    expect(mine.data?.customers.edges.every((e: any) => e.node.region.province === 'GD')).toBe(true);
  });
});

describe('customer-service subgraph over the CRM emulator', () => {
  it('answers a customer as the world has it, with its group and the group’s members', async () => {
    const { i, g } = groupMember();
    const c = testWorld.customer(i);
    const res = await gql(
      `query($id: ID!) { customer(id: $id) {
         id name kind status region { province localNetwork } segment starLevel bigCustomerClass accountManager
         identification { type number } contacts { phone email preferredChannel } customerSince
         group { id name groupMembers(first: 20) { edges { node { id } } pageInfo { hasNextPage } } }
       } }`,
      { id: c.id },
      'it-req-1',
    );
    expect(res.errors).toBeUndefined();
    const got = res.data!.customer;
    expect(got).toMatchObject({
      id: c.id,
      name: c.name,
      kind: c.kind,
      status: c.status.toUpperCase(),
      region: { province: c.province, localNetwork: c.localNetwork },
      segment: c.segment.toUpperCase(),
      starLevel: c.starLevel,
      bigCustomerClass: c.bigCustomerClass,
      accountManager: c.accountManager,
      identification: { type: c.idType, number: c.idNumber },
      contacts: { phone: c.phone, email: c.email, preferredChannel: c.preferredChannel },
    });
    expect(got.customerSince).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);
    expect(Date.parse(got.customerSince)).toBe(c.createdAt - (c.createdAt % 1000));
    expect(got.group.id).toBe(testWorld.customerId(g));
    expect(got.group.name).toBe(testWorld.customer(g).name);
    expect(got.group.groupMembers.edges.map((e: any) => e.node.id)).toEqual(testWorld.groupMembers(g).map((m) => testWorld.customerId(m)));
    // The request id reached the CRM.
    const log = (await emulator.requests(0)).items.filter((r) => r.requestId === 'it-req-1');
    expect(log.map((r) => r.operation)).toEqual(expect.arrayContaining(['POST customers:lookup', 'GET Customer']));
  });

  it('answers null for an unknown customer and refuses a malformed id without asking the CRM', async () => {
    const since = await lastSeq();
    expect(await gql('{ customer(id: "1-ZZZZZZ") { id } }')).toEqual({ data: { customer: null } });
    const bad = await gql('{ customer(id: "1-zz") { id } }');
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', system: 'customer-service' });
    expect(await operationsSince(since)).toEqual(['POST customers:lookup']);
  });

  it('pages the customers of a local network in the CRM’s order, continuing from the cursor', async () => {
    const range = testWorld.customersIn('GD', 'SZ')!;
    const want = Array.from({ length: 6 }, (_, k) => testWorld.customerId(range.at(k)));
    const p1 = await gql('{ customers(filter: { province: "GD", localNetwork: "SZ" }, first: 3) { edges { node { id region { localNetwork } } } pageInfo { hasNextPage endCursor } } }');
    expect(p1.data!.customers.edges.map((e: any) => e.node.id)).toEqual(want.slice(0, 3));
    expect(p1.data!.customers.pageInfo.hasNextPage).toBe(true);
    const p2 = await gql('query($a: String) { customers(filter: { province: "GD", localNetwork: "SZ" }, first: 3, after: $a) { edges { node { id } } } }', {
      a: p1.data!.customers.pageInfo.endCursor,
    });
    expect(p2.data!.customers.edges.map((e: any) => e.node.id)).toEqual(want.slice(3, 6));
  });

  it('finds a customer by phone and by ID number', async () => {
    const c = testWorld.customer(1234);
    const res = await gql('query($p: String, $n: String) { a: customers(filter: { phone: $p }) { edges { node { id } } } b: customers(filter: { idNumber: $n }) { edges { node { id } } } }', {
      p: c.phone,
      n: c.idNumber,
    });
    expect(res.data).toEqual({ a: { edges: [{ node: { id: c.id } }] }, b: { edges: [{ node: { id: c.id } }] } });
  });

  it('lists a customer’s tickets newest first, the same ones the ticket search and look-up give', async () => {
    // A customer with a few tickets.
    let id = '';
    let tickets: any[] = [];
    for (let i = 0; i < 200 && tickets.length < 3; i++) {
      id = testWorld.customerId(i);
      tickets = (await gql('query($id: ID!) { customer(id: $id) { tickets(first: 50) { id status openedAt closedAt customer { id } } } }', { id })).data!.customer.tickets;
    }
    expect(tickets.length).toBeGreaterThanOrEqual(3);
    const opened = tickets.map((t) => Date.parse(t.openedAt));
    expect([...opened].sort((a, b) => b - a)).toEqual(opened);
    expect(tickets.every((t) => t.customer.id === id)).toBe(true);
    for (const t of tickets) if (t.status === 'RESOLVED' || t.status === 'CLOSED' || t.status === 'CANCELLED') expect(t.closedAt).not.toBeNull();

    const search = await gql('query($id: ID!) { tickets(filter: { customerId: $id }, first: 50) { edges { node { id } } pageInfo { hasNextPage } } }', { id });
    expect(search.data!.tickets.edges.map((e: any) => e.node.id)).toEqual(tickets.map((t) => t.id));

    const one = await gql('query($t: ID!) { ticket(id: $t) { id status openedAt region { province } } }', { t: tickets[0].id });
    expect(one.data!.ticket).toMatchObject({ id: tickets[0].id, status: tickets[0].status, openedAt: tickets[0].openedAt, region: { province: testWorld.customer(testWorld.customerIndexById(id)).province } });

    const resolved = tickets.filter((t) => t.status === 'RESOLVED').map((t) => t.id);
    const onlyResolved = await gql('query($id: ID!) { customer(id: $id) { tickets(status: [RESOLVED], first: 50) { id status } } }', { id });
    expect(onlyResolved.data!.customer.tickets.map((t: any) => t.id)).toEqual(resolved);
  });

  it('lists open tickets of a province, newest first, all in the province and open', async () => {
    const res = await gql('{ tickets(filter: { province: "SH", status: [ACKNOWLEDGED, IN_PROGRESS, PENDING] }, first: 10) { edges { node { id status openedAt region { province } } } } }');
    const nodes = res.data!.tickets.edges.map((e: any) => e.node);
    expect(nodes.length).toBe(10);
    expect(nodes.every((t: any) => t.region.province === 'SH' && ['ACKNOWLEDGED', 'IN_PROGRESS', 'PENDING'].includes(t.status))).toBe(true);
    const opened = nodes.map((t: any) => Date.parse(t.openedAt));
    expect([...opened].sort((a, b) => b - a)).toEqual(opened);
  });

  it('resolves 30 Customer representations with tickets(status: [ACKNOWLEDGED]) in 1 look-up and 1 byCustomer call', async () => {
    await gql('{ customer(id: "1-ZZZZZZ") { id } }'); // the session exists already
    const since = await lastSeq();
    const reps = Array.from({ length: 30 }, (_, k) => ({ __typename: 'Customer', id: testWorld.customerId(100 + k) }));
    const res = await gql('query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { id interactions(first: 2) { id } satisfaction { csat } tickets(status: [ACKNOWLEDGED]) { id status } } } }', {
      r: reps,
    });
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities.map((e: any) => e.id)).toEqual(reps.map((r) => r.id));
    expect(res.data!._entities.flatMap((e: any) => e.tickets).every((t: any) => t.status === 'ACKNOWLEDGED')).toBe(true);
    expect((await operationsSince(since)).sort()).toEqual(['POST Activity:byCustomer', 'POST ServiceRequest:byCustomer', 'POST Survey:byCustomer', 'POST customers:lookup']);
  });

  it('stays within 5 calls in flight on its session: no 429 for 300 customers at once', async () => {
    await emulator.faults({ latencyMs: { p50: 20, p99: 20 } });
    await fetch(`${emulator.url}/__emulator/stats`, { method: 'DELETE' });
    const reps = Array.from({ length: 300 }, (_, k) => ({ __typename: 'Customer', id: testWorld.customerId(1000 + k) }));
    const res = await gql('query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { id tickets { id } } } }', { r: reps });
    expect(res.errors).toBeUndefined();
    const stats = (await emulator.stats()) as unknown as { operations: Record<string, number>; statuses: Record<string, number>; concurrency: { peak: number } };
    expect(stats.operations['POST customers:lookup']).toBe(6);
    expect(stats.operations['POST ServiceRequest:byCustomer']).toBe(6);
    expect(stats.concurrency.peak).toBeLessThanOrEqual(5);
    expect(stats.statuses['429']).toBeUndefined();
  });

  it('logs in again exactly once, and retries each call once, when every session expires', async () => {
    await gql('{ customer(id: "1-ZZZZZZ") { id } }');
    await emulator.faults({ expireSessions: true });
    const since = await lastSeq();
    const reps = Array.from({ length: 120 }, (_, k) => ({ __typename: 'Customer', id: testWorld.customerId(2000 + k) }));
    const res = await gql('query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { id name } } }', { r: reps });
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities.every((e: any) => e?.name)).toBe(true);
    const log = (await emulator.requests(since)).items;
    expect(log.filter((r) => r.operation === 'POST session')).toHaveLength(1);
    const lookups = log.filter((r) => r.operation === 'POST customers:lookup');
    expect(lookups.map((r) => r.status).sort()).toEqual([200, 200, 200, 401, 401, 401]);
  });

  it('reports the CRM’s 500s as LEGACY_UNAVAILABLE and cut-off answers as LEGACY_BAD_RESPONSE, on the field', async () => {
    await emulator.faults({ errorRate: 1 });
    const down = await gql(`{ customer(id: "${testWorld.customerId(5)}") { id } }`);
    expect(down.data).toEqual({ customer: null });
    expect(down.errors?.[0]?.extensions).toMatchObject({ code: 'LEGACY_UNAVAILABLE', system: 'customer-service', retryable: true });
    await emulator.faults({ malformedRate: 1 });
    const cut = await gql(`{ customer(id: "${testWorld.customerId(6)}") { id } }`);
    expect(cut.errors?.[0]?.extensions).toMatchObject({ code: 'LEGACY_BAD_RESPONSE', system: 'customer-service', retryable: false });
  });
});
