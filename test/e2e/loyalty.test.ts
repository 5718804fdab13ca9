import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LoyaltyModel, type TierCode } from '../../emulators/loyalty/model.js';
import { TEST_NOW, testWorld as world } from '../helpers/emulators.js';
import { startStack, type Stack } from '../helpers/stack.js';

/**
 * End to end through the gateway: the CRM's customer with the loyalty ledger's balance, the fourth
 * subgraph added with `npm run new-subgraph loyalty` (docs/adding-a-subgraph.md); values checked
 * against the ledger emulator's world.
 */

const NOW = Date.parse(TEST_NOW);
const ledger = new LoyaltyModel(world);
const TIER: Record<TierCode, string> = { B: 'BRONZE', S: 'SILVER', G: 'GOLD', P: 'PLATINUM' };

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
}, 60_000);
afterAll(async () => {
  await stack?.close();
});
beforeEach(async () => {
  await Promise.all(Object.values(stack.emulators).map((e) => e.faults({})));
});

const firstCustomers = (pred: (i: number) => boolean, n: number) => {
  const out: number[] = [];
  for (let i = 0; i < world.customerCount && out.length < n; i++) if (pred(i)) out.push(i);
  return out;
};

const QUERY = `query($id: ID!) { customer(id: $id) { name loyalty { points tier } } }`;

describe('Customer.loyalty through the gateway', () => {
  it('answers the customer’s name from the CRM and points and tier from the loyalty ledger', async () => {
    for (const i of firstCustomers((k) => world.customer(k).starLevel !== null, 3)) {
      const id = world.customerId(i);
      const b = ledger.balance(id, NOW)!;
      const res = await stack.query(QUERY, { id });
      expect(res.errors).toBeUndefined();
      expect(res.data.customer).toEqual({ name: world.customer(i).name, loyalty: { points: b.points, tier: TIER[b.tier] } });
    }
  });

  // Before the posting run below: its maintenance window keeps the subgraph off the ledger until it ends.
  it('asks the ledger once for a page of customers', async () => {
    await stack.resetCounts();
    const res = await stack.query(`{ customers(filter: {province: "GD"}, first: 30) { edges { node { id loyalty { points } } } } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.customers.edges).toHaveLength(30);
    expect((await stack.legacyCalls()).loyalty).toEqual({ 'GET /loyalty/balance': 1 });
  });

  it('is null for an organisation, which the ledger does not enrol, and null with a loyalty error while the ledger posts', async () => {
    const [org] = firstCustomers((k) => world.customer(k).starLevel === null, 1);
    const res = await stack.query(QUERY, { id: world.customerId(org!) });
    expect(res.errors).toBeUndefined();
    expect(res.data.customer).toEqual({ name: world.customer(org!).name, loyalty: null });

    // Read by the tests above, so the stale-if-error cache knows it: the first enrolled customer.
    const [seen] = firstCustomers((k) => world.customer(k).starLevel !== null, 1);
    // Never read: outside the GD page above, and past the first three (at most three non-GD ones among them).
    const [, , , person] = firstCustomers((k) => world.customer(k).starLevel !== null && world.customer(k).province !== 'GD', 4);
    await stack.emulators.loyalty.faults({ window: 'postingRun' });
    const down = await stack.query(QUERY, { id: world.customerId(person!) });
    // One system's failure never wipes out the others' data.
    expect(down.data.customer).toEqual({ name: world.customer(person!).name, loyalty: null });
    expect(down.errors?.[0]?.extensions).toMatchObject({ code: 'LEGACY_UNAVAILABLE', system: 'loyalty', retryable: true });

    // A customer read before the ledger started posting: its last-known balance, marked stale.
    const seenId = world.customerId(seen!);
    const b = ledger.balance(seenId, NOW)!;
    const stale = await stack.query(QUERY, { id: seenId });
    expect(stale.errors).toBeUndefined();
    expect(stale.data.customer).toEqual({ name: world.customer(seen!).name, loyalty: { points: b.points, tier: TIER[b.tier] } });
    expect(stale.extensions?.stale).toEqual([expect.objectContaining({ system: 'loyalty', entity: `LoyaltyAccount:${seenId}` })]);
  });
});
