import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ProductError } from '../../../lib/errors.js';
import { FakeCustomerServiceClient, sampleCustomer, sampleTicket } from '../../../subgraphs/customer-service/client/FakeCustomerServiceClient.js';
import { canonicalStatuses, createLoaders, loadCustomer, loadTicket } from '../../../subgraphs/customer-service/loaders.js';
import { CRM, crm, customerIds, expired, jsonHeaders, login, page, testClient, ticketIds, wireCustomer, wireTicket } from './fixtures.js';

/** Loaders count legacy calls: batches at the CRM's limit of 50, nothing read twice in a request. */

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending, 'every mocked CRM call was made').toEqual([]);
});
afterAll(() => nock.enableNetConnect());

describe('createLoaders over the fake client', () => {
  it('batches 120 customer ids into 3 look-ups of 50, 50 and 20', async () => {
    const ids = customerIds(120);
    const fake = new FakeCustomerServiceClient({ customers: ids.map((id) => sampleCustomer(id)) });
    const loaders = createLoaders(fake);
    const found = await Promise.all(ids.map((id) => loaders.customer.load(id)));
    expect(found.map((c) => c?.id)).toEqual(ids);
    expect(fake.callsOf('customersByIds').map((c) => c.keys.length)).toEqual([50, 50, 20]);
  });

  it('reads the same customer once per request, whatever its spelling, and never asks for a malformed id', async () => {
    const fake = new FakeCustomerServiceClient({ customers: [sampleCustomer('1-7QX3KD')] });
    const loaders = createLoaders(fake);
    const [a, b, c, d, e] = await Promise.all([
      loadCustomer(loaders, '1-7QX3KD'),
      loadCustomer(loaders, ' 1-7QX3KD '),
      loaders.customer.load('1-7QX3KD'),
      loadCustomer(loaders, '1-7qx3kd'),
      loadCustomer(loaders, '1-UNKNWN'),
    ]);
    expect([a?.id, b?.id, c?.id, d, e]).toEqual(['1-7QX3KD', '1-7QX3KD', '1-7QX3KD', null, null]);
    expect(await loadCustomer(loaders, '1-7QX3KD')).toBe(a);
    expect(fake.callsOf('customersByIds').map((x) => x.keys)).toEqual([['1-7QX3KD', '1-UNKNWN']]);
  });

  it('rejects every key of a failed batch with the client error', async () => {
    const fake = new FakeCustomerServiceClient().failWith(new ProductError('LEGACY_UNAVAILABLE', 'customer-service', 'down'));
    const loaders = createLoaders(fake);
    const results = await Promise.allSettled(customerIds(3).map((id) => loaders.customer.load(id)));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect((results[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'LEGACY_UNAVAILABLE' });
  });

  it('batches the tickets of every customer asking the same statuses and first into one call, per (statuses, first)', async () => {
    const ids = customerIds(70);
    const fake = new FakeCustomerServiceClient({
      tickets: ids.flatMap((id, k) => [
        sampleTicket(`1-${String(100000000 + k)}`, id, { status: 'ACKNOWLEDGED', openedAt: '2026-11-20T10:00:00+08:00' }),
        sampleTicket(`1-${String(200000000 + k)}`, id, { status: 'RESOLVED', openedAt: '2026-11-21T10:00:00+08:00' }),
      ]),
    });
    const loaders = createLoaders(fake);
    const open = canonicalStatuses(['PENDING', 'ACKNOWLEDGED', 'ACKNOWLEDGED']);
    const [perCustomer, all] = await Promise.all([
      Promise.all(ids.map((customerId) => loaders.customerTickets.load({ customerId, statuses: open, first: 5 }))),
      Promise.all(ids.slice(0, 3).map((customerId) => loaders.customerTickets.load({ customerId, statuses: undefined, first: 1 }))),
    ]);
    expect(perCustomer.every((ts) => ts.length === 1 && ts[0]!.status === 'ACKNOWLEDGED')).toBe(true);
    expect(all.map((ts) => ts.map((t) => t.status))).toEqual([['RESOLVED'], ['RESOLVED'], ['RESOLVED']]);
    const calls = fake.callsOf('ticketsByCustomers');
    expect(calls.map((c) => [c.keys.length, c.args[1], c.args[2]])).toEqual([
      [70, ['ACKNOWLEDGED', 'PENDING'], 5],
      [3, undefined, 1],
    ]);
    // The tickets a list brought are known by id for the rest of the request.
    expect((await loadTicket(loaders, '1-100000000'))?.customerId).toBe(ids[0]);
    expect(fake.callsOf('ticketsByIds')).toHaveLength(0);
  });

  it('makes the customers of a search page free to look up afterwards', async () => {
    const fake = new FakeCustomerServiceClient({ customers: [sampleCustomer('1-AAAAAA', { groupId: '1-GROUP1' }), sampleCustomer('1-GROUP1')] });
    const loaders = createLoaders(fake);
    await loaders.customerPage.load({ filter: { province: 'GD' }, offset: 0, count: 20 });
    await loaders.customerPage.load({ filter: { province: 'GD', phone: undefined }, offset: 0, count: 20 });
    await loaders.customer.load('1-GROUP1');
    expect(fake.calls.map((c) => c.method)).toEqual(['searchCustomers']);
  });

  it('reads each customer’s latest survey and interactions in one call each', async () => {
    const fake = new FakeCustomerServiceClient();
    const loaders = createLoaders(fake);
    const ids = customerIds(30);
    await Promise.all([...ids.map((id) => loaders.satisfaction.load(id)), ...ids.map((customerId) => loaders.customerInteractions.load({ customerId, first: 20 }))]);
    expect(fake.calls.map((c) => [c.method, c.keys.length])).toEqual([
      ['latestSurveys', 30],
      ['interactionsByCustomers', 30],
    ]);
  });
});

describe('createLoaders over the CRM (nock): legacy calls counted on the wire', () => {
  it('looks up 120 customers with 3 customers:lookup calls of 50, 50 and 20', async () => {
    login();
    const sizes: number[] = [];
    crm()
      .post('/crm/v1/customers:lookup')
      .times(3)
      .reply(200, (_u, body) => {
        const ids = (body as { ids: string[] }).ids;
        sizes.push(ids.length);
        return { items: ids.map((id) => wireCustomer(id)) };
      }, jsonHeaders);
    const loaders = createLoaders(testClient());
    const found = await Promise.all(customerIds(120).map((id) => loaders.customer.load(id)));
    expect(found.filter(Boolean)).toHaveLength(120);
    expect(sizes.sort((a, b) => b - a)).toEqual([50, 50, 20]);
  });

  it('reads 60 tickets by id with 2 searchspec calls of at most 50 OR-ed [SR Number] terms', async () => {
    login();
    const terms: number[] = [];
    crm()
      .get('/crm/v1/data/ServiceRequest')
      .query((q) => (terms.push(String(q.searchspec).split(' OR ').length), true))
      .times(2)
      .reply(200, (uri) => {
        const spec = new URL(uri, CRM).searchParams.get('searchspec')!;
        return page([...spec.matchAll(/'(1-\d{9})'/g)].map((m) => wireTicket(m[1]!)));
      }, jsonHeaders);
    const loaders = createLoaders(testClient());
    const ids = ticketIds(60);
    const found = await Promise.all(ids.map((id) => loadTicket(loaders, id)));
    expect(found.map((t) => t?.id)).toEqual(ids);
    expect(terms.sort((a, b) => b - a)).toEqual([50, 10]);
  });

  it('logs in again exactly once, and retries each failed call once, when the session expires mid-request', async () => {
    login('old');
    crm('old')
      .post('/crm/v1/customers:lookup')
      .times(3)
      .reply(200, (_u, body) => ({ items: (body as { ids: string[] }).ids.map((id) => wireCustomer(id)) }), jsonHeaders);
    // The session expires between the two rounds: the three byCustomer calls all find it so.
    crm('old').post('/crm/v1/data/ServiceRequest:byCustomer').times(3).delay(10).reply(401, expired, jsonHeaders);
    login('new');
    const retried: number[] = [];
    crm('new')
      .post('/crm/v1/data/ServiceRequest:byCustomer')
      .times(3)
      .reply(200, (_u, body) => {
        const ids = (body as { customerIds: string[] }).customerIds;
        retried.push(ids.length);
        return { items: ids.map((id, k) => wireTicket(`1-${String(400000000 + k)}`, id)) };
      }, jsonHeaders);
    const loaders = createLoaders(testClient());
    const ids = customerIds(120);
    const customers = await Promise.all(ids.map((id) => loaders.customer.load(id)));
    const tickets = await Promise.all(customers.map((c) => loaders.customerTickets.load({ customerId: c!.id, statuses: undefined, first: 20 })));
    expect(tickets.every((ts) => ts.length === 1)).toBe(true);
    expect(retried.sort((a, b) => b - a)).toEqual([50, 50, 20]);
    // Any extra login or retry would find no mock and fail; any missing one leaves a mock pending.
  });
});
