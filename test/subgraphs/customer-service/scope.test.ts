import { ApolloServer } from '@apollo/server';
import nock from 'nock';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ProductError } from '../../../lib/errors.js';
import { scopeKeyOf, viewerFromClaims, type Viewer } from '../../../lib/viewer.js';
import { testViewer } from '../../helpers/viewers.js';
import { FakeCustomerServiceClient, sampleCustomer, sampleTicket } from '../../../subgraphs/customer-service/client/FakeCustomerServiceClient.js';
import { createContextFactory, type Context } from '../../../subgraphs/customer-service/context.js';
import { createLoaders } from '../../../subgraphs/customer-service/loaders.js';
import { crmRegionOf } from '../../../subgraphs/customer-service/scope.js';
import { buildCustomerServiceSchema } from '../../../subgraphs/customer-service/server.js';
import { formatSubgraphError, type RequestScope } from '../../../subgraphs/shared/server.js';
import { StaleCache } from '../../../subgraphs/shared/staleCache.js';
import { crm, jsonHeaders, login, page, testClient, WIRE_EXAMPLE_CUSTOMER } from './fixtures.js';

/**
 * Issue 6 in the customer-service subgraph: region scope on every customer and ticket, the
 * permission matrix by area, PII by role, injection at the searchspec, and caches that never
 * cross viewers.
 */

const logger = pino({ level: 'silent' });
const server = new ApolloServer<Context>({ schema: buildCustomerServiceSchema(), formatError: formatSubgraphError('customer-service', logger) });

const v = testViewer;
const SZ_AGENT = v(['agent'], 'GD', 'SZ');
const GD_AGENT = v(['agent'], 'GD');
const HQ_ADMIN = v(['admin']);

interface Result {
  data?: Record<string, any> | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

async function run(fake: FakeCustomerServiceClient, viewer: Viewer, query: string, variables: Record<string, unknown> = {}): Promise<Result> {
  const contextValue: Context = { requestId: 'test', logger, viewer, scopeKey: scopeKeyOf(viewer), loaders: createLoaders(fake, { region: crmRegionOf(viewer) }) };
  const res = await server.executeOperation({ query, variables }, { contextValue });
  if (res.body.kind !== 'single') throw new Error('expected a single result');
  return res.body.singleResult as Result;
}

const szCustomer = sampleCustomer('1-SZCUST', { groupId: '1-GROUP1', contacts: { phone: '13812345678', email: 'zhang.wei@example.cn', preferredChannel: 'SMS' } });
const gzCustomer = sampleCustomer('1-GZCUST', { region: { province: 'GD', localNetwork: 'GZ' }, name: '李' });
const bjCustomer = sampleCustomer('1-BJCUST', { region: { province: 'BJ', localNetwork: 'BJ' }, name: '赵' });
const group = sampleCustomer('1-GROUP1', { region: { province: 'BJ', localNetwork: 'BJ' }, kind: 'ORGANIZATION', name: '某集团' });
const szMember = sampleCustomer('1-MEMBSZ', { groupId: '1-GROUP1' });
const bjMember = sampleCustomer('1-MEMBBJ', { groupId: '1-GROUP1', region: { province: 'BJ', localNetwork: 'BJ' } });
const szTicket = sampleTicket('1-000000001', '1-SZCUST', { openedAt: '2026-11-20T10:00:00+08:00' });
const bjTicketOfSz = sampleTicket('1-000000002', '1-SZCUST', { region: { province: 'BJ', localNetwork: 'BJ' }, openedAt: '2026-11-21T10:00:00+08:00' });
const bjTicket = sampleTicket('1-000000003', '1-BJCUST', { region: { province: 'BJ', localNetwork: 'BJ' } });
/** Inconsistent on purpose: an SZ ticket whose customer the CRM records in Beijing. */
const szTicketOfBj = sampleTicket('1-000000004', '1-BJCUST');

const world = () =>
  new FakeCustomerServiceClient({ customers: [szCustomer, gzCustomer, bjCustomer, group, szMember, bjMember], tickets: [szTicket, bjTicketOfSz, bjTicket, szTicketOfBj] });

describe('region scope', () => {
  it('answers a customer in the viewer’s local network, and null with FORBIDDEN (customerId in extensions) outside it', async () => {
    const fake = world();
    const res = await run(fake, SZ_AGENT, '{ a: customer(id: "1-SZCUST") { id name } b: customer(id: "1-GZCUST") { id name } c: customer(id: "1-BJCUST") { id } }');
    expect(res.data).toEqual({ a: { id: '1-SZCUST', name: '陈晓明' }, b: null, c: null });
    expect(res.errors?.map((e) => [e.path, e.extensions?.code, e.extensions?.customerId])).toEqual([
      [['b'], 'FORBIDDEN', '1-GZCUST'],
      [['c'], 'FORBIDDEN', '1-BJCUST'],
    ]);
    expect(res.errors?.[0]?.message).toBe('Customer 1-GZCUST is outside your scope (GD/SZ).');
    // A province viewer sees both local networks of the province.
    const gd = await run(world(), GD_AGENT, '{ a: customer(id: "1-SZCUST") { id } b: customer(id: "1-GZCUST") { id } }');
    expect(gd).toEqual({ data: { a: { id: '1-SZCUST' }, b: { id: '1-GZCUST' } } });
  });

  it('applies to _entities: an out-of-scope representation is null with FORBIDDEN, the others resolve', async () => {
    const res = await run(world(), SZ_AGENT, 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { id name } ... on Ticket { id } } }', {
      r: [
        { __typename: 'Customer', id: '1-SZCUST' },
        { __typename: 'Customer', id: '1-BJCUST' },
        { __typename: 'Ticket', id: '1-000000001' },
        { __typename: 'Ticket', id: '1-000000003' },
      ],
    });
    expect(res.data?._entities).toEqual([{ id: '1-SZCUST', name: '陈晓明' }, null, { id: '1-000000001' }, null]);
    const errors = [...(res.errors ?? [])].sort((a, b) => Number(a.path?.[1]) - Number(b.path?.[1]));
    expect(errors.map((e) => [e.path, e.extensions?.code])).toEqual([
      [['_entities', 1], 'FORBIDDEN'],
      [['_entities', 3], 'FORBIDDEN'],
    ]);
    expect(errors[0]?.extensions?.customerId).toBe('1-BJCUST');
    expect(errors[1]?.extensions?.ticketId).toBe('1-000000003');
  });

  it('pushes the viewer’s region into customer searches, and answers another region’s filter with an empty page without asking the CRM', async () => {
    const fake = world();
    const res = await run(fake, SZ_AGENT, '{ customers(filter: { segment: MASS }) { edges { node { id } } pageInfo { hasNextPage } } }');
    expect(res.data?.customers.edges.map((e: any) => e.node.id)).toEqual(['1-SZCUST', '1-MEMBSZ']);
    expect(fake.callsOf('searchCustomers').map((c) => c.args[0])).toEqual([{ segment: 'MASS', province: 'GD', localNetwork: 'SZ' }]);

    for (const filter of ['{ province: "BJ" }', '{ province: "GD", localNetwork: "GZ" }']) {
      const other = world();
      const empty = await run(other, SZ_AGENT, `{ customers(filter: ${filter}) { edges { node { id } } pageInfo { hasNextPage endCursor } } }`);
      expect(empty, filter).toEqual({ data: { customers: { edges: [], pageInfo: { hasNextPage: false, endCursor: null } } } });
      expect(other.calls, filter).toEqual([]);
    }
    // A province viewer may narrow to one of its local networks.
    const gd = world();
    await run(gd, GD_AGENT, '{ customers(filter: { localNetwork: "GZ" }) { edges { node { id } } } }');
    expect(gd.callsOf('searchCustomers').map((c) => c.args[0])).toEqual([{ province: 'GD', localNetwork: 'GZ' }]);
  });

  it('pushes the region into ticket searches and a customer’s tickets, and filters what comes back', async () => {
    const fake = world();
    const res = await run(fake, SZ_AGENT, '{ tickets { edges { node { id } } } customer(id: "1-SZCUST") { tickets { id region { province } } } }');
    expect(res.errors).toBeUndefined();
    expect(res.data?.tickets.edges.map((e: any) => e.node.id)).toEqual(['1-000000004', '1-000000001']);
    expect(res.data?.customer.tickets).toEqual([{ id: '1-000000001', region: { province: 'GD' } }]);
    expect(fake.callsOf('searchTickets').map((c) => c.args[0])).toEqual([{ province: 'GD', localNetwork: 'SZ' }]);
    expect(fake.callsOf('ticketsByCustomers').map((c) => c.args[3])).toEqual([{ province: 'GD', localNetwork: 'SZ' }]);
    // Headquarters: no region condition at all.
    const hq = world();
    const all = await run(hq, HQ_ADMIN, '{ customer(id: "1-SZCUST") { tickets { id } } }');
    expect(all.data?.customer.tickets.map((t: any) => t.id)).toEqual(['1-000000002', '1-000000001']);
    expect(hq.callsOf('ticketsByCustomers')[0]?.args).toHaveLength(3);
  });

  it('group: a parent in another region is FORBIDDEN; its members are asked of the CRM within the viewer’s region', async () => {
    const fake = world();
    const res = await run(fake, SZ_AGENT, '{ customer(id: "1-SZCUST") { id group { id } } }');
    expect(res.data?.customer).toEqual({ id: '1-SZCUST', group: null });
    expect(res.errors?.[0]).toMatchObject({ path: ['customer', 'group'], extensions: { code: 'FORBIDDEN', customerId: '1-GROUP1' } });

    const members = await run(fake, SZ_AGENT, 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { id } } }', { r: [{ __typename: 'Customer', id: '1-GROUP1' }] });
    expect(members.data?._entities).toEqual([null]);
    const hq = world();
    const hqRes = await run(hq, HQ_ADMIN, '{ customer(id: "1-GROUP1") { groupMembers { edges { node { id } } } } }');
    expect(hqRes.data?.customer.groupMembers.edges.map((e: any) => e.node.id)).toEqual(['1-SZCUST', '1-MEMBSZ', '1-MEMBBJ']);
    const bj = world();
    const bjRes = await run(bj, v(['agent'], 'BJ'), '{ customer(id: "1-GROUP1") { groupMembers { edges { node { id } } } } }');
    expect(bjRes.data?.customer.groupMembers.edges.map((e: any) => e.node.id)).toEqual(['1-MEMBBJ']);
    expect(bj.callsOf('searchCustomers').map((c) => c.args[0])).toEqual([{ groupId: '1-GROUP1', province: 'BJ', localNetwork: undefined }]);
  });

  it('Ticket.customer out of scope on a ticket in scope: FORBIDDEN with the customerId, and the ticket is not shown', async () => {
    const res = await run(world(), SZ_AGENT, '{ ticket(id: "1-000000004") { id customer { id } } }');
    expect(res.data).toEqual({ ticket: null });
    expect(res.errors?.[0]).toMatchObject({ path: ['ticket', 'customer'], extensions: { code: 'FORBIDDEN', customerId: '1-BJCUST' } });
  });
});

describe('areas (design.md’s permission matrix)', () => {
  const FULL = '{ customer(id: "1-SZCUST") { id name region { province } kind status segment starLevel bigCustomerClass accountManager identification { type } contacts { preferredChannel } customerSince group { id } groupMembers { edges { node { id } } } interactions { id } satisfaction { csat } tickets { id customer { id } } } }';

  it.each(['agent', 'billing', 'analyst', 'admin'])('%s reads every area', async (role) => {
    const res = await run(world(), v([role]), FULL);
    expect(res.errors).toBeUndefined();
    expect(res.data?.customer.segment).toBe('MASS');
    expect(res.data?.customer.group).toEqual({ id: '1-GROUP1' });
  });

  it('noc reads customer-basic and tickets; every customer-profile field is null with FORBIDDEN, its CRM reads never made', async () => {
    const fake = world();
    const res = await run(fake, v(['noc']), FULL);
    const c = res.data?.customer;
    expect(c).toMatchObject({ id: '1-SZCUST', name: '陈晓明', region: { province: 'GD' }, kind: 'INDIVIDUAL', status: 'ACTIVE', tickets: [{ id: '1-000000002', customer: { id: '1-SZCUST' } }, { id: '1-000000001', customer: { id: '1-SZCUST' } }] });
    const profile = ['segment', 'starLevel', 'bigCustomerClass', 'accountManager', 'identification', 'contacts', 'customerSince', 'group', 'groupMembers', 'interactions', 'satisfaction'];
    for (const f of profile) expect(c[f], f).toBeNull();
    expect(res.errors?.map((e) => e.path?.[1]).sort()).toEqual([...profile].sort());
    expect(res.errors?.every((e) => e.extensions?.code === 'FORBIDDEN' && e.extensions?.area === 'customer-profile')).toBe(true);
    expect(fake.callsOf('interactionsByCustomers')).toEqual([]);
    expect(fake.callsOf('latestSurveys')).toEqual([]);
  });
});

describe('PII by role', () => {
  const Q = '{ customer(id: "1-SZCUST") { identification { type number } contacts { phone email preferredChannel } } }';
  it.each([
    ['admin', { identification: { type: 'Resident ID', number: '440305198803150012' }, contacts: { phone: '13812345678', email: 'zhang.wei@example.cn', preferredChannel: 'SMS' } }],
    ['agent', { identification: { type: 'Resident ID', number: '**************0012' }, contacts: { phone: '13812345678', email: 'zhang.wei@example.cn', preferredChannel: 'SMS' } }],
    ['billing', { identification: { type: 'Resident ID', number: '******************' }, contacts: { phone: '138****5678', email: 'z********@example.cn', preferredChannel: 'SMS' } }],
    ['noc', undefined],
    ['analyst', { identification: { type: 'Resident ID', number: null }, contacts: null }],
  ])('%s sees %j', async (role, expected) => {
    const res = await run(world(), v([role as string]), Q);
    if (expected === undefined) {
      // The NOC does not read the profile at all (area customer-profile).
      expect(res.data?.customer).toEqual({ identification: null, contacts: null });
      return;
    }
    expect(res.errors).toBeUndefined();
    expect(res.data?.customer).toEqual(expected);
  });

  it('with several roles, the most any of them allows', async () => {
    const res = await run(world(), v(['analyst', 'agent']), Q);
    expect(res.data?.customer.contacts.phone).toBe('13812345678');
    expect(res.data?.customer.identification.number).toBe('**************0012');
  });

  it('refuses an analyst’s search by idNumber or phone (an oracle for PII) before asking the CRM; the masked roles may search', async () => {
    for (const filter of ['{ idNumber: "440305198803150012" }', '{ phone: "13812345678" }']) {
      const fake = world();
      const res = await run(fake, v(['analyst']), `{ customers(filter: ${filter}) { edges { node { id } } } }`);
      expect(res.data?.customers, filter).toBeNull();
      expect(res.errors?.[0]?.extensions, filter).toMatchObject({ code: 'FORBIDDEN', system: 'customer-service' });
      expect(res.errors?.[0]?.message, filter).toMatch(/not allowed with your roles \(analyst\).*Search by name, region or segment instead/);
      expect(fake.calls, filter).toEqual([]);
    }
    const billing = await run(world(), v(['billing']), '{ customers(filter: { phone: "13812345678" }) { edges { node { id contacts { phone } } } } }');
    expect(billing.data?.customers.edges[0]).toEqual({ node: { id: '1-SZCUST', contacts: { phone: '138****5678' } } });
  });
});

describe('injection at the searchspec', () => {
  afterEach(() => nock.cleanAll());
  const INJECTION = "x' OR [Row Id] IS NOT NULL";

  it('takes a name with a quote and searchspec syntax as a plain name prefix', async () => {
    const fake = world();
    const res = await run(fake, HQ_ADMIN, 'query($n: String) { customers(filter: { name: $n }) { edges { node { id } } } }', { n: INJECTION });
    expect(res).toEqual({ data: { customers: { edges: [] } } });
    expect(fake.callsOf('searchCustomers').map((c) => c.args[0])).toEqual([{ namePrefix: INJECTION }]);
  });

  it('sends it to the CRM as one quoted literal, the quote doubled', async () => {
    login();
    const scope = crm()
      .get('/crm/v1/data/Customer')
      .query({ searchspec: "[Province]='GD' AND [Local Network]='SZ' AND [Name] LIKE 'x'' OR [Row Id] IS NOT NULL*'", PageSize: '20', StartRowNum: '0' })
      .reply(200, page([]), jsonHeaders);
    const client = testClient();
    const ctx = createContextFactory((s) => client.forRequest(s))({ requestId: 'r', logger, viewer: SZ_AGENT, scopeKey: scopeKeyOf(SZ_AGENT), stale: [] });
    const res = await server.executeOperation({ query: 'query($n: String) { customers(filter: { name: $n }) { edges { node { id } } } }', variables: { n: INJECTION } }, { contextValue: ctx });
    expect(res.body.kind === 'single' && res.body.singleResult.data).toEqual({ customers: { edges: [] } });
    scope.done();
    client.close();
  });

  it.each([
    ['filter.province', '{ province: "GD\' OR 1=1" }'],
    ['filter.idNumber', '{ idNumber: "1\' OR [Row Id] IS NOT NULL" }'],
    ['filter.phone', '{ phone: "</ServiceNumber><CustKey>1" }'],
  ])('refuses a malformed %s with BAD_USER_INPUT before any CRM call', async (argument, filter) => {
    const fake = world();
    const res = await run(fake, HQ_ADMIN, `{ customers(filter: ${filter}) { edges { node { id } } } }`);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument });
    expect(fake.calls).toEqual([]);
  });
});

describe('caches and deduplication never cross viewers', () => {
  afterEach(() => nock.cleanAll());
  const scopeOf = (viewer: Viewer, requestId: string): RequestScope => ({ requestId, logger, viewer, scopeKey: scopeKeyOf(viewer), stale: [] });
  const unavailable = { ErrorCode: 'SBL-SVR-01014', ErrorMsg: 'down' };

  it('stale-if-error serves a viewer only what was fetched under the same roles and region', async () => {
    login();
    const cache = new StaleCache({ system: 'customer-service', maxEntries: 100, maxAgeSeconds: 300 });
    const client = testClient();
    const factory = createContextFactory((s) => client.forRequest(s), { staleCache: cache });
    const Q = '{ customer(id: "1-7QX3KD") { id contacts { phone } } }';
    const exec = async (viewer: Viewer, id: string) => {
      const res = await server.executeOperation({ query: Q }, { contextValue: factory(scopeOf(viewer, id)) });
      return res.body.kind === 'single' ? (res.body.singleResult as Result) : {};
    };
    crm().post('/crm/v1/customers:lookup').reply(200, { items: [WIRE_EXAMPLE_CUSTOMER] }, jsonHeaders);
    expect((await exec(GD_AGENT, 'gd-1')).data).toEqual({ customer: { id: '1-7QX3KD', contacts: { phone: '13812345678' } } });
    expect(cache.size).toBe(1);

    // The CRM fails from now on (500 on every attempt).
    crm().post('/crm/v1/customers:lookup').times(20).reply(500, unavailable, jsonHeaders);
    const gdAgain = await exec(GD_AGENT, 'gd-2');
    expect(gdAgain.data).toEqual({ customer: { id: '1-7QX3KD', contacts: { phone: '13812345678' } } });
    // Another province's agent, and an analyst of the same province, get the error, not GD's agent's entry.
    for (const other of [v(['agent'], 'SZ'), v(['analyst'], 'GD'), HQ_ADMIN]) {
      const res = await exec(other, `other-${scopeKeyOf(other)}`);
      expect(res.data?.customer, scopeKeyOf(other)).toBeNull();
      expect(res.errors?.[0]?.extensions?.code, scopeKeyOf(other)).toBe('LEGACY_UNAVAILABLE');
    }
    client.close();
  });

  it('masking cannot leak through a shared entry: an agent and an analyst of one province each see their own view', async () => {
    login();
    const cache = new StaleCache({ system: 'customer-service', maxEntries: 100, maxAgeSeconds: 300 });
    const client = testClient();
    const factory = createContextFactory((s) => client.forRequest(s), { staleCache: cache });
    const Q = '{ customer(id: "1-7QX3KD") { identification { number } contacts { phone } } }';
    crm().post('/crm/v1/customers:lookup').times(2).reply(200, { items: [WIRE_EXAMPLE_CUSTOMER] }, jsonHeaders);
    const [agent, analyst] = await Promise.all(
      [GD_AGENT, v(['analyst'], 'GD')].map(async (viewer, k) => {
        const res = await server.executeOperation({ query: Q }, { contextValue: factory(scopeOf(viewer, `r${k}`)) });
        return res.body.kind === 'single' ? res.body.singleResult.data : undefined;
      }),
    );
    expect(agent).toEqual({ customer: { identification: { number: '**************0012' }, contacts: { phone: '13812345678' } } });
    expect(analyst).toEqual({ customer: { identification: { number: null }, contacts: null } });
    expect(cache.size).toBe(2);
    client.close();
  });

  it('identical reads in flight at once for SZ and BJ viewers make two CRM calls; for two SZ viewers of one role, one', async () => {
    login();
    const calls = { n: 0 };
    crm()
      .post('/crm/v1/customers:lookup', { ids: ['1-7QX3KD'] })
      .times(3)
      .delay(50)
      .reply(200, () => {
        calls.n++;
        return { items: [WIRE_EXAMPLE_CUSTOMER] };
      }, jsonHeaders);
    const client = testClient();
    const sz = v(['agent'], 'GD', 'SZ');
    const bj = v(['agent'], 'BJ');
    await Promise.all([client.forRequest(scopeOf(sz, 'a')).customersByIds(['1-7QX3KD']), client.forRequest(scopeOf(bj, 'b')).customersByIds(['1-7QX3KD'])]);
    expect(calls.n).toBe(2);
    const sz2 = viewerFromClaims({ sub: 'another.sz.agent', roles: ['agent'], region: { province: 'GD', localNetwork: 'SZ' } });
    await Promise.all([client.forRequest(scopeOf(sz, 'c')).customersByIds(['1-7QX3KD']), client.forRequest(scopeOf(sz2, 'd')).customersByIds(['1-7QX3KD'])]);
    expect(calls.n).toBe(3);
    client.close();
  });
});

// A CRM failure on the search is the search's error, not someone else's data (the fake's failure hook).
describe('errors keep their scope', () => {
  it('a failed scoped search is the viewer’s error, with no records', async () => {
    const fake = world().failWith(new ProductError('LEGACY_UNAVAILABLE', 'customer-service', 'The CRM cannot answer now (HTTP 500).'), 'searchCustomers');
    const res = await run(fake, SZ_AGENT, '{ customers { edges { node { id } } } }');
    expect(res.data?.customers).toBeNull();
    expect(res.errors?.[0]?.extensions?.code).toBe('LEGACY_UNAVAILABLE');
  });
});

