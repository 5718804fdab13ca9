import { ApolloServer } from '@apollo/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProductError } from '../../../lib/errors.js';
import { createLogger } from '../../../lib/logger.js';
import type { FakeBillingClient } from '../../../subgraphs/billing/client/FakeBillingClient.js';
import type { Context } from '../../../subgraphs/billing/context.js';
import { createLoaders } from '../../../subgraphs/billing/loaders.js';
import { buildBillingSchema } from '../../../subgraphs/billing/server.js';
import { UNRESTRICTED_VIEWER } from '../../../subgraphs/shared/auth.js';
import { formatSubgraphError } from '../../../subgraphs/shared/server.js';
import { accountNumber, billsFor, callsOn, customerId, fakeBilling, makeCustomer, NOW, paymentsFor, serviceNumber } from './fixtures.js';

/**
 * The billing resolvers over the fake client, served as the subgraph serves them (Apollo Server,
 * the subgraph schema, the shared error formatting), counting the legacy calls each query makes.
 */

const logger = createLogger('billing-resolvers-test', 'silent');
let server: ApolloServer<Context>;

beforeAll(async () => {
  server = new ApolloServer<Context>({
    schema: buildBillingSchema(),
    formatError: formatSubgraphError('billing', logger),
  });
  await server.start();
});

afterAll(async () => {
  await server.stop();
});

interface Result {
  data?: Record<string, any> | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

async function run(fake: FakeBillingClient, query: string, variables: Record<string, unknown> = {}): Promise<Result> {
  const res = await server.executeOperation(
    { query, variables },
    { contextValue: { requestId: 'test', logger, viewer: UNRESTRICTED_VIEWER, loaders: createLoaders(fake, { now: () => NOW }) } },
  );
  if (res.body.kind !== 'single') throw new Error('expected a single result');
  return res.body.singleResult as Result;
}

/** Customers 0–199: accounts and lines of 1–3 each, postpaid first. */
const customers = Array.from({ length: 200 }, (_, n) =>
  makeCustomer(n, {
    accounts: (['POSTPAID', 'PREPAID', 'POSTPAID'] as const).slice(0, 1 + (n % 3)),
    lines: Array.from({ length: 1 + (n % 3) }, (_, k) => ({ acct: k })),
    ...(n === 11 ? { parent: accountNumber(10, 0) } : {}),
  }),
);

describe('Query.customerByServiceNumber', () => {
  it('answers the customer with its accounts, lines and balance', async () => {
    const fake = fakeBilling(customers);
    const res = await run(
      fake,
      `{ customerByServiceNumber(serviceNumber: "${serviceNumber(2, 1)}") {
          id balance { amount currency }
          accounts { accountNumber type state creditLimit { amount } balances { type amount { amount currency } } parent { accountNumber } customer { id } serviceLines { serviceNumber } }
          serviceLines { serviceNumber kind productName status activatedAt imsi iccid account { accountNumber type } customer { id } }
       } }`,
    );
    expect(res.errors).toBeUndefined();
    const c = res.data!.customerByServiceNumber;
    expect(c.id).toBe(customerId(2));
    // MAIN: −200 (postpaid), +2001 (prepaid), −202 (postpaid) fen.
    expect(c.balance).toEqual({ amount: '15.99', currency: 'CNY' });
    expect(c.accounts[1]).toEqual({
      accountNumber: accountNumber(2, 1),
      type: 'PREPAID',
      state: 'ACTIVE',
      creditLimit: { amount: '0.00' },
      balances: [{ type: 'MAIN', amount: { amount: '20.01', currency: 'CNY' } }],
      parent: null,
      customer: { id: customerId(2) },
      serviceLines: [{ serviceNumber: serviceNumber(2, 1) }],
    });
    expect(c.serviceLines[0]).toEqual({
      serviceNumber: serviceNumber(2, 0),
      kind: 'MOBILE',
      productName: '全球通 128 元套餐',
      status: 'ACTIVE',
      activatedAt: '2012-10-06T02:24:26+08:00',
      imsi: customers[2]!.serviceLines[0]!.imsi,
      iccid: customers[2]!.serviceLines[0]!.iccid,
      account: { accountNumber: accountNumber(2, 0), type: 'POSTPAID' },
      customer: { id: customerId(2) },
    });
    // One customer read and one balance read: accounts, lines, customers came from primed loaders.
    expect(fake.calls.map((x) => x.method)).toEqual(['customers', 'balances']);
  });

  it('answers null with no error for a number billing does not know', async () => {
    const res = await run(fakeBilling(customers), `{ customerByServiceNumber(serviceNumber: "13000000000") { id } }`);
    expect(res).toEqual({ data: { customerByServiceNumber: null } });
  });

  it('refuses a malformed service number with BAD_USER_INPUT naming the format, without asking billing', async () => {
    const fake = fakeBilling(customers);
    const res = await run(fake, `{ customerByServiceNumber(serviceNumber: "12") { id } }`);
    expect(res.data!.customerByServiceNumber).toBeNull();
    expect(res.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', system: 'billing', argument: 'serviceNumber' });
    expect(res.errors![0]!.message).toMatch(/GD-SZ-MSTP-04-00123/);
    expect(fake.calls).toEqual([]);
  });

  it('reads 120 different numbers in one request with 2 BatchQueryCustomerInfo calls (100 + 20)', async () => {
    const fake = fakeBilling(customers);
    const fields = Array.from({ length: 120 }, (_, n) => `c${n}: customerByServiceNumber(serviceNumber: "${serviceNumber(n, 0)}") { id }`).join('\n');
    const res = await run(fake, `{ ${fields} }`);
    expect(res.errors).toBeUndefined();
    expect(res.data!.c119).toEqual({ id: customerId(119) });
    expect(fake.callsOf('customers').map((x) => x.keys.length)).toEqual([100, 20]);
  });

  it('answers FORBIDDEN for a customer outside the caller’s scope (ResultCode 103)', async () => {
    const fake = fakeBilling(customers);
    fake.keyFailures.set(serviceNumber(5, 0), new ProductError('FORBIDDEN', 'billing', 'outside scope'));
    const res = await run(fake, `{ customerByServiceNumber(serviceNumber: "${serviceNumber(5, 0)}") { id } }`);
    expect(res.data!.customerByServiceNumber).toBeNull();
    expect(res.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN', system: 'billing', retryable: false });
  });
});

describe('Customer', () => {
  it('resolves 30 Customer representations with 1 BatchQueryCustomerInfo call', async () => {
    const fake = fakeBilling(customers);
    const reps = Array.from({ length: 30 }, (_, n) => ({ __typename: 'Customer', id: customerId(n) }));
    const res = await run(fake, `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Customer { id serviceLines { serviceNumber } } } }`, { reps });
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities).toHaveLength(30);
    expect(res.data!._entities[29].serviceLines).toHaveLength(1 + (29 % 3));
    expect(fake.callsOf('customers')).toEqual([{ method: 'customers', kind: 'CrmCustId', keys: reps.map((r) => r.id) }]);
  });

  it('answers the balance of 50 customers (1–3 accounts each) with ceil(accounts / 50) BatchQueryBalance calls', async () => {
    const fake = fakeBilling(customers);
    const reps = Array.from({ length: 50 }, (_, n) => ({ __typename: 'Customer', id: customerId(n) }));
    const accounts = customers.slice(0, 50).reduce((s, c) => s + c.accounts.length, 0);
    const res = await run(fake, `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Customer { id balance { amount } } } }`, { reps });
    expect(res.errors).toBeUndefined();
    expect(accounts).toBe(99);
    expect(fake.callsOf('balances').map((x) => x.keys.length)).toEqual([50, 49]);
    expect(fake.count('customers')).toBe(1);
    expect(res.data!._entities[1].balance).toEqual({ amount: '9.01' }); // −100 + 1001 fen
  });

  it('resolves an unknown or malformed customer id to null, without error (no billing record)', async () => {
    const fake = fakeBilling(customers);
    const res = await run(fake, `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Customer { id accounts { accountNumber } } } }`, {
      reps: [
        { __typename: 'Customer', id: '1-ZZZZZZ' },
        { __typename: 'Customer', id: 'not-an-id' },
      ],
    });
    expect(res).toEqual({ data: { _entities: [null, null] } });
    expect(fake.callsOf('customers')).toEqual([{ method: 'customers', kind: 'CrmCustId', keys: ['1-ZZZZZZ'] }]);
  });

  it('nulls only the balance when billing cannot answer it, and says when to retry', async () => {
    const fake = fakeBilling(customers);
    fake.failures.balances = new ProductError('LEGACY_UNAVAILABLE', 'billing', 'bill run', { retryAfterSeconds: 300 });
    const res = await run(fake, `{ customerByServiceNumber(serviceNumber: "${serviceNumber(1, 0)}") { id balance { amount } accounts { accountNumber } } }`);
    expect(res.data!.customerByServiceNumber).toEqual({ id: customerId(1), balance: null, accounts: [{ accountNumber: accountNumber(1, 0) }, { accountNumber: accountNumber(1, 1) }] });
    expect(res.errors).toEqual([
      expect.objectContaining({ path: ['customerByServiceNumber', 'balance'], extensions: { code: 'LEGACY_UNAVAILABLE', system: 'billing', retryable: true, retryAfterSeconds: 300 } }),
    ]);
  });

  describe('arpu', () => {
    // Customer 500: two postpaid accounts billed 128.00 and 50.00 a month, a prepaid one; three
    // active lines on the postpaid accounts, a suspended one, and an active prepaid line.
    const c = makeCustomer(500, {
      accounts: ['POSTPAID', 'POSTPAID', 'PREPAID'],
      lines: [{ acct: 0 }, { acct: 0 }, { acct: 1 }, { acct: 1, status: 'SUSPENDED' }, { acct: 2 }],
    });
    const bills = { [accountNumber(500, 0)]: billsFor(accountNumber(500, 0), 12_800), [accountNumber(500, 1)]: billsFor(accountNumber(500, 1), 5_000, 202609) };
    const arpu = (months: number) => `{ customerByServiceNumber(serviceNumber: "${serviceNumber(500, 0)}") { arpu(months: ${months}) { amount currency } } }`;

    it('divides what the postpaid accounts were billed over the last N cycles by N and by their active lines', async () => {
      const fake = fakeBilling([c], { bills });
      const res = await run(fake, arpu(3));
      // (3 × 128.00 + 2 × 50.00) ÷ 3 cycles ÷ 3 active postpaid lines = 53.777… → 53.78
      expect(res).toEqual({ data: { customerByServiceNumber: { arpu: { amount: '53.78', currency: 'CNY' } } } });
      expect(fake.callsOf('bills').map((x) => x.options)).toEqual([
        { from: '2026-08', to: '2026-10' },
        { from: '2026-08', to: '2026-10' },
      ]);
    });

    it('is null for a customer without postpaid bills', async () => {
      const prepaid = makeCustomer(501, { accounts: ['PREPAID'] });
      const res = await run(fakeBilling([prepaid]), `{ customerByServiceNumber(serviceNumber: "${serviceNumber(501, 0)}") { arpu { amount } } }`);
      expect(res).toEqual({ data: { customerByServiceNumber: { arpu: null } } });
    });

    it('is null for a customer without active postpaid lines, and asks billing nothing', async () => {
      const idle = makeCustomer(502, { lines: [{ acct: 0, status: 'SUSPENDED' }] });
      const fake = fakeBilling([idle], { bills: { [accountNumber(502, 0)]: billsFor(accountNumber(502, 0), 100) } });
      const res = await run(fake, `{ customerByServiceNumber(serviceNumber: "${serviceNumber(502, 0)}") { arpu { amount } } }`);
      expect(res).toEqual({ data: { customerByServiceNumber: { arpu: null } } });
      expect(fake.count('bills')).toBe(0);
    });

    it('refuses months outside 1 to 36 with BAD_USER_INPUT', async () => {
      for (const months of [0, 37]) {
        const res = await run(fakeBilling([c], { bills }), arpu(months));
        expect(res.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'months' });
      }
    });
  });
});

describe('BillingAccount', () => {
  const acct = accountNumber(0, 0);
  const extra = { bills: { [acct]: billsFor(acct, 12_800) }, payments: { [acct]: paymentsFor(acct, 20) } };

  it('answers bills of the last N cycles and payments of the last 12 months, newest first', async () => {
    const fake = fakeBilling(customers, extra);
    const res = await run(
      fake,
      `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on BillingAccount {
         accountNumber bills(last: 2) { billNo period billDate dueDate amountDue { amount } remaining { amount } state }
         payments(first: 3) { id paidAt amount { amount } channel method } } } }`,
      { reps: [{ __typename: 'BillingAccount', accountNumber: acct }] },
    );
    expect(res.errors).toBeUndefined();
    const a = res.data!._entities[0];
    expect(a.bills).toEqual([
      { billNo: `202610${acct}`, period: '2026-10', billDate: '2026-11-01T00:00:00+08:00', dueDate: '2026-11-20T23:59:59+08:00', amountDue: { amount: '128.00' }, remaining: { amount: '0.00' }, state: 'SETTLED' },
      { billNo: `202609${acct}`, period: '2026-09', billDate: '2026-10-01T00:00:00+08:00', dueDate: '2026-10-20T23:59:59+08:00', amountDue: { amount: '128.00' }, remaining: { amount: '0.00' }, state: 'SETTLED' },
    ]);
    expect(a.payments.map((p: { paidAt: string }) => p.paidAt)).toEqual(['2026-10-11T11:34:53+08:00', '2026-09-11T11:34:53+08:00', '2026-08-11T11:34:53+08:00']);
    expect(fake.callsOf('bills')[0]!.options).toEqual({ from: '2026-09', to: '2026-10' });
  });

  it('reads the same account asked through two paths (and with PRE-) once', async () => {
    const fake = fakeBilling(customers, extra);
    const prepaid = accountNumber(1, 1);
    const res = await run(
      fake,
      `query ($reps: [_Any!]!) {
         _entities(representations: $reps) { ... on BillingAccount { accountNumber balances { type } bills { period } } }
         customerByServiceNumber(serviceNumber: "${serviceNumber(1, 1)}") {
           accounts { accountNumber creditLimit { amount } }
           serviceLines { account { accountNumber balances { type } } } } }`,
      {
        reps: [
          { __typename: 'BillingAccount', accountNumber: `PRE-${prepaid}` },
          { __typename: 'BillingAccount', accountNumber: prepaid },
        ],
      },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities.map((e: { accountNumber: string }) => e.accountNumber)).toEqual([prepaid, prepaid]);
    expect(fake.callsOf('balances')).toEqual([{ method: 'balances', keys: [accountNumber(1, 0), prepaid] }]);
    // legacy-contracts §1: prepaid accounts have no bills, so billing is not asked for them.
    expect(res.data!._entities.map((e: { bills: unknown[] }) => e.bills)).toEqual([[], []]);
    expect(fake.callsOf('bills')).toHaveLength(0);
    expect(fake.count('customers')).toBe(2); // by AcctKey and by ServiceNumber, in parallel in the same tick
  });

  it('resolves the group parent account of another customer', async () => {
    const res = await run(fakeBilling(customers), `{ customerByServiceNumber(serviceNumber: "${serviceNumber(11, 0)}") { accounts { parent { accountNumber customer { id } } } } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data!.customerByServiceNumber.accounts[0].parent).toEqual({ accountNumber: accountNumber(10, 0), customer: { id: customerId(10) } });
  });

  it('answers NOT_FOUND for an account reference billing does not know, and never sends a malformed one', async () => {
    const fake = fakeBilling(customers);
    const res = await run(fake, `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on BillingAccount { accountNumber } } }`, {
      reps: [
        { __typename: 'BillingAccount', accountNumber: '3399999999' },
        { __typename: 'BillingAccount', accountNumber: 'x' },
      ],
    });
    expect(res.errors!.map((e) => e.extensions!.code)).toEqual(['NOT_FOUND', 'NOT_FOUND']);
    expect(fake.callsOf('customers')).toEqual([{ method: 'customers', kind: 'AcctKey', keys: ['3399999999'] }]);
  });

  it('refuses bills(last) over 36 and payments(first) over 100 with BAD_USER_INPUT naming the maximum', async () => {
    const fake = fakeBilling(customers, extra);
    const res = await run(
      fake,
      `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on BillingAccount { bills(last: 37) { period } payments(first: 101) { id } } } }`,
      { reps: [{ __typename: 'BillingAccount', accountNumber: acct }] },
    );
    expect(res.errors!.map((e) => [e.extensions!.code, e.extensions!.argument])).toEqual([
      ['BAD_USER_INPUT', 'last'],
      ['BAD_USER_INPUT', 'first'],
    ]);
    expect(res.errors![0]!.message).toMatch(/36/);
    expect(res.errors![1]!.message).toMatch(/100/);
    expect(fake.count('bills') + fake.count('payments')).toBe(0);
  });
});

describe('ServiceLine', () => {
  const line = serviceNumber(0, 0);
  const usage = `query ($reps: [_Any!]!, $from: DateTime!, $to: DateTime!, $first: Int, $after: String) { _entities(representations: $reps) { ... on ServiceLine {
      usage(from: $from, to: $to, first: $first, after: $after) { edges { cursor node { startedAt type durationSeconds volumeBytes destination charge { amount } } } pageInfo { hasNextPage endCursor } } } } }`;
  const reps = [{ __typename: 'ServiceLine', serviceNumber: line }];
  const from = '2026-11-01T00:00:00+08:00';
  const to = '2026-11-01T23:59:59+08:00';

  it('resolves a line reference and its customer with one BatchQueryCustomerInfo call', async () => {
    const fake = fakeBilling(customers);
    const res = await run(fake, `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on ServiceLine { serviceNumber kind customer { id accounts { accountNumber } } account { accountNumber } } } }`, {
      reps: [
        { __typename: 'ServiceLine', serviceNumber: serviceNumber(4, 1) },
        { __typename: 'ServiceLine', serviceNumber: serviceNumber(4, 0) },
      ],
    });
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities[0]).toEqual({ serviceNumber: serviceNumber(4, 1), kind: 'MOBILE', customer: { id: customerId(4), accounts: [{ accountNumber: accountNumber(4, 0) }, { accountNumber: accountNumber(4, 1) }] }, account: { accountNumber: accountNumber(4, 1) } });
    expect(fake.count('customers')).toBe(1);
  });

  it('answers NOT_FOUND for a line billing does not know (billing is the truth for lines)', async () => {
    const res = await run(fakeBilling(customers), `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on ServiceLine { kind } } }`, {
      reps: [{ __typename: 'ServiceLine', serviceNumber: '13000000000' }],
    });
    expect(res.errors![0]!.extensions).toMatchObject({ code: 'NOT_FOUND', system: 'billing' });
  });

  it('pages usage as a Relay connection with first/after over billing’s row paging', async () => {
    const fake = fakeBilling(customers, { usage: { [line]: callsOn(12) } });
    const first = await run(fake, usage, { reps, from, to, first: 5 });
    expect(first.errors).toBeUndefined();
    const page1 = first.data!._entities[0].usage;
    expect(page1.edges).toHaveLength(5);
    expect(page1.edges[0].node).toEqual({ startedAt: '2026-11-01T08:00:00+08:00', type: 'VOICE', durationSeconds: 60, volumeBytes: null, destination: '15277806141', charge: { amount: '0.00' } });
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const last = await run(fake, usage, { reps, from, to, first: 5, after: Buffer.from('o:9').toString('base64url') });
    const page3 = last.data!._entities[0].usage;
    expect(page3.edges.map((e: { node: { startedAt: string } }) => e.node.startedAt)).toEqual(['2026-11-01T08:10:00+08:00', '2026-11-01T08:11:00+08:00']);
    expect(page3.pageInfo).toEqual({ hasNextPage: false, endCursor: Buffer.from('o:11').toString('base64url') });
    expect(fake.callsOf('usage').map((x) => x.options)).toEqual([
      { from: Date.parse(from), to: Date.parse(to), offset: 0, count: 5 },
      { from: Date.parse(from), to: Date.parse(to), offset: 10, count: 5 },
    ]);
  });

  it('refuses to before from, a range over 180 days and first over 100 with BAD_USER_INPUT, never asking billing', async () => {
    const fake = fakeBilling(customers, { usage: { [line]: callsOn(3) } });
    const cases: [Record<string, unknown>, string][] = [
      [{ from: to, to: from }, 'to'],
      [{ from: '2026-01-01T00:00:00+08:00', to: '2026-07-01T00:00:01+08:00' }, 'to'],
      [{ from, to, first: 101 }, 'first'],
      [{ from, to, after: 'bogus' }, 'after'],
    ];
    for (const [vars, argument] of cases) {
      const res = await run(fake, usage, { reps, ...vars });
      expect(res.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', system: 'billing', argument });
    }
    expect(fake.count('usage')).toBe(0);
  });
});
