import { describe, expect, it } from 'vitest';
import { memoryContextFor, rememberedOrLoad, remember, RequestMemory } from '../../../subgraphs/shared/requestMemory.js';
import { StaleCache } from '../../../subgraphs/shared/staleCache.js';

/** A batch read that records what it was asked. */
function reader(values: Record<string, string>) {
  const calls: string[][] = [];
  return {
    calls,
    load: async (keys: readonly string[]) => {
      calls.push([...keys]);
      return keys.map((k) => values[k] ?? null);
    },
  };
}

describe('RequestMemory', () => {
  it('answers a later fetch of the same request from what an earlier one read, and asks only for the rest', async () => {
    const memory = new RequestMemory({ ttlMs: 5000 });
    const memo = memoryContextFor(memory, { scopeKey: 'agent|GD', queryId: 'q1' });
    const r = reader({ a: 'A', b: 'B', c: 'C' });
    expect(await rememberedOrLoad(memo, undefined, 'Customer', ['a', 'b'], r.load)).toEqual(['A', 'B']);
    expect(await rememberedOrLoad(memo, undefined, 'Customer', ['b', 'c', 'a'], r.load)).toEqual(['B', 'C', 'A']);
    expect(r.calls).toEqual([['a', 'b'], ['c']]);
  });

  it('shares nothing between two requests, nor between two scopes of one request id', async () => {
    const memory = new RequestMemory({ ttlMs: 5000 });
    const r = reader({ a: 'A' });
    await rememberedOrLoad(memoryContextFor(memory, { scopeKey: 'agent|GD', queryId: 'q1' }), undefined, 'Customer', ['a'], r.load);
    await rememberedOrLoad(memoryContextFor(memory, { scopeKey: 'agent|GD', queryId: 'q2' }), undefined, 'Customer', ['a'], r.load);
    await rememberedOrLoad(memoryContextFor(memory, { scopeKey: 'agent|BJ', queryId: 'q1' }), undefined, 'Customer', ['a'], r.load);
    expect(r.calls).toEqual([['a'], ['a'], ['a']]);
  });

  it('forgets after its time, keeps no unknowns, and keeps to its size', async () => {
    let now = 0;
    const memory = new RequestMemory({ ttlMs: 100, maxEntries: 2, now: () => now });
    const memo = memoryContextFor(memory, { scopeKey: '*', queryId: 'q' });
    const r = reader({ a: 'A', b: 'B', c: 'C' });
    await rememberedOrLoad(memo, undefined, 'Customer', ['a', 'x'], r.load);
    now = 50;
    await rememberedOrLoad(memo, undefined, 'Customer', ['a', 'x'], r.load);
    now = 151;
    await rememberedOrLoad(memo, undefined, 'Customer', ['a'], r.load);
    expect(r.calls).toEqual([['a', 'x'], ['x'], ['a']]);
    await rememberedOrLoad(memo, undefined, 'Customer', ['b', 'c'], r.load);
    expect(memory.size).toBe(2);
  });

  it('answers a key that failed in an earlier fetch of the request with the same failure, without asking again (a hanging system costs one budget, not one per fetch)', async () => {
    const memo = memoryContextFor(new RequestMemory({ ttlMs: 5000 }), { scopeKey: '*', queryId: 'q' });
    let calls = 0;
    const failing = async (keys: readonly string[]) => {
      calls++;
      return keys.map(() => new Error('billing did not answer within its budget'));
    };
    const [first] = await rememberedOrLoad(memo, undefined, 'Customer', ['d'], failing);
    const [again] = await rememberedOrLoad(memo, undefined, 'Customer', ['d'], failing);
    expect(again).toBe(first);
    expect(calls).toBe(1);
    // Another request asks again.
    const other = memoryContextFor(new RequestMemory({ ttlMs: 5000 }), { scopeKey: '*', queryId: 'q2' });
    await rememberedOrLoad(other, undefined, 'Customer', ['d'], failing);
    expect(calls).toBe(2);
  });

  it('is off without the gateway\'s query id, without a scope, or with REQUEST_MEMORY_MS=0', async () => {
    const memory = new RequestMemory({ ttlMs: 5000 });
    expect(memoryContextFor(memory, { scopeKey: '*' })).toBeUndefined();
    expect(memoryContextFor(memory, { queryId: 'q' })).toBeUndefined();
    expect(memoryContextFor(new RequestMemory({ ttlMs: 0 }), { scopeKey: '*', queryId: 'q' })).toBeUndefined();
    expect(memoryContextFor(undefined, { scopeKey: '*', queryId: 'q' })).toBeUndefined();
    const r = reader({ a: 'A' });
    await rememberedOrLoad(undefined, undefined, 'Customer', ['a'], r.load);
    await rememberedOrLoad(undefined, undefined, 'Customer', ['a'], r.load);
    expect(r.calls).toHaveLength(2);
  });

  it('answers a key remembered under another spelling of the entity (remember), by its own kind only', async () => {
    const memory = new RequestMemory({ ttlMs: 5000 });
    const memo = memoryContextFor(memory, { scopeKey: '*', queryId: 'q' });
    remember(memo, 'Customer:CrmCustId', '1-ABC', 'by-line');
    const r = reader({ '1-ABC': 'read' });
    expect(await rememberedOrLoad(memo, undefined, 'Customer', ['1-ABC'], r.load, 'Customer:CrmCustId')).toEqual(['by-line']);
    expect(await rememberedOrLoad(memo, undefined, 'Customer', ['1-ABC'], r.load, 'Customer:AcctKey')).toEqual(['read']);
    expect(r.calls).toEqual([['1-ABC']]);
  });

  it('reads the rest through stale-if-error, under the entity type the stale cache knows', async () => {
    const cache = new StaleCache({ system: 'billing', maxEntries: 10, maxAgeSeconds: 300 });
    const stale = { cache, scope: { scopeKey: '*', stale: [] } };
    const memo = memoryContextFor(new RequestMemory({ ttlMs: 5000 }), { scopeKey: '*', queryId: 'q' });
    await rememberedOrLoad(memo, stale, 'Customer', ['a'], reader({ a: 'A' }).load, 'Customer:ServiceNumber');
    expect(cache.get('*', 'Customer', 'a')?.value).toBe('A');
  });
});
