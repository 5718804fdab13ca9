import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testWorld as world } from '../helpers/emulators.js';
import { startStack, type Stack } from '../helpers/stack.js';

/**
 * Issue 4, in-flight deduplication end to end: ten identical `customer(id)` queries at once cost
 * the CRM one customer look-up, not ten — at the gateway (identical subgraph queries share one
 * HTTP call) and, with the gateway's deduplication off, in the subgraph (identical legacy reads
 * share one call).
 */

const QUERY = `query C($id: ID!) { customer(id: $id) { id name segment } }`;
const LOOKUP = 'POST customers:lookup';

async function tenAtOnce(stack: Stack, id: string) {
  await stack.resetCounts();
  const answers = await Promise.all(Array.from({ length: 10 }, () => stack.query(QUERY, { id })));
  for (const a of answers) {
    expect(a.errors).toBeUndefined();
    expect(a.data.customer).toEqual({ id, name: world.customer(world.customerIndexById(id)).name, segment: expect.any(String) });
  }
  return (await stack.legacyCalls()).crm;
}

describe('10 identical concurrent customer(id) queries', () => {
  let stack: Stack;
  let noGatewayDedup: Stack;

  beforeAll(async () => {
    [stack, noGatewayDedup] = await Promise.all([startStack(), startStack({ SUBGRAPH_DEDUP: 'false' })]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([stack?.close(), noGatewayDedup?.close()]);
  });

  it('cost the CRM one customer look-up (gateway and subgraph deduplication)', async () => {
    const crm = await tenAtOnce(stack, world.customerId(42));
    expect(crm[LOOKUP]).toBeGreaterThanOrEqual(1);
    expect(crm[LOOKUP]).toBeLessThanOrEqual(2);
  });

  it('cost the CRM at most two look-ups with the gateway deduplication off (the subgraph deduplicates)', async () => {
    // A CRM that takes 300 ms: the ten reads reach the subgraph while the first is still in flight.
    await noGatewayDedup.emulators.crm.faults({ latencyMs: { p50: 300, p99: 300 } });
    const crm = await tenAtOnce(noGatewayDedup, world.customerId(43));
    expect(crm[LOOKUP]).toBeGreaterThanOrEqual(1);
    expect(crm[LOOKUP]).toBeLessThanOrEqual(2);
  });

  it('a later identical query goes out again (nothing cached after completion)', async () => {
    const id = world.customerId(44);
    await stack.resetCounts();
    await stack.query(QUERY, { id });
    await stack.query(QUERY, { id });
    expect((await stack.legacyCalls()).crm[LOOKUP]).toBe(2);
  });
});
