import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startBillingEmulator } from '../../../emulators/billing/index.js';
import { BillingModel } from '../../../emulators/billing/model.js';
import { GB18030_ONLY } from '../../../emulators/shared/names.js';
import { formatLocal } from '../../../emulators/shared/time.js';
import { createLogger } from '../../../lib/logger.js';
import { viewerFromClaims, type Viewer } from '../../../lib/viewer.js';
import { generateEd25519Pem, loadKey, VIEWER_HEADER, ViewerSigner } from '../../../lib/viewerToken.js';
import { BillingTransport, HttpBillingClient } from '../../../subgraphs/billing/client/BillingClient.js';
import { loadBillingConfig } from '../../../subgraphs/billing/config.js';
import { startBillingSubgraph } from '../../../subgraphs/billing/server.js';
import type { RunningSubgraph } from '../../../subgraphs/shared/server.js';
import { startTestEmulator, TEST_NOW, testWorld, type TestEmulator } from '../../helpers/emulators.js';

/**
 * The billing subgraph against the real billing emulator (in-process, clock pinned to TEST_NOW),
 * values checked against the shared world and the emulator's own billing model.
 */

const NOW = Date.parse(TEST_NOW);
const world = testWorld;
const model = new BillingModel(world);
const logger = createLogger('billing-subgraph-test', 'silent');

let emulator: TestEmulator;
let subgraph: RunningSubgraph;

/** The gateway's viewer key pair of this test: the subgraph verifies with the public half. */
const gatewayKeys = generateEd25519Pem();
const signer = new ViewerSigner(loadKey(gatewayKeys.privateKey, 'private', 'VIEWER_SIGNING_KEY'));
const HQ_ADMIN = viewerFromClaims({ sub: 'hq.admin', roles: ['admin'], region: {} });

async function query<T = Record<string, unknown>>(q: string, variables: Record<string, unknown> = {}, viewer: Viewer = HQ_ADMIN) {
  const res = await fetch(subgraph.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': 'it-billing-1', [VIEWER_HEADER]: await signer.sign(viewer) },
    body: JSON.stringify({ query: q, variables }),
  });
  return (await res.json()) as { data?: T; errors?: { message: string; path?: (string | number)[]; extensions: Record<string, unknown> }[] };
}

const fen = (n: number) => {
  const neg = n < 0;
  const d = String(Math.abs(n)).padStart(3, '0');
  return `${neg ? '-' : ''}${d.slice(0, -2)}.${d.slice(-2)}`;
};

/** The first customer index satisfying `pick`. */
function firstCustomer(pick: (i: number) => boolean): number {
  for (let i = 0; i < world.customerCount; i++) if (pick(i)) return i;
  throw new Error('no such customer in the test world');
}

beforeAll(async () => {
  emulator = await startTestEmulator('billing', startBillingEmulator);
  const config = loadBillingConfig({ BILLING_URL: emulator.url, BILLING_SUBGRAPH_PORT: '0', LOG_LEVEL: 'silent', VIEWER_VERIFY_KEY: gatewayKeys.publicKey });
  subgraph = await startBillingSubgraph(config, logger, { now: () => NOW });
});

afterAll(async () => {
  await subgraph?.close();
  await emulator?.close();
});

beforeEach(async () => {
  await emulator.reset();
  await emulator.faults({});
});

describe('billing subgraph against the billing emulator', () => {
  it('answers customerByServiceNumber with the world’s accounts, lines and balance', async () => {
    const i = firstCustomer((k) => world.accounts(k).length >= 2 && world.lines(k).length >= 2);
    const c = world.customer(i);
    const accounts = world.accounts(i);
    const lines = world.lines(i);
    const before = (await emulator.requests()).last;
    const res = await query<{ customerByServiceNumber: Record<string, any> }>(
      `query ($n: String!) { customerByServiceNumber(serviceNumber: $n) {
         id balance { amount currency }
         accounts { accountNumber type state creditLimit { amount } balances { type amount { amount } } customer { id } }
         serviceLines { serviceNumber kind productName status activatedAt imsi iccid account { accountNumber } customer { id } }
       } }`,
      { n: lines[0]!.serviceNumber },
    );
    expect(res.errors).toBeUndefined();
    const got = res.data!.customerByServiceNumber;
    expect(got.id).toBe(c.id);
    expect(got.accounts.map((a: { accountNumber: string }) => a.accountNumber)).toEqual(accounts.map((a) => a.key));
    for (const [k, a] of accounts.entries()) {
      const b = model.balances(a, NOW);
      expect(got.accounts[k]).toMatchObject({
        type: a.type,
        state: a.status.toUpperCase(),
        creditLimit: { amount: fen(a.creditLimitFen) },
        balances: b.balances.map((x) => ({ type: x.type, amount: { amount: fen(x.amount) } })),
        customer: { id: c.id },
      });
    }
    const total = accounts.reduce((s, a) => s + model.mainBalance(a, NOW), 0);
    expect(got.balance).toEqual({ amount: fen(total), currency: 'CNY' });
    expect(got.serviceLines).toHaveLength(lines.length);
    for (const [k, l] of lines.entries()) {
      const activated = l.status !== 'created' && l.status !== 'pendingActive';
      expect(got.serviceLines[k]).toEqual({
        serviceNumber: l.serviceNumber,
        kind: l.kind,
        productName: l.productName,
        status: l.status.replace(/([A-Z])/g, '_$1').toUpperCase(),
        activatedAt: activated ? formatLocal(l.activatedAt, 'yyyy-MM-ddTHH:mm:ss') + '+08:00' : null,
        imsi: l.imsi,
        iccid: l.iccid,
        account: { accountNumber: l.accountKey },
        customer: { id: c.id },
      });
    }
    // One customer read, one balance read: the rest came from loaders primed by the first answer.
    const log = await emulator.requests(before);
    expect(log.items.map((e) => e.operation)).toEqual(['BatchQueryCustomerInfo', 'BatchQueryBalance']);
    // The viewer is the operator billing records; headquarters sends no scope (empty codes: all).
    expect(log.items.every((e) => e.operator === 'hq.admin' && JSON.stringify(e.scope ?? {}) === '{}' && e.requestId === 'it-billing-1')).toBe(true);
  });

  it('answers bills, payments and arpu as billing computes them', async () => {
    const i = firstCustomer((k) =>
      world.accounts(k).some((a) => a.type === 'POSTPAID' && a.status === 'Active' && a.createdAt < Date.parse('2023-01-01')) &&
      world.lines(k).some((l) => l.status === 'active'),
    );
    const account = world.accounts(i).find((a) => a.type === 'POSTPAID' && a.status === 'Active' && a.createdAt < Date.parse('2023-01-01'))!;
    const res = await query<{ _entities: Record<string, any>[] }>(
      `query ($reps: [_Any!]!) { _entities(representations: $reps) {
         ... on BillingAccount { accountNumber bills(last: 6) { billNo period billDate dueDate amountDue { amount } remaining { amount } state }
                                 payments(first: 5) { id paidAt amount { amount } channel method } }
         ... on Customer { id arpu(months: 3) { amount } } } }`,
      { reps: [{ __typename: 'BillingAccount', accountNumber: account.key }, { __typename: 'Customer', id: world.customer(i).id }] },
    );
    expect(res.errors).toBeUndefined();
    const [acct, customer] = res.data!._entities;
    const bills = model.ledger.bills(account, NOW).slice(0, 6);
    expect(acct!.bills).toEqual(
      bills.map((b) => ({
        billNo: b.billNo,
        period: `${String(b.cycle).slice(0, 4)}-${String(b.cycle).slice(4)}`,
        billDate: formatLocal(b.billDate, 'yyyy-MM-ddTHH:mm:ss') + '+08:00',
        dueDate: formatLocal(b.dueDate, 'yyyy-MM-ddTHH:mm:ss') + '+08:00',
        amountDue: { amount: fen(b.amountDue) },
        remaining: { amount: fen(b.remaining) },
        state: b.status.replace(/([A-Z])/g, '_$1').toUpperCase(),
      })),
    );
    const payments = model.ledger.payments(account, NOW).slice(0, 5);
    expect(acct!.payments.map((p: { id: string }) => p.id)).toEqual(payments.map((p) => p.id));
    expect(acct!.payments[0].amount.amount).toBe(fen(payments[0]!.amount));

    const postpaid = world.accounts(i).filter((a) => a.type === 'POSTPAID');
    const keys = new Set(postpaid.map((a) => a.key));
    const activeLines = world.lines(i).filter((l) => l.status === 'active' && keys.has(l.accountKey)).length;
    const billed = postpaid.flatMap((a) => model.ledger.bills(a, NOW, 202608, 202610)).reduce((s, b) => s + b.amountDue, 0);
    const expected = activeLines && billed ? fen(Math.round(billed / 3 / activeLines)) : null;
    expect(customer!.arpu?.amount ?? null).toBe(expected);
  });

  it('pages usage records as a connection over QueryCDR', async () => {
    const line = world.lines(firstCustomer((k) => world.lines(k).some((l) => l.kind === 'MOBILE' && l.status === 'active' && l.activatedAt < Date.parse('2024-01-01'))))
      .find((l) => l.kind === 'MOBILE' && l.status === 'active' && l.activatedAt < Date.parse('2024-01-01'))!;
    const from = '2026-11-01T00:00:00+08:00';
    const to = '2026-11-10T23:59:59+08:00';
    const all = model.usage.query(line, Date.parse(from), Date.parse(to), NOW);
    const q = `query ($reps: [_Any!]!, $from: DateTime!, $to: DateTime!, $after: String) { _entities(representations: $reps) {
      ... on ServiceLine { usage(from: $from, to: $to, first: 7, after: $after) { edges { cursor node { startedAt type durationSeconds volumeBytes destination charge { amount } } } pageInfo { hasNextPage endCursor } } } } }`;
    const reps = [{ __typename: 'ServiceLine', serviceNumber: line.serviceNumber }];
    const first = await query<{ _entities: { usage: any }[] }>(q, { reps, from, to });
    expect(first.errors).toBeUndefined();
    const page1 = first.data!._entities[0]!.usage;
    const expected = all.page(0, 14);
    expect(page1.edges.map((e: any) => e.node.startedAt)).toEqual(expected.slice(0, 7).map((r) => formatLocal(r.at, 'yyyy-MM-ddTHH:mm:ss') + '+08:00'));
    expect(page1.edges[0].node.type).toBe(expected[0]!.type);
    expect(page1.pageInfo.hasNextPage).toBe(all.total > 7);
    const second = await query<{ _entities: { usage: any }[] }>(q, { reps, from, to, after: page1.pageInfo.endCursor });
    expect(second.data!._entities[0]!.usage.edges.map((e: any) => e.node.startedAt)).toEqual(
      expected.slice(7, 14).map((r) => formatLocal(r.at, 'yyyy-MM-ddTHH:mm:ss') + '+08:00'),
    );
  });

  it('reads 120 customers in one request with 2 BatchQueryCustomerInfo calls (100 + 20)', async () => {
    const numbers = Array.from({ length: 120 }, (_, i) => world.lines(i)[0]!.serviceNumber);
    const fields = numbers.map((n, k) => `c${k}: customerByServiceNumber(serviceNumber: "${n}") { id }`).join('\n');
    const before = (await emulator.requests()).last;
    const res = await query<Record<string, { id: string }>>(`{ ${fields} }`);
    expect(res.errors).toBeUndefined();
    expect(res.data!.c119!.id).toBe(world.customer(119).id);
    const log = await emulator.requests(before);
    expect(log.items.map((e) => [e.operation, e.keys.length])).toEqual([
      ['BatchQueryCustomerInfo', 100],
      ['BatchQueryCustomerInfo', 20],
    ]);
  });

  it('keeps at most 20 calls in flight, so billing never answers "System busy"', async () => {
    const accounts: string[] = [];
    for (let i = 0; accounts.length < 60; i++) accounts.push(...world.accounts(i).filter((a) => a.type === 'POSTPAID').map((a) => a.key));
    await emulator.faults({ latencyMs: { p50: 25, p99: 40 } });
    await fetch(`${emulator.url}/__emulator/stats`, { method: 'DELETE' });
    const res = await query<{ _entities: { bills: unknown[] | null }[] }>(
      `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on BillingAccount { bills(last: 1) { period } } } }`,
      { reps: accounts.map((accountNumber) => ({ __typename: 'BillingAccount', accountNumber })) },
    );
    expect(res.errors).toBeUndefined();
    const stats = await emulator.stats();
    expect(stats.operations.QueryBillList).toBe(60);
    expect(stats.concurrency.peak).toBeLessThanOrEqual(20);
    expect(stats.concurrency.peak).toBeGreaterThan(1);
  });

  it('decodes a GB18030-only character in a name billing labels GBK', async () => {
    // Regression: billing stores GB18030 behind the GBK label; a strict GBK decoder garbles these names.
    const i = firstCustomer((k) => [...world.customer(k).name].some((ch) => GB18030_ONLY.includes(ch)));
    const transport = new BillingTransport({
      baseUrl: emulator.url, user: 'gateway', password: 'gateway-dev', timeoutMs: 5000, connectTimeoutMs: 1000,
      maxInFlight: 20, maxQueue: 100, customerBatchSize: 100, balanceBatchSize: 50, pageSize: 200, logger,
    });
    try {
      const client = new HttpBillingClient(transport, { requestId: 'it', logger, caller: { operatorId: 'gateway', provinceCode: '', regionCode: '' } });
      const [found] = await client.customers('CrmCustId', [world.customer(i).id]);
      expect(found).toMatchObject({ id: world.customer(i).id, name: world.customer(i).name });
    } finally {
      transport.close();
    }
  });

  it('refuses an answer whose bytes do not match its declared charset (charsetMismatch)', async () => {
    await emulator.faults({ charsetMismatch: true });
    const res = await query<{ customerByServiceNumber: unknown }>(`{ customerByServiceNumber(serviceNumber: "${world.lines(3)[0]!.serviceNumber}") { id } }`);
    expect(res.data!.customerByServiceNumber).toBeNull();
    expect(res.errors![0]!.extensions).toMatchObject({ code: 'LEGACY_BAD_RESPONSE', system: 'billing', retryable: false });
  });

  it('nulls only the balance fields during the bill run, with retryAfterSeconds', async () => {
    await emulator.faults({ window: 'billRun' });
    const res = await query<{ customerByServiceNumber: { id: string; balance: unknown; serviceLines: unknown[] } }>(
      `{ customerByServiceNumber(serviceNumber: "${world.lines(5)[0]!.serviceNumber}") { id balance { amount } serviceLines { serviceNumber } } }`,
    );
    expect(res.data!.customerByServiceNumber).toMatchObject({ id: world.customer(5).id, balance: null });
    expect(res.data!.customerByServiceNumber.serviceLines.length).toBe(world.lines(5).length);
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]).toMatchObject({ path: ['customerByServiceNumber', 'balance'], extensions: { code: 'LEGACY_UNAVAILABLE', system: 'billing', retryable: true, retryAfterSeconds: 300 } });
  });

  it('answers null for a service number billing does not know, with no error', async () => {
    const res = await query(`{ customerByServiceNumber(serviceNumber: "13000000000") { id } }`);
    expect(res).toEqual({ data: { customerByServiceNumber: null } });
  });

  it('sends a regional viewer’s scope and login to billing: its own customers resolve, another province’s are null with FORBIDDEN (billing’s 103)', async () => {
    const inGd = firstCustomer((k) => world.customer(k).province === 'GD');
    const elsewhere = firstCustomer((k) => world.customer(k).province !== 'GD');
    const gdAgent = viewerFromClaims({ sub: 'gd.agent.0042', roles: ['agent'], region: { province: 'GD' } });
    const before = (await emulator.requests()).last;
    const res = await query<{ a: { id: string } | null; b: { id: string } | null }>(
      'query($a: String!, $b: String!) { a: customerByServiceNumber(serviceNumber: $a) { id } b: customerByServiceNumber(serviceNumber: $b) { id } }',
      { a: world.lines(inGd)[0]!.serviceNumber, b: world.lines(elsewhere)[0]!.serviceNumber },
      gdAgent,
    );
    expect(res.data).toEqual({ a: { id: world.customer(inGd).id }, b: null });
    expect(res.errors?.map((e) => [e.path, e.extensions.code, e.extensions.serviceNumber])).toEqual([[['b'], 'FORBIDDEN', world.lines(elsewhere)[0]!.serviceNumber]]);
    const log = await emulator.requests(before);
    expect(log.items.map((e) => [e.operation, e.operator, e.scope])).toEqual([['BatchQueryCustomerInfo', 'gd.agent.0042', { province: 'GD' }]]);
  });
});
