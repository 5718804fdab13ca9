import { ApolloServer } from '@apollo/server';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ProductError } from '../../../lib/errors.js';
import { createLogger } from '../../../lib/logger.js';
import { scopeKeyOf, viewerFromClaims, type Viewer } from '../../../lib/viewer.js';
import { testViewer } from '../../helpers/viewers.js';
import { callerFor, HttpBillingClient, type BillingTransport } from '../../../subgraphs/billing/client/BillingClient.js';
import type { FakeBillingClient } from '../../../subgraphs/billing/client/FakeBillingClient.js';
import { createContextFactory, type Context } from '../../../subgraphs/billing/context.js';
import type { BillingCustomer } from '../../../subgraphs/billing/domain.js';
import { createLoaders } from '../../../subgraphs/billing/loaders.js';
import { buildBillingSchema } from '../../../subgraphs/billing/server.js';
import { UNRESTRICTED_VIEWER } from '../../../subgraphs/shared/auth.js';
import { formatSubgraphError, type RequestScope } from '../../../subgraphs/shared/server.js';
import { StaleCache } from '../../../subgraphs/shared/staleCache.js';
import { accountNumber, billsFor, customerId, fakeBilling, makeCustomer, NOW, serviceNumber } from './fixtures.js';
import { BILLING, customerXml, SERVICE_PATH, soapAnswer, soapFault, testClient, valuesOf } from './soap.js';

/**
 * Issue 6 in the billing subgraph: every customer (and so every account and line) checked against
 * the region billing records for it, on top of billing's own ResultCode 103 for the scope we send
 * it; the permission matrix by area; malformed keys refused before billing; caches and in-flight
 * calls never shared across viewers.
 */

const logger = createLogger('billing-scope-test', 'silent');
const server = new ApolloServer<Context>({ schema: buildBillingSchema(), formatError: formatSubgraphError('billing', logger) });

beforeAll(() => server.start());
afterAll(() => server.stop());

const v = testViewer;
const SZ_AGENT = v(['agent'], 'GD', 'SZ');
const GD_AGENT = v(['agent'], 'GD');
const HQ_ADMIN = v(['admin']);

interface Result {
  data?: Record<string, any> | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

async function run(fake: FakeBillingClient, viewer: Viewer, query: string, variables: Record<string, unknown> = {}): Promise<Result> {
  const contextValue: Context = { requestId: 'test', logger, viewer, scopeKey: scopeKeyOf(viewer), loaders: createLoaders(fake, { now: () => NOW }) };
  const res = await server.executeOperation({ query, variables }, { contextValue });
  if (res.body.kind !== 'single') throw new Error('expected a single result');
  return res.body.singleResult as Result;
}

const inRegion = (c: BillingCustomer, province: string, localNetwork: string): BillingCustomer => ({ ...c, province, localNetwork });
/** Customer 0 in Shenzhen, 1 in Guangzhou (its account 0 rolls up to 0's), 2 in Beijing; 3 in Shenzhen with a Beijing group parent. */
const sz = makeCustomer(0, { accounts: ['POSTPAID', 'PREPAID'], lines: [{ acct: 0 }, { acct: 1 }] });
const gz = inRegion(makeCustomer(1), 'GD', 'GZ');
const bj = inRegion(makeCustomer(2), 'BJ', 'BJ');
const szMember = makeCustomer(3, { parent: accountNumber(2, 0) });
/** Billing itself does not check the scope here (the fake answers everything): only our own check stands. */
const world = () => fakeBilling([sz, gz, bj, szMember], { bills: { [accountNumber(0, 0)]: billsFor(accountNumber(0, 0), 12800) } });

describe('region scope (our own check, on the region billing records)', () => {
  it('answers a customer of the viewer’s local network, and null with FORBIDDEN for another region’s', async () => {
    const res = await run(world(), SZ_AGENT, `{
      a: customerByServiceNumber(serviceNumber: "${serviceNumber(0, 0)}") { id }
      b: customerByServiceNumber(serviceNumber: "${serviceNumber(1, 0)}") { id }
      c: customerByServiceNumber(serviceNumber: "${serviceNumber(2, 0)}") { id } }`);
    expect(res.data).toEqual({ a: { id: customerId(0) }, b: null, c: null });
    expect(res.errors?.map((e) => [e.path, e.extensions?.code, e.extensions?.customerId, e.extensions?.serviceNumber])).toEqual([
      [['b'], 'FORBIDDEN', customerId(1), serviceNumber(1, 0)],
      [['c'], 'FORBIDDEN', customerId(2), serviceNumber(2, 0)],
    ]);
    expect(res.errors?.[0]?.message).toBe(`The customer of service line ${serviceNumber(1, 0)} is outside your scope (GD/SZ).`);
    // A province viewer sees every local network of its province; headquarters everything.
    const gd = await run(world(), GD_AGENT, `{ a: customerByServiceNumber(serviceNumber: "${serviceNumber(0, 0)}") { id } b: customerByServiceNumber(serviceNumber: "${serviceNumber(1, 0)}") { id } }`);
    expect(gd).toEqual({ data: { a: { id: customerId(0) }, b: { id: customerId(1) } } });
    const hq = await run(world(), HQ_ADMIN, `{ c: customerByServiceNumber(serviceNumber: "${serviceNumber(2, 0)}") { id } }`);
    expect(hq).toEqual({ data: { c: { id: customerId(2) } } });
  });

  it('applies to _entities of every type: Customer, ServiceLine and BillingAccount outside the region are null with FORBIDDEN, and nothing more of them is read', async () => {
    const fake = world();
    const res = await run(fake, SZ_AGENT, 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { id balance { amount } } ... on ServiceLine { serviceNumber kind } ... on BillingAccount { accountNumber balances { type } } } }', {
      r: [
        { __typename: 'Customer', id: customerId(0) },
        { __typename: 'Customer', id: customerId(2) },
        { __typename: 'ServiceLine', serviceNumber: serviceNumber(0, 1) },
        { __typename: 'ServiceLine', serviceNumber: serviceNumber(1, 0) },
        { __typename: 'BillingAccount', accountNumber: accountNumber(0, 1) },
        { __typename: 'BillingAccount', accountNumber: accountNumber(2, 0) },
      ],
    });
    expect(res.data?._entities).toEqual([
      { id: customerId(0), balance: { amount: '0.01' } },
      null,
      { serviceNumber: serviceNumber(0, 1), kind: 'MOBILE' },
      null,
      { accountNumber: accountNumber(0, 1), balances: [{ type: 'MAIN' }] },
      null,
    ]);
    const errors = [...(res.errors ?? [])].sort((a, b) => Number(a.path?.[1]) - Number(b.path?.[1]));
    expect(errors.map((e) => [e.path, e.extensions?.code])).toEqual([
      [['_entities', 1], 'FORBIDDEN'],
      [['_entities', 3], 'FORBIDDEN'],
      [['_entities', 5], 'FORBIDDEN'],
    ]);
    expect(errors.map((e) => e.message)).toEqual([
      `Customer ${customerId(2)} is outside your scope (GD/SZ).`,
      `Service line ${serviceNumber(1, 0)} is outside your scope (GD/SZ).`,
      `Account ${accountNumber(2, 0)} is outside your scope (GD/SZ).`,
    ]);
    expect(errors[2]?.extensions).toMatchObject({ accountNumber: accountNumber(2, 0), customerId: customerId(2) });
    // Balances were read for the Shenzhen customer's accounts only.
    expect(fake.callsOf('balances').flatMap((c) => c.keys).sort()).toEqual([accountNumber(0, 0), accountNumber(0, 1)]);
  });

  it('a group parent account in another province is FORBIDDEN on the member’s account; the member itself is shown', async () => {
    const res = await run(world(), SZ_AGENT, `{ customerByServiceNumber(serviceNumber: "${serviceNumber(3, 0)}") { id accounts { accountNumber parent { accountNumber } } } }`);
    expect(res.data?.customerByServiceNumber).toEqual({ id: customerId(3), accounts: [{ accountNumber: accountNumber(3, 0), parent: null }] });
    expect(res.errors?.map((e) => [e.path, e.extensions?.code, e.extensions?.accountNumber])).toEqual([
      [['customerByServiceNumber', 'accounts', 0, 'parent'], 'FORBIDDEN', accountNumber(2, 0)],
    ]);
    const hq = await run(world(), HQ_ADMIN, `{ customerByServiceNumber(serviceNumber: "${serviceNumber(3, 0)}") { accounts { parent { accountNumber customer { id } } } } }`);
    expect(hq).toEqual({ data: { customerByServiceNumber: { accounts: [{ parent: { accountNumber: accountNumber(2, 0), customer: { id: customerId(2) } } }] } } });
  });

  it('billing’s own ResultCode 103 for one key is the same FORBIDDEN, naming the key; the other keys of the batch resolve', async () => {
    const fake = world();
    fake.keyFailures.set(customerId(1), new ProductError('FORBIDDEN', 'billing', "billing refused: the record is outside the caller's scope (BatchQueryCustomerInfo ResultCode 103)."));
    const res = await run(fake, SZ_AGENT, 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { id } } }', {
      r: [
        { __typename: 'Customer', id: customerId(0) },
        { __typename: 'Customer', id: customerId(1) },
      ],
    });
    expect(res.data?._entities).toEqual([{ id: customerId(0) }, null]);
    expect(res.errors).toMatchObject([
      { message: `Customer ${customerId(1)} is outside your scope (GD/SZ).`, path: ['_entities', 1], extensions: { code: 'FORBIDDEN', system: 'billing', retryable: false, customerId: customerId(1) } },
    ]);
    expect(fake.callsOf('customers')).toEqual([{ method: 'customers', kind: 'CrmCustId', keys: [customerId(0), customerId(1)] }]);
  });
});

describe('areas (design.md’s permission matrix)', () => {
  const FULL = `{ customerByServiceNumber(serviceNumber: "${serviceNumber(0, 0)}") {
    id balance { amount } arpu { amount } accounts { accountNumber }
    serviceLines { serviceNumber kind productName status customer { id } activatedAt imsi iccid account { accountNumber } usage(from: "2026-11-01T00:00:00+08:00", to: "2026-11-02T00:00:00+08:00") { edges { cursor } } }
  } }`;

  it.each(['agent', 'billing', 'analyst', 'admin'])('%s reads every billing field', async (role) => {
    const res = await run(world(), v([role]), FULL);
    expect(res.errors).toBeUndefined();
    expect(res.data?.customerByServiceNumber.balance).toEqual({ amount: '0.01' });
    expect(res.data?.customerByServiceNumber.serviceLines[0].imsi).toBe('460007621100000');
  });

  it('noc reads the customer key and its lines’ number, kind, product, status and owner; money and SIM fields are null with FORBIDDEN, never read from billing', async () => {
    const fake = world();
    const res = await run(fake, v(['noc']), FULL);
    const c = res.data?.customerByServiceNumber;
    expect(c).toEqual({
      id: customerId(0),
      balance: null,
      arpu: null,
      accounts: null,
      serviceLines: [0, 1].map((k) => ({
        serviceNumber: serviceNumber(0, k),
        kind: 'MOBILE',
        productName: '全球通 128 元套餐',
        status: 'ACTIVE',
        customer: { id: customerId(0) },
        activatedAt: null,
        imsi: null,
        iccid: null,
        account: null,
        usage: null,
      })),
    });
    const forbidden = (res.errors ?? []).map((e) => e.path?.filter((p) => typeof p === 'string').join('.')).sort();
    expect(forbidden).toEqual(
      [
        'customerByServiceNumber.accounts',
        'customerByServiceNumber.arpu',
        'customerByServiceNumber.balance',
        ...['account', 'activatedAt', 'iccid', 'imsi', 'usage'].flatMap((f) => [`customerByServiceNumber.serviceLines.${f}`, `customerByServiceNumber.serviceLines.${f}`]),
      ].sort(),
    );
    expect(res.errors?.every((e) => e.extensions?.code === 'FORBIDDEN' && e.extensions?.area === 'billing' && e.extensions?.system === 'billing')).toBe(true);
    expect(fake.calls.map((c) => c.method)).toEqual(['customers']);
  });
});

describe('injection at the SOAP boundary', () => {
  it.each([
    '</ServiceNumber><CustKey>1',
    '13812345678</ServiceNumber><CustKey>8800000001</CustKey><ServiceNumber>',
    "13812345678' OR '1'='1",
    '1381234567',
    'AD075512345',
    'GD-SZ-MSTP-04-0012&amp;',
    '138 1234 5678',
  ])('refuses serviceNumber %j with BAD_USER_INPUT naming the format, asking billing nothing', async (bad) => {
    const fake = world();
    const res = await run(fake, HQ_ADMIN, 'query($n: String!) { customerByServiceNumber(serviceNumber: $n) { id } }', { n: bad });
    expect(res.data).toEqual({ customerByServiceNumber: null });
    expect(res.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', system: 'billing', retryable: false, argument: 'serviceNumber' });
    expect(res.errors?.[0]?.message).toContain('expected a service number: 11 mobile digits (13812345678), 0 + area code + 8 digits (075526881234), AD + 10 digits (AD0755123456) or a circuit id (GD-SZ-MSTP-04-00123)');
    expect(fake.calls).toEqual([]);
  });

  it('takes every well-formed kind of number: mobile, fixed, broadband and circuit id', async () => {
    for (const n of ['13812345678', '075526881234', '02023456789', 'AD0755123456', 'ad0755123456', 'GD-SZ-MSTP-04-00123']) {
      const fake = world();
      const res = await run(fake, HQ_ADMIN, 'query($n: String!) { customerByServiceNumber(serviceNumber: $n) { id } }', { n });
      expect(res, n).toEqual({ data: { customerByServiceNumber: null } });
      expect(fake.callsOf('customers').map((c) => c.keys), n).toEqual([[n.toUpperCase()]]);
    }
  });
});

describe('on the wire to billing', () => {
  const transports: BillingTransport[] = [];
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    for (const t of transports.splice(0)) t.close();
    expect(pending, 'every mocked billing call was made').toEqual([]);
  });
  afterAll(() => nock.enableNetConnect());

  const customerInfo = (key: string, inner: string, code = '0') => `<CustomerInfo><Key>${key}</Key><ResultCode>${code}</ResultCode><ResultDesc>x</ResultDesc>${inner}</CustomerInfo>`;
  /** Customer 1-7QX3KD, recorded by billing in GD/GZ (soap.ts `customerXml`). */
  const GZ_CUSTOMER = customerXml({ id: '1-7QX3KD', accounts: [{ key: '3300098765' }], lines: [{ number: '13812345678', acct: '3300098765' }] });

  /** One transport (as in a process), and a context factory binding each request's viewer the way the server does. */
  function wired(staleCache?: StaleCache) {
    const { transport } = testClient();
    transports.push(transport);
    const factory = createContextFactory(
      (s) => new HttpBillingClient(transport, { requestId: s.requestId, logger, caller: callerFor(s.viewer, 'gateway'), scopeKey: s.scopeKey }),
      { now: () => NOW, ...(staleCache ? { staleCache } : {}) },
    );
    const exec = async (viewer: Viewer, query: string, requestId = 'r'): Promise<Result> => {
      const scope: RequestScope = { requestId, logger, viewer, scopeKey: scopeKeyOf(viewer), stale: [] };
      const res = await server.executeOperation({ query }, { contextValue: factory(scope) });
      if (res.body.kind !== 'single') throw new Error('expected a single result');
      return res.body.singleResult as Result;
    };
    return { transport, exec };
  }

  /** Answers customer batches, recording each request body. */
  function customerCalls(bodies: string[], times: number, answer = (key: string) => customerInfo(key, GZ_CUSTOMER), delayMs = 0) {
    nock(BILLING)
      .post(SERVICE_PATH.BatchQueryCustomerInfo)
      .times(times)
      .delay(delayMs)
      .reply((uri, body) => {
        bodies.push(String(body));
        return soapAnswer('BatchQueryCustomerInfo', valuesOf(String(body), 'ServiceNumber').map(answer).join(''))(uri, body);
      });
  }

  const header = (body: string) => ({ operator: valuesOf(body, 'OperatorID')[0], province: valuesOf(body, 'ProvinceCode')[0], region: valuesOf(body, 'RegionCode')[0] });
  const Q = '{ customerByServiceNumber(serviceNumber: "13812345678") { id } }';

  it('names the viewer as OperatorID and its region as ProvinceCode/RegionCode; the configured operator only for the unrestricted viewer', async () => {
    const bodies: string[] = [];
    customerCalls(bodies, 4);
    const { exec } = wired();
    expect((await exec(v(['agent'], 'GD', 'GZ'), Q)).data).toEqual({ customerByServiceNumber: { id: '1-7QX3KD' } });
    expect((await exec(GD_AGENT, Q)).data).toEqual({ customerByServiceNumber: { id: '1-7QX3KD' } });
    expect((await exec(HQ_ADMIN, Q)).data).toEqual({ customerByServiceNumber: { id: '1-7QX3KD' } });
    expect((await exec(UNRESTRICTED_VIEWER, Q)).data).toEqual({ customerByServiceNumber: { id: '1-7QX3KD' } });
    expect(bodies.map(header)).toEqual([
      { operator: 'agent.GZ', province: 'GD', region: 'GZ' },
      { operator: 'agent.GD', province: 'GD', region: '' },
      { operator: 'admin.hq', province: '', region: '' },
      { operator: 'gateway', province: '', region: '' },
    ]);
  });

  it('billing’s 103 for the scope we sent is null with FORBIDDEN, and so is a customer billing answers but records elsewhere', async () => {
    const bodies: string[] = [];
    customerCalls(bodies, 1, (key) => customerInfo(key, '', '103'));
    const refused = await wired().exec(SZ_AGENT, Q);
    expect(refused.data).toEqual({ customerByServiceNumber: null });
    expect(refused.errors?.[0]).toMatchObject({ message: 'The customer of service line 13812345678 is outside your scope (GD/SZ).', extensions: { code: 'FORBIDDEN', system: 'billing', serviceNumber: '13812345678' } });
    expect(header(bodies[0]!)).toEqual({ operator: 'agent.SZ', province: 'GD', region: 'SZ' });

    // A billing that forgot the scope: the customer's own ProvinceCode/RegionCode (GD/GZ) still keeps it from an SZ viewer.
    customerCalls(bodies, 1);
    const leaked = await wired().exec(SZ_AGENT, Q);
    expect(leaked.data).toEqual({ customerByServiceNumber: null });
    expect(leaked.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', customerId: '1-7QX3KD' });
  });

  it('sends markup in a key and in the operator as escaped text, never as elements (the escaping behind the format check)', async () => {
    const bodies: string[] = [];
    customerCalls(bodies, 1, (key) => customerInfo(key, '', '102'));
    const { transport } = wired();
    const INJECTION = '</ServiceNumber><CustKey>1';
    const client = new HttpBillingClient(transport, { requestId: 'r', logger, caller: callerFor(viewerFromClaims({ sub: 'a<b>&"c\'', roles: ['agent'] }), 'gateway') });
    // Straight at the client: the resolvers would never let this number through.
    // Billing reads the text back exactly (its answer's Key matches): one unknown number, nothing more.
    expect(await client.customers('ServiceNumber', [INJECTION])).toEqual([null]);
    const body = bodies[0]!;
    expect(body).toContain('<BatchQueryCustomerInfoRequest><ServiceNumber>&lt;/ServiceNumber&gt;&lt;CustKey&gt;1</ServiceNumber></BatchQueryCustomerInfoRequest>');
    expect(body).toContain('<OperatorID>a&lt;b&gt;&amp;&quot;c&apos;</OperatorID>');
    expect(valuesOf(body, 'CustKey')).toEqual([]);
  });

  it('identical reads in flight at once for GD and BJ viewers make two calls, each with its own scope; two requests of one viewer share one', async () => {
    const bodies: string[] = [];
    customerCalls(bodies, 3, (key) => customerInfo(key, GZ_CUSTOMER), 50);
    const { exec } = wired();
    const bjAgent = v(['agent'], 'BJ');
    const [gd, bjRes] = await Promise.all([exec(GD_AGENT, Q, 'gd'), exec(bjAgent, Q, 'bj')]);
    expect(gd.data).toEqual({ customerByServiceNumber: { id: '1-7QX3KD' } });
    expect(bjRes.data).toEqual({ customerByServiceNumber: null });
    expect(bjRes.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(bodies.map(header).sort((a, b) => a.province!.localeCompare(b.province!))).toEqual([
      { operator: 'agent.BJ', province: 'BJ', region: '' },
      { operator: 'agent.GD', province: 'GD', region: '' },
    ]);
    const both = await Promise.all([exec(GD_AGENT, Q, 'gd-1'), exec(GD_AGENT, Q, 'gd-2')]);
    expect(both.map((r) => r.data)).toEqual([{ customerByServiceNumber: { id: '1-7QX3KD' } }, { customerByServiceNumber: { id: '1-7QX3KD' } }]);
    expect(bodies).toHaveLength(3);
  });

  it('stale-if-error serves a viewer only what was read in its own scope: another province gets the failure, not GD’s entry', async () => {
    const cache = new StaleCache({ system: 'billing', maxEntries: 100, maxAgeSeconds: 300 });
    const { exec } = wired(cache);
    customerCalls([], 1);
    expect((await exec(GD_AGENT, Q, 'gd-1')).data).toEqual({ customerByServiceNumber: { id: '1-7QX3KD' } });
    expect(cache.size).toBe(1);

    // Billing is busy from now on (a Server fault: retryable).
    nock(BILLING).post(SERVICE_PATH.BatchQueryCustomerInfo).times(3).reply(() => soapFault('Server', '5001', 'System busy'));
    expect((await exec(GD_AGENT, Q, 'gd-2')).data).toEqual({ customerByServiceNumber: { id: '1-7QX3KD' } });
    // Had ZJ's agent been given GD's entry, our scope check would have answered FORBIDDEN; the failure shows it was not.
    for (const other of [v(['agent'], 'ZJ'), HQ_ADMIN]) {
      const res = await exec(other, Q, `other-${scopeKeyOf(other)}`);
      expect(res.data, scopeKeyOf(other)).toEqual({ customerByServiceNumber: null });
      expect(res.errors?.[0]?.extensions?.code, scopeKeyOf(other)).toBe('LEGACY_UNAVAILABLE');
    }
  });
});
