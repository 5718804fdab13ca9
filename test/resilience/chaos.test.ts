import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_NETWORKS } from '../../emulators/shared/regions.js';
import { TEST_NOW, testWorld as world } from '../helpers/emulators.js';
import { startStack, type Stack } from '../helpers/stack.js';

/**
 * Issue 5, "Legacy failures degrade fields, never the answer": each legacy failure mode of
 * legacy-contracts.md, set on the emulators, through the gateway. The CRM-rooted answer keeps the
 * CRM fields complete and equal to the world; the failing system's fields are null with the
 * design.md code and `system`; the healthy systems' fields stay intact.
 *
 * Every test reads customers no earlier test read (a local network of its own), so that the
 * stale-if-error caches have nothing to answer with — except the test that is about them.
 * Maintenance windows are left alone for as long as the system says, so those tests come last.
 */

const NOW = Date.parse(TEST_NOW);
let unhandled = 0;
const onUnhandled = () => void unhandled++;

let stack: Stack;

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  stack = await startStack({
    // Short budgets keep the hang tests fast; a short open breaker lets each test start closed.
    BILLING_BUDGET_MS: '1200',
    NETWORK_BUDGET_MS: '1200',
    BILLING_BREAKER_HALF_OPEN_AFTER_MS: '200',
    NETWORK_BREAKER_HALF_OPEN_AFTER_MS: '200',
    CUSTOMER_SERVICE_BREAKER_HALF_OPEN_AFTER_MS: '200',
  });
}, 60_000);

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await stack?.close();
});

beforeEach(async () => {
  await Promise.all([stack.emulators.crm, stack.emulators.billing, stack.emulators.network].map((e) => e.faults({})));
  // Past any breaker the previous test opened; the next call is its half-open probe.
  await new Promise((r) => setTimeout(r, 250));
  await stack.query(`query($id: ID!) { customer(id: $id) { id serviceLines { serviceNumber networkStatus { affected } } } }`, { id: world.customerId(0) });
});

// The first local network holds customer 0, which beforeEach reads.
let nextRegion = 1;
/** A local network no other test has read yet. */
function freshRegion(): { province: string; localNetwork: string } {
  const ln = LOCAL_NETWORKS[nextRegion++];
  if (!ln) throw new Error('out of fresh local networks: reuse a region within a test');
  return { province: ln.province, localNetwork: ln.code };
}

const NODE = `id name kind segment region { province localNetwork }
  balance { amount }
  serviceLines { serviceNumber networkStatus { operState adminState affected } }`;

async function regionPage(region: { province: string; localNetwork: string }) {
  const res = await stack.query(`query($p: String, $l: String) { customers(filter: {province: $p, localNetwork: $l}, first: 10) { edges { node { ${NODE} } } } }`, {
    p: region.province,
    l: region.localNetwork,
  });
  const range = world.customersIn(region.province, region.localNetwork)!;
  const nodes: any[] = res.data!.customers.edges.map((e: any) => e.node);
  expect(nodes.length).toBe(10);
  // The CRM's fields: complete and equal to the world.
  nodes.forEach((n, k) => {
    const w = world.customer(range.at(k));
    expect(n).toMatchObject({ id: w.id, name: w.name, kind: w.kind, segment: w.segment.toUpperCase(), region: { province: w.province, localNetwork: w.localNetwork } });
  });
  return { res, nodes, indices: nodes.map((_, k) => range.at(k)) };
}

function errorsOf(res: { errors?: any[] }, system: string) {
  return (res.errors ?? []).filter((e) => e.extensions?.system === system);
}

function expectNetworkIntact(line: any) {
  const w = world.line(line.serviceNumber)!;
  const state = world.lineNetworkState(w, NOW);
  expect(line.networkStatus).toEqual({ operState: state.operState, adminState: state.adminState, affected: state.affected });
}

/** Billing fails: its fields null with `codes`; the network fields of lines that did resolve intact. */
async function billingFails(codes: string[], mustFail: boolean, region = freshRegion()) {
  const { res, nodes, indices } = await regionPage(region);
  const errs = errorsOf(res, 'billing');
  for (const e of res.errors ?? []) expect(e.extensions.system).toBe('billing');
  for (const e of errs) expect(codes).toContain(e.extensions.code);
  if (mustFail) {
    expect(errs.length).toBeGreaterThan(0);
    for (const n of nodes) expect(n.serviceLines).toBeNull();
  }
  nodes.forEach((n, k) => {
    if (n.serviceLines === null || n.balance === null) expect(errs.length).toBeGreaterThan(0);
    if (n.serviceLines === null) return;
    expect(n.serviceLines.map((l: any) => l.serviceNumber)).toEqual(world.lines(indices[k]!).map((l) => l.serviceNumber));
    for (const l of n.serviceLines) expectNetworkIntact(l);
  });
  return res;
}

/** The NMS fails: network fields null with `codes`; CRM and billing fields intact. */
async function networkFails(codes: string[], region = freshRegion()) {
  const { res, nodes, indices } = await regionPage(region);
  const errs = errorsOf(res, 'network');
  expect(errs.length).toBeGreaterThan(0);
  for (const e of res.errors ?? []) expect(e.extensions.system).toBe('network');
  for (const e of errs) expect(codes).toContain(e.extensions.code);
  nodes.forEach((n, k) => {
    expect(n.balance).not.toBeNull();
    expect(n.serviceLines.map((l: any) => l.serviceNumber)).toEqual(world.lines(indices[k]!).map((l) => l.serviceNumber));
    for (const l of n.serviceLines) expect(l.networkStatus).toBeNull();
  });
}

let nextLineCustomer = 2_000;
/** A line of a customer no other test has read. */
function freshLine() {
  while (world.lines(nextLineCustomer).length === 0) nextLineCustomer++;
  const i = nextLineCustomer++;
  return { i, line: world.lines(i)[0]! };
}

/** The CRM fails: a billing-rooted answer keeps billing's fields; the CRM's are null with `codes`. */
async function crmFails(codes: string[]) {
  const { i, line } = freshLine();
  const res = await stack.query(`query($n: String!) { customerByServiceNumber(serviceNumber: $n) { id name region { province } balance { amount } serviceLines { serviceNumber } } }`, {
    n: line.serviceNumber,
  });
  const c = res.data!.customerByServiceNumber;
  expect(c.id).toBe(world.customerId(i));
  expect(c.balance).not.toBeNull();
  expect(c.serviceLines.map((l: any) => l.serviceNumber)).toEqual(world.lines(i).map((l) => l.serviceNumber));
  expect(c.name).toBeNull();
  const errs = errorsOf(res, 'customer-service');
  expect(errs.length).toBeGreaterThan(0);
  for (const e of res.errors ?? []) expect(e.extensions.system).toBe('customer-service');
  for (const e of errs) expect(codes).toContain(e.extensions.code);
}

describe('billing failures degrade billing fields only', () => {
  it('down: LEGACY_UNAVAILABLE', async () => {
    await stack.emulators.billing.faults({ down: true });
    const res = await billingFails(['LEGACY_UNAVAILABLE'], true);
    for (const e of errorsOf(res, 'billing')) expect(e.extensions.retryable).toBe(true);
  });

  it('hang: LEGACY_TIMEOUT within BILLING_BUDGET_MS, all attempts together', async () => {
    await stack.emulators.billing.faults({ hangRate: 1 });
    const started = Date.now();
    await billingFails(['LEGACY_TIMEOUT', 'LEGACY_UNAVAILABLE'], true);
    expect(Date.now() - started).toBeLessThan(6_000);
  });

  it('50 % errors: retried reads mostly succeed; what fails is LEGACY_UNAVAILABLE', async () => {
    await stack.emulators.billing.faults({ errorRate: 0.5 });
    await billingFails(['LEGACY_UNAVAILABLE'], false);
  });

  it('malformed answers: LEGACY_BAD_RESPONSE, not retried', async () => {
    await stack.emulators.billing.faults({ malformedRate: 1 });
    await billingFails(['LEGACY_BAD_RESPONSE'], true);
  });

  it('charset mismatch: LEGACY_BAD_RESPONSE where it shows', async () => {
    await stack.emulators.billing.faults({ charsetMismatch: true });
    await billingFails(['LEGACY_BAD_RESPONSE'], false);
  });

  it('concurrency overload ("System busy" beyond 1 in flight): retried, and what fails is LEGACY_UNAVAILABLE', async () => {
    await stack.emulators.billing.faults({ maxConcurrency: 1, latencyMs: { p50: 200, p99: 200 } });
    // Three requests at once (each with its own loaders) over the same customers.
    const region = freshRegion();
    await Promise.all([0, 1, 2].map(() => billingFails(['LEGACY_UNAVAILABLE'], false, region)));
  });
});

describe('the billing circuit breaker', () => {
  it('opens after repeated failures: answers at once with retryAfterSeconds, and /health/ready says billing is down (still 200)', async () => {
    await stack.emulators.billing.faults({ down: true });
    const q = `query($id: ID!) { customer(id: $id) { id name serviceLines { serviceNumber } } }`;
    // Each query costs billing 3 failed attempts (2 retries); BILLING_BREAKER_THRESHOLD is 5.
    for (let k = 0; k < 2; k++) await stack.query(q, { id: world.customerId(freshLine().i) });
    // The breaker half-opens after 200 ms (so later tests start closed); on a busy machine a query
    // can arrive after that and spend itself on the failing probe. Ask again until one is refused
    // by the open circuit — each probe that fails reopens it at once.
    let opened = false;
    for (let attempt = 0; attempt < 5 && !opened; attempt++) {
      const { i } = freshLine();
      const res = await stack.query(q, { id: world.customerId(i) });
      expect(res.data!.customer.name).toBe(world.customer(i).name);
      const errs = errorsOf(res, 'billing');
      expect(errs.length).toBeGreaterThan(0);
      for (const e of errs) expect(e.extensions).toMatchObject({ code: 'LEGACY_UNAVAILABLE', retryable: true });
      opened = errs.some((e) => /circuit open/.test(e.message) && e.extensions.retryAfterSeconds >= 1);
    }
    expect(opened).toBe(true);
    const ready = await fetch(`${stack.gatewayUrl}/health/ready`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as any;
    expect(body.systems.billing).toMatchObject({ lastError: { code: 'LEGACY_UNAVAILABLE' } });
    // Open, or already half-open again for its next probe when the machine is slow.
    expect(['open', 'halfOpen']).toContain(body.systems.billing.breaker);
    expect(['down', 'degraded']).toContain(body.systems.billing.state);
    expect(body.systems.network).toMatchObject({ state: 'up', breaker: 'closed' });
  });
});

describe('network failures degrade network fields only', () => {
  it('down: LEGACY_UNAVAILABLE', async () => {
    await stack.emulators.network.faults({ down: true });
    await networkFails(['LEGACY_UNAVAILABLE']);
  });

  it('hang: LEGACY_TIMEOUT within NETWORK_BUDGET_MS', async () => {
    await stack.emulators.network.faults({ hangRate: 1 });
    await networkFails(['LEGACY_TIMEOUT', 'LEGACY_UNAVAILABLE']);
  });

  it('50 % errors (502 from the proxy): retried; what fails is LEGACY_UNAVAILABLE', async () => {
    await stack.emulators.network.faults({ errorRate: 0.5 });
    const { res, nodes } = await regionPage(freshRegion());
    for (const e of res.errors ?? []) expect(e.extensions).toMatchObject({ system: 'network', code: 'LEGACY_UNAVAILABLE' });
    for (const n of nodes) for (const l of n.serviceLines) if (l.networkStatus !== null) expectNetworkIntact(l);
  });

  it('malformed answers: LEGACY_BAD_RESPONSE', async () => {
    await stack.emulators.network.faults({ malformedRate: 1 });
    await networkFails(['LEGACY_BAD_RESPONSE']);
  });
});

describe('CRM failures degrade CRM fields only', () => {
  it('down: a billing-rooted answer keeps billing fields; CRM fields LEGACY_UNAVAILABLE', async () => {
    await stack.emulators.crm.faults({ down: true });
    await crmFails(['LEGACY_UNAVAILABLE']);
  });

  it('malformed answers: LEGACY_BAD_RESPONSE', async () => {
    await stack.emulators.crm.faults({ malformedRate: 1 });
    await crmFails(['LEGACY_BAD_RESPONSE']);
  });

  it('session expiry: logs in again, and the answer is complete', async () => {
    await stack.emulators.crm.faults({ expireSessions: true });
    const { res } = await regionPage(freshRegion());
    expect(res.errors).toBeUndefined();
  });
});

describe('stale-if-error', () => {
  it('serves the last-known billing fields, with extensions.stale, when billing goes down after a success', async () => {
    let i = 3_000;
    while (world.lines(i).length === 0 || world.accounts(i).length === 0) i++;
    const id = world.customerId(i);
    const q = `query($id: ID!) { customer(id: $id) { id name balance { amount } serviceLines { serviceNumber } } }`;
    const fresh = await stack.query(q, { id });
    expect(fresh.errors).toBeUndefined();
    await stack.emulators.billing.faults({ down: true });
    const stale = await stack.query(q, { id });
    expect(stale.data).toEqual(fresh.data);
    expect(stale.errors).toBeUndefined();
    expect(stale.extensions?.stale).toEqual(expect.arrayContaining([expect.objectContaining({ system: 'billing', entity: `Customer:${id}` })]));
    for (const s of stale.extensions.stale) expect(s.ageSeconds).toBeGreaterThanOrEqual(0);
  });
});

describe('maintenance windows (last: each is left alone for as long as the system says)', () => {
  it('NMS topologySync: LEGACY_UNAVAILABLE with retryAfterSeconds, and the NMS is not called again meanwhile', async () => {
    await stack.emulators.network.faults({ window: 'topologySync' });
    const region = freshRegion();
    await networkFails(['LEGACY_UNAVAILABLE'], region);
    const before = (await stack.emulators.network.stats()).requests;
    const { res } = await regionPage(region);
    const errs = errorsOf(res, 'network');
    expect(errs.length).toBeGreaterThan(0);
    for (const e of errs) expect(e.extensions.retryAfterSeconds).toBeGreaterThan(0);
    expect((await stack.emulators.network.stats()).requests).toBe(before);
  });

  it('billing billRun: balances null with LEGACY_UNAVAILABLE + retryAfterSeconds, customers and lines intact', async () => {
    await stack.emulators.billing.faults({ window: 'billRun' });
    const { res, nodes, indices } = await regionPage(freshRegion());
    const errs = errorsOf(res, 'billing');
    for (const e of errs) expect(e.extensions).toMatchObject({ code: 'LEGACY_UNAVAILABLE', retryable: true });
    nodes.forEach((n, k) => {
      if (world.accounts(indices[k]!).length > 0) expect(n.balance).toBeNull();
      expect(n.serviceLines.map((l: any) => l.serviceNumber)).toEqual(world.lines(indices[k]!).map((l) => l.serviceNumber));
    });
    expect(errs.length).toBeGreaterThan(0);
    expect(errs.some((e) => e.extensions.retryAfterSeconds > 0)).toBe(true);
  });
});

describe('no unhandled rejection', () => {
  it('after all of the above', () => {
    expect(unhandled).toBe(0);
  });
});
