import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeExtensions } from '../../gateway/context.js';
import { testWorld as world } from '../helpers/emulators.js';
import { startStack, type Stack } from '../helpers/stack.js';

/**
 * Issue 5: a subgraph that is down yields partial data — the other subgraphs' fields intact, the
 * dead one's null with SUBGRAPH_UNAVAILABLE — never a failed answer.
 */

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

describe('the gateway with one subgraph down', () => {
  it('answers the CRM and billing fields and nulls the network ones with SUBGRAPH_UNAVAILABLE', async () => {
    let i = 0;
    while (world.lines(i).length === 0) i++;
    const w = world.customer(i);
    await stack.closeSubgraph('network');
    const res = await stack.query(
      `query($id: ID!) { customer(id: $id) { id name region { province } serviceLines { serviceNumber kind networkStatus { operState } } } }`,
      { id: w.id },
    );
    const c = res.data!.customer;
    expect(c).toMatchObject({ id: w.id, name: w.name, region: { province: w.province } });
    expect(c.serviceLines.map((l: any) => l.serviceNumber)).toEqual(world.lines(i).map((l) => l.serviceNumber));
    for (const l of c.serviceLines) expect(l.networkStatus).toBeNull();
    expect(res.errors?.length).toBeGreaterThan(0);
    for (const e of res.errors!) expect(e.extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', system: 'network', retryable: true });
  });
});

describe('mergeExtensions', () => {
  it('concatenates arrays (stale entries of several subgraphs) and keeps the first of other values', () => {
    expect(
      mergeExtensions([
        { stale: [{ system: 'billing', entity: 'Customer:1', ageSeconds: 3 }], x: 1 },
        { stale: [{ system: 'network', entity: 'ServiceLine:2', ageSeconds: 5 }], x: 2 },
      ]),
    ).toEqual({ stale: [{ system: 'billing', entity: 'Customer:1', ageSeconds: 3 }, { system: 'network', entity: 'ServiceLine:2', ageSeconds: 5 }], x: 1 });
  });
});
