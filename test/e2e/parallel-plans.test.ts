import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { examples } from '../../gateway/playground/examples.js';
import type { RequestLogEntry } from '../../emulators/shared/server.js';
import type { TestEmulator } from '../helpers/emulators.js';
import { startStack, type Stack } from '../helpers/stack.js';

/**
 * Issue 4, "p50 within the critical-path bound": the customer 360 through the gateway with plans
 * parallelised (gateway/parallelPlan.ts, the default) and without (GATEWAY_PARALLEL_PLANS=false),
 * over emulators with billing made slow. Billing's second level (balances, bills) must no longer
 * hold back the CRM: the CRM's look-up reaches the CRM while billing is still answering balances,
 * not after. Same answer, same legacy calls either way.
 */

const BILLING_MS = 120;
const example = examples.find((e) => e.query.includes('query Customer360ByPhoneNumber'))!;

const BUDGET_MS = 600;

let parallel: Stack;
let sequential: Stack;
/** Billing answers nothing at all here, within a short budget. */
let hanging: Stack;

beforeAll(async () => {
  [parallel, sequential, hanging] = await Promise.all([startStack(), startStack({ GATEWAY_PARALLEL_PLANS: 'false' }), startStack({ BILLING_BUDGET_MS: String(BUDGET_MS) })]);
  await hanging.query(example.query, example.variables);
  await hanging.emulators.billing.faults({ hangRate: 1 });
  for (const s of [parallel, sequential]) {
    // Open the CRM session and warm up before timing.
    await s.query(example.query, example.variables);
    await s.emulators.billing.faults({ latencyMs: { p50: BILLING_MS, p99: BILLING_MS } });
    await s.emulators.crm.faults({ latencyMs: { p50: 5, p99: 5 } });
    await s.emulators.network.faults({ latencyMs: { p50: 5, p99: 5 } });
  }
}, 60_000);

afterAll(async () => {
  await Promise.all([parallel?.close(), sequential?.close(), hanging?.close()]);
});

const at = (e: RequestLogEntry | undefined) => (e ? Date.parse(e.time) : NaN);

/** Runs the customer 360 once and reports when each legacy call arrived. */
async function run(stack: Stack) {
  const since = async (em: TestEmulator) => (await em.requests()).last;
  const marks = { billing: await since(stack.emulators.billing), crm: await since(stack.emulators.crm) };
  await stack.resetCounts();
  const answer = await stack.query(example.query, example.variables);
  const calls = await stack.legacyCalls();
  const billing = (await stack.emulators.billing.requests(marks.billing)).items;
  const crm = (await stack.emulators.crm.requests(marks.crm)).items;
  return {
    answer,
    calls,
    customerInfo: at(billing.find((e) => e.operation === 'BatchQueryCustomerInfo')),
    balances: at(billing.find((e) => e.operation === 'BatchQueryBalance')),
    crmLookup: at(crm.find((e) => e.operation === 'POST customers:lookup')),
  };
}

describe('parallel plans (customer 360, billing at 120 ms a call)', () => {
  it('the CRM is asked as soon as billing has named the customer, beside billing\'s balances — not after them', async () => {
    const p = await run(parallel);
    expect(p.answer.errors).toBeUndefined();
    expect(p.balances - p.customerInfo).toBeGreaterThanOrEqual(BILLING_MS - 5);
    expect(Math.abs(p.crmLookup - p.balances)).toBeLessThan(BILLING_MS / 2);

    const s = await run(sequential);
    expect(s.answer.errors).toBeUndefined();
    // Without the rewrite, the CRM waits for billing's balances and bills.
    expect(s.crmLookup - s.balances).toBeGreaterThanOrEqual(BILLING_MS - 5);
  });

  it('answers the same, with the same legacy calls (billing re-reads nothing it read for the first fetch)', async () => {
    const [p, s] = [await run(parallel), await run(sequential)];
    expect(p.answer).toEqual(s.answer);
    expect(p.answer.data.customerByServiceNumber.accounts.length).toBeGreaterThan(0);
    expect(p.calls).toEqual(s.calls);
    expect(p.calls.billing.BatchQueryCustomerInfo).toBe(1);
  });
});

describe('parallel plans with billing hanging', () => {
  it('a customer reached from the CRM waits for billing once, not once per billing fetch: the second fetch gets the first one\'s failure', async () => {
    const customerId = (await parallel.query(example.query, example.variables)).data.customerByServiceNumber.id as string;
    const query = `query Crm360($id: ID!) { customer(id: $id) { id name balance { amount } accounts { accountNumber bills(last: 3) { period } }
      serviceLines { serviceNumber networkStatus { operState } } tickets { id } } }`;
    const started = Date.now();
    const answer = await hanging.query(query, { id: customerId });
    const took = Date.now() - started;
    // The CRM's part is there; billing's fields are null with LEGACY_TIMEOUT.
    expect(answer.data.customer.name).toBeTruthy();
    expect(answer.data.customer.serviceLines).toBeNull();
    expect(answer.data.customer.balance).toBeNull();
    expect(answer.errors?.map((e: any) => e.extensions.code)).toContain('LEGACY_TIMEOUT');
    expect(took).toBeGreaterThanOrEqual(BUDGET_MS - 50);
    expect(took).toBeLessThan(BUDGET_MS * 1.6);
  });
});
