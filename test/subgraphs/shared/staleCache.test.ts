import { describe, expect, it } from 'vitest';
import { ProductError } from '../../../lib/errors.js';
import { StaleCache, staleIfError, type StaleContext } from '../../../subgraphs/shared/staleCache.js';

function cache(over: Partial<ConstructorParameters<typeof StaleCache>[0]> = {}) {
  return new StaleCache({ system: 'billing', maxEntries: 100, maxAgeSeconds: 300, ...over });
}
const ctx = (c: StaleCache, scopeKey = '*'): StaleContext => ({ cache: c, scope: { scopeKey, stale: [] } });
const down = () => new ProductError('LEGACY_UNAVAILABLE', 'billing', 'down');

describe('StaleCache', () => {
  it('never shares an entry between two scope keys', () => {
    const c = cache();
    c.set('GD', 'Customer', '1-AAAAAA', { province: 'GD' });
    expect(c.get('GD', 'Customer', '1-AAAAAA')?.value).toEqual({ province: 'GD' });
    expect(c.get('SC', 'Customer', '1-AAAAAA')).toBeUndefined();
    expect(c.get('*', 'Customer', '1-AAAAAA')).toBeUndefined();
  });

  it('forgets the least recently used entry beyond maxEntries', () => {
    const c = cache({ maxEntries: 2 });
    c.set('*', 'T', 'a', 1);
    c.set('*', 'T', 'b', 2);
    c.get('*', 'T', 'a');
    c.set('*', 'T', 'c', 3);
    expect(c.size).toBe(2);
    expect(c.get('*', 'T', 'b')).toBeUndefined();
    expect(c.get('*', 'T', 'a')?.value).toBe(1);
  });

  it('serves nothing older than maxAgeSeconds, and tells the age', () => {
    let now = 0;
    const c = cache({ maxAgeSeconds: 10, now: () => now });
    c.set('*', 'T', 'a', 1);
    now = 4_500;
    expect(c.get('*', 'T', 'a')).toEqual({ value: 1, ageSeconds: 4 });
    now = 10_001;
    expect(c.get('*', 'T', 'a')).toBeUndefined();
  });
});

describe('staleIfError', () => {
  it('remembers what a batch answered and serves it, noted, when the next batch fails with a retryable error', async () => {
    const c = cache();
    expect(await staleIfError(ctx(c), 'Customer', ['1', '2'], async () => ['one', null])).toEqual(['one', null]);
    const second = ctx(c);
    const out = await staleIfError(second, 'Customer', ['1', '2'], async () => {
      throw down();
    });
    expect(out[0]).toBe('one');
    expect(out[1]).toBeInstanceOf(ProductError);
    expect(second.scope.stale).toEqual([{ system: 'billing', entity: 'Customer:1', ageSeconds: 0 }]);
  });

  it('serves a per-key retryable failure from the cache too, but never a non-retryable one', async () => {
    const c = cache();
    await staleIfError(ctx(c), 'T', ['a', 'b'], async () => ['A', 'B']);
    const forbidden = new ProductError('FORBIDDEN', 'billing', 'no');
    const out = await staleIfError(ctx(c), 'T', ['a', 'b'], async () => [down(), forbidden]);
    expect(out).toEqual(['A', forbidden]);
  });

  it('lets a non-retryable failure of the whole batch through untouched', async () => {
    const c = cache();
    await staleIfError(ctx(c), 'T', ['a'], async () => ['A']);
    const bad = new ProductError('LEGACY_BAD_RESPONSE', 'billing', 'garbage');
    await expect(staleIfError(ctx(c), 'T', ['a'], async () => Promise.reject(bad))).rejects.toBe(bad);
  });

  it('does not serve one scope what another scope read', async () => {
    const c = cache();
    await staleIfError(ctx(c, 'GD'), 'T', ['a'], async () => ['A']);
    const [out] = await staleIfError(ctx(c, 'SC'), 'T', ['a'], async () => Promise.reject(down()));
    expect(out).toBeInstanceOf(ProductError);
  });
});
