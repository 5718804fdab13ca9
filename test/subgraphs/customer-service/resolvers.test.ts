import { ApolloServer } from '@apollo/server';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ProductError } from '../../../lib/errors.js';
import { formatSubgraphError } from '../../../subgraphs/shared/server.js';
import {
  FakeCustomerServiceClient,
  sampleCustomer,
  sampleInteraction,
  sampleSurvey,
  sampleTicket,
} from '../../../subgraphs/customer-service/client/FakeCustomerServiceClient.js';
import type { Context } from '../../../subgraphs/customer-service/context.js';
import { createLoaders } from '../../../subgraphs/customer-service/loaders.js';
import { buildCustomerServiceSchema } from '../../../subgraphs/customer-service/server.js';
import { customerIds } from './fixtures.js';
import type { Viewer } from '../../../lib/viewer.js';
import { UNRESTRICTED_VIEWER } from '../../../subgraphs/shared/auth.js';
import { crmRegionOf } from '../../../subgraphs/customer-service/scope.js';

/** Resolvers over the fake CRM: values, validation before any CRM call, `_entities`, call counts. */

const logger = pino({ level: 'silent' });
const server = new ApolloServer<Context>({ schema: buildCustomerServiceSchema(), formatError: formatSubgraphError('customer-service', logger) });

interface Result {
  data?: Record<string, any> | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

async function run(fake: FakeCustomerServiceClient, query: string, variables: Record<string, unknown> = {}, viewer: Viewer = UNRESTRICTED_VIEWER): Promise<Result> {
  const res = await server.executeOperation({ query, variables }, { contextValue: { requestId: 'test', logger, viewer, loaders: createLoaders(fake, { region: crmRegionOf(viewer) }) } });
  if (res.body.kind !== 'single') throw new Error('expected a single result');
  return res.body.singleResult as Result;
}

const parent = sampleCustomer('1-GROUP1', { name: '深圳某集团', kind: 'ORGANIZATION', segment: 'ENTERPRISE', bigCustomerClass: 'Group', starLevel: null });
const member = sampleCustomer('1-7QX3KD', { groupId: '1-GROUP1' });
const member2 = sampleCustomer('1-MEMB02', { groupId: '1-GROUP1', name: '王' });
const t1 = sampleTicket('1-204817733', '1-7QX3KD', { openedAt: '2026-11-20T10:15:00+08:00', serviceNumber: '13812345678', alarmId: '4417203' });
const t2 = sampleTicket('1-204817734', '1-7QX3KD', { status: 'RESOLVED', resolutionCode: 'Network Repaired', openedAt: '2026-11-22T08:00:00+08:00', closedAt: '2026-11-22T18:00:00+08:00' });
const t3 = sampleTicket('1-204817735', '1-7QX3KD', { status: 'PENDING', openedAt: '2026-11-01T08:00:00+08:00', region: { province: 'BJ', localNetwork: 'BJ' } });
const orphan = sampleTicket('1-999999999', '1-GONE00');

function world(): FakeCustomerServiceClient {
  return new FakeCustomerServiceClient({
    customers: [parent, member, member2],
    tickets: [t1, t2, t3, orphan],
    interactions: [sampleInteraction('1-AAAAAAA1', '1-7QX3KD', { startedAt: '2026-11-01T09:00:00+08:00' }), sampleInteraction('1-AAAAAAA2', '1-7QX3KD', { startedAt: '2026-11-23T09:00:00+08:00', direction: 'OUTBOUND' })],
    surveys: [sampleSurvey('1-7QX3KD', { csat: 2, surveyedAt: '2026-10-01T12:00:00+08:00' }), sampleSurvey('1-7QX3KD', { csat: 5, nps: 10, surveyedAt: '2026-11-21T12:00:00+08:00' })],
  });
}

describe('Query.customer', () => {
  it('answers a customer as the CRM has it, with its group, tickets, interactions and latest survey', async () => {
    const fake = world();
    const res = await run(
      fake,
      `{ customer(id: "1-7QX3KD") {
          id name kind status region { province localNetwork } segment starLevel bigCustomerClass accountManager
          identification { type number } contacts { phone email preferredChannel } customerSince
          group { id name bigCustomerClass }
          tickets(first: 2) { id status openedAt }
          open: tickets(status: [ACKNOWLEDGED, PENDING]) { id }
          interactions(first: 1) { id direction channel startedAt }
          satisfaction { csat nps surveyedAt }
        } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.customer).toEqual({
      id: '1-7QX3KD',
      name: '陈晓明',
      kind: 'INDIVIDUAL',
      status: 'ACTIVE',
      region: { province: 'GD', localNetwork: 'SZ' },
      segment: 'MASS',
      starLevel: '4 Star',
      bigCustomerClass: null,
      accountManager: null,
      identification: { type: 'Resident ID', number: '440305198803150012' },
      contacts: { phone: '13812345678', email: null, preferredChannel: 'Phone' },
      customerSince: '2019-03-15T09:30:00+08:00',
      group: { id: '1-GROUP1', name: '深圳某集团', bigCustomerClass: 'Group' },
      tickets: [
        { id: '1-204817734', status: 'RESOLVED', openedAt: '2026-11-22T08:00:00+08:00' },
        { id: '1-204817733', status: 'ACKNOWLEDGED', openedAt: '2026-11-20T10:15:00+08:00' },
      ],
      open: [{ id: '1-204817733' }, { id: '1-204817735' }],
      interactions: [{ id: '1-AAAAAAA2', direction: 'OUTBOUND', channel: 'Phone', startedAt: '2026-11-23T09:00:00+08:00' }],
      satisfaction: { csat: 5, nps: 10, surveyedAt: '2026-11-21T12:00:00+08:00' },
    });
    // One look-up for the customer and its group: two rounds of the same loader.
    expect(fake.callsOf('customersByIds').map((c) => c.keys)).toEqual([['1-7QX3KD'], ['1-GROUP1']]);
  });

  it('answers null with no error for an id the CRM does not know', async () => {
    const res = await run(world(), '{ customer(id: "1-ZZZZZZ") { id name } }');
    expect(res).toEqual({ data: { customer: null } });
  });

  it.each(['1-7qx3kd', '7QX3KD', '1-7QX3KD9', "1-7QX3K'"])('refuses the malformed id %j with BAD_USER_INPUT before asking the CRM', async (id) => {
    const fake = world();
    const res = await run(fake, 'query($id: ID!) { customer(id: $id) { id } }', { id });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', system: 'customer-service', argument: 'id' });
    expect(res.errors?.[0]?.message).toContain('1-7QX3KD');
    expect(fake.calls).toEqual([]);
  });

  it('refuses first beyond 100 on tickets, naming the maximum', async () => {
    const res = await run(world(), '{ customer(id: "1-7QX3KD") { name tickets(first: 101) { id } } }');
    expect(res.data?.customer).toEqual({ name: '陈晓明', tickets: null });
    expect(res.errors?.[0]).toMatchObject({ path: ['customer', 'tickets'], extensions: { code: 'BAD_USER_INPUT' } });
    expect(res.errors?.[0]?.message).toContain('100');
  });

  it('fails only the field whose CRM read failed', async () => {
    const fake = world().failWith(new ProductError('LEGACY_UNAVAILABLE', 'customer-service', 'The CRM cannot answer now (HTTP 500).', { retryAfterSeconds: 2 }), 'latestSurveys');
    const res = await run(fake, '{ customer(id: "1-7QX3KD") { name satisfaction { csat } } }');
    expect(res.data?.customer).toEqual({ name: '陈晓明', satisfaction: null });
    expect(res.errors?.[0]).toMatchObject({
      path: ['customer', 'satisfaction'],
      extensions: { code: 'LEGACY_UNAVAILABLE', system: 'customer-service', retryable: true, retryAfterSeconds: 2 },
    });
  });
});

describe('Query.customers and Customer.groupMembers', () => {
  it('pages a search as a Relay connection; the cursor continues where the page ended', async () => {
    const fake = world();
    const first = await run(fake, '{ customers(filter: { province: "gd", localNetwork: "SZ" }, first: 2) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }');
    expect(first.data?.customers.edges.map((e: any) => e.node.id)).toEqual(['1-GROUP1', '1-7QX3KD']);
    expect(first.data?.customers.pageInfo.hasNextPage).toBe(true);
    const next = await run(fake, 'query($after: String) { customers(filter: { province: "GD" }, first: 2, after: $after) { edges { node { id } } pageInfo { hasNextPage } } }', {
      after: first.data?.customers.pageInfo.endCursor,
    });
    expect(next.data?.customers).toEqual({ edges: [{ node: { id: '1-MEMB02' } }], pageInfo: { hasNextPage: false } });
    expect(fake.callsOf('searchCustomers').map((c) => c.args)).toEqual([
      [{ province: 'GD', localNetwork: 'SZ', segment: undefined, bigCustomer: undefined, namePrefix: undefined, idNumber: undefined, phone: undefined }, 0, 2],
      [{ province: 'GD', localNetwork: undefined, segment: undefined, bigCustomer: undefined, namePrefix: undefined, idNumber: undefined, phone: undefined }, 2, 2],
    ]);
  });

  it('passes segment, bigCustomer, name, idNumber and phone on to the search', async () => {
    const fake = world();
    const res = await run(fake, '{ customers(filter: { segment: ENTERPRISE, bigCustomer: true, name: " 深圳 " }) { edges { node { id } } } }');
    expect(res.data?.customers.edges).toEqual([{ node: { id: '1-GROUP1' } }]);
    await run(fake, '{ customers(filter: { idNumber: "44030519880315001x", phone: "13812345678" }) { edges { node { id } } } }');
    expect(fake.callsOf('searchCustomers').map((c) => c.args[0])).toMatchObject([
      { segment: 'ENTERPRISE', bigCustomer: true, namePrefix: '深圳' },
      { idNumber: '44030519880315001X', phone: '13812345678' },
    ]);
  });

  it('lists every customer without a filter (the CRM scans; slow, but allowed)', async () => {
    const res = await run(world(), '{ customers(first: 5) { edges { node { id } } } }');
    expect(res.data?.customers.edges).toHaveLength(3);
  });

  it.each([
    ['{ customers(filter: { province: "Guangdong" }) { edges { cursor } } }', 'filter.province'],
    ['{ customers(filter: { name: "陈*" }) { edges { cursor } } }', 'filter.name'],
    ['{ customers(filter: { name: "  " }) { edges { cursor } } }', 'filter.name'],
    ["{ customers(filter: { phone: \"138' OR '1'='1\" }) { edges { cursor } } }", 'filter.phone'],
    ['{ customers(filter: { idNumber: "[ID Number]" }) { edges { cursor } } }', 'filter.idNumber'],
    ['{ customers(after: "bm90LWEtY3Vyc29y") { edges { cursor } } }', 'after'],
    ['{ customers(first: 500) { edges { cursor } } }', 'first'],
  ])('refuses %s with BAD_USER_INPUT naming %s, before asking the CRM', async (query, argument) => {
    const fake = world();
    const res = await run(fake, query);
    expect(res.data?.customers).toBeNull();
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument });
    expect(fake.calls).toEqual([]);
  });

  it('lists a group’s members by Parent Row Id, and a non-parent has none', async () => {
    const fake = world();
    const res = await run(fake, '{ customer(id: "1-GROUP1") { groupMembers(first: 10) { edges { node { id group { id } } } pageInfo { hasNextPage } } } }');
    expect(res.data?.customer.groupMembers).toEqual({
      edges: [{ node: { id: '1-7QX3KD', group: { id: '1-GROUP1' } } }, { node: { id: '1-MEMB02', group: { id: '1-GROUP1' } } }],
      pageInfo: { hasNextPage: false },
    });
    // The group itself was already loaded: no second look-up.
    expect(fake.callsOf('customersByIds')).toHaveLength(1);
  });
});

describe('Query.ticket and Query.tickets', () => {
  it('answers a ticket with its customer and the references billing and the NMS resolve', async () => {
    const res = await run(
      world(),
      `{ ticket(id: "1-204817733") { id type status priority channel summary region { province localNetwork } openedAt closedAt slaDueAt
           customer { id name } serviceLine { serviceNumber } alarm { id } } }`,
    );
    expect(res.data?.ticket).toEqual({
      id: '1-204817733',
      type: 'INCIDENT',
      status: 'ACKNOWLEDGED',
      priority: 'HIGH',
      channel: 'Phone',
      summary: '宽带频繁掉线',
      region: { province: 'GD', localNetwork: 'SZ' },
      openedAt: '2026-11-20T10:15:00+08:00',
      closedAt: null,
      slaDueAt: '2026-11-21T10:15:00+08:00',
      customer: { id: '1-7QX3KD', name: '陈晓明' },
      serviceLine: { serviceNumber: '13812345678' },
      alarm: { id: '4417203' },
    });
  });

  it('answers null serviceLine and alarm when the CRM records none', async () => {
    const res = await run(world(), '{ ticket(id: "1-204817734") { serviceLine { serviceNumber } alarm { id } } }');
    expect(res.data?.ticket).toEqual({ serviceLine: null, alarm: null });
  });

  it('answers null for an unknown ticket, and refuses a malformed SR number', async () => {
    const fake = world();
    expect(await run(fake, '{ ticket(id: "1-000000000") { id } }')).toEqual({ data: { ticket: null } });
    const bad = await run(fake, '{ ticket(id: "1-2048") { id } }');
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'id' });
    expect(fake.callsOf('ticketsByIds')).toHaveLength(1);
  });

  it('reports NOT_FOUND when a ticket names a customer the CRM does not know', async () => {
    const res = await run(world(), '{ ticket(id: "1-999999999") { id customer { id } } }');
    expect(res.data?.ticket).toBeNull();
    expect(res.errors?.[0]).toMatchObject({ path: ['ticket', 'customer'], extensions: { code: 'NOT_FOUND', system: 'customer-service' } });
  });

  it('lists tickets newest first by TMF621 statuses; HELD alone matches nothing', async () => {
    const fake = world();
    const res = await run(fake, '{ tickets(filter: { customerId: "1-7QX3KD", status: [PENDING, ACKNOWLEDGED] }) { edges { node { id status } } } }');
    expect(res.data?.tickets.edges.map((e: any) => e.node)).toEqual([
      { id: '1-204817733', status: 'ACKNOWLEDGED' },
      { id: '1-204817735', status: 'PENDING' },
    ]);
    expect(fake.callsOf('searchTickets')[0]?.args[0]).toEqual({ province: undefined, localNetwork: undefined, statuses: ['ACKNOWLEDGED', 'PENDING'], customerId: '1-7QX3KD' });
    const held = await run(fake, '{ tickets(filter: { status: [HELD] }) { edges { node { id } } } }');
    expect(held.data?.tickets.edges).toEqual([]);
  });

  it('refuses a malformed customerId in the ticket filter', async () => {
    const res = await run(world(), '{ tickets(filter: { customerId: "someone" }) { edges { cursor } } }');
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'filter.customerId' });
  });
});

describe('_entities', () => {
  it('resolves 30 Customer representations with tickets(status: [ACKNOWLEDGED]) in 1 look-up and 1 byCustomer call', async () => {
    const ids = customerIds(30);
    const fake = new FakeCustomerServiceClient({
      customers: ids.map((id) => sampleCustomer(id)),
      tickets: ids.flatMap((id, k) => [sampleTicket(`1-${String(500000000 + k)}`, id), sampleTicket(`1-${String(600000000 + k)}`, id, { status: 'CLOSED' })]),
    });
    const res = await run(
      fake,
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { id tickets(status: [ACKNOWLEDGED]) { id status } } } }',
      { r: ids.map((id) => ({ __typename: 'Customer', id })) },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?._entities).toHaveLength(30);
    expect(res.data?._entities[7]).toEqual({ id: ids[7], tickets: [{ id: '1-500000007', status: 'ACKNOWLEDGED' }] });
    // The ticket search starts with the look-up, not after it (the customer 360's critical path).
    expect(fake.calls.map((c) => [c.method, c.keys.length])).toEqual([
      ['ticketsByCustomers', 30],
      ['customersByIds', 30],
    ]);
  });

  it('answers null for a Customer the CRM does not know, with no error (other subgraphs keep their fields)', async () => {
    const res = await run(world(), 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { id name } } }', {
      r: [
        { __typename: 'Customer', id: '1-7QX3KD' },
        { __typename: 'Customer', id: '1-NOSUCH' },
        { __typename: 'Customer', id: 'not-an-id' },
      ],
    });
    expect(res).toEqual({ data: { _entities: [{ id: '1-7QX3KD', name: '陈晓明' }, null, null] } });
  });

  it('resolves Ticket representations through the ticket loader (one read)', async () => {
    const fake = world();
    const res = await run(fake, 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Ticket { id status customer { id } } } }', {
      r: [
        { __typename: 'Ticket', id: '1-204817733' },
        { __typename: 'Ticket', id: '1-204817734' },
      ],
    });
    expect(res.data?._entities).toEqual([
      { id: '1-204817733', status: 'ACKNOWLEDGED', customer: { id: '1-7QX3KD' } },
      { id: '1-204817734', status: 'RESOLVED', customer: { id: '1-7QX3KD' } },
    ]);
    expect(fake.calls.map((c) => c.method)).toEqual(['ticketsByIds', 'customersByIds']);
  });
});
