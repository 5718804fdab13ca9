import { describe, expect, it } from 'vitest';
import { ProductError } from '../../../lib/errors.js';
import { LegacyPolicy, type ResilienceOptions } from '../../../subgraphs/shared/resilience.js';

const unavailable = (retryAfterSeconds?: number) =>
  new ProductError('LEGACY_UNAVAILABLE', 'billing', 'down', retryAfterSeconds === undefined ? {} : { retryAfterSeconds });

function policy(over: Partial<ResilienceOptions> = {}): LegacyPolicy {
  return new LegacyPolicy({
    system: 'billing',
    concurrency: 2,
    maxQueue: 10,
    budgetMs: 2000,
    retryAttempts: 2,
    retryBaseMs: 1,
    retryMaxDelayMs: 5,
    breakerThreshold: 100,
    breakerHalfOpenAfterMs: 5000,
    toProductError: (e) => (e instanceof ProductError ? e : new ProductError('INTERNAL_SERVER_ERROR', 'billing', String(e))),
    ...over,
  });
}

async function failure(p: Promise<unknown>): Promise<ProductError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ProductError);
    return e as ProductError;
  }
  throw new Error('expected a failure');
}

describe('LegacyPolicy', () => {
  it('retries a read that failed for a passing reason, up to the configured attempts', async () => {
    let calls = 0;
    const value = await policy().execute('read', 'op', async () => {
      if (++calls < 3) throw unavailable();
      return 'ok';
    });
    expect(value).toBe('ok');
    expect(calls).toBe(3);
  });

  it('never retries a write', async () => {
    let calls = 0;
    await failure(policy().execute('write', 'op', async () => { calls++; throw unavailable(); }));
    expect(calls).toBe(1);
  });

  it.each(['LEGACY_REJECTED', 'LEGACY_BAD_RESPONSE', 'FORBIDDEN'] as const)('never retries %s', async (code) => {
    let calls = 0;
    const err = await failure(policy().execute('read', 'op', async () => { calls++; throw new ProductError(code, 'billing', 'no'); }));
    expect(err.code).toBe(code);
    expect(calls).toBe(1);
  });

  it('fails fast when the system asks to come back later than the short Retry-After it waits for', async () => {
    let calls = 0;
    const err = await failure(policy({ maxRetryAfterS: 2 }).execute('read', 'op', async () => { calls++; throw unavailable(60); }));
    expect(err).toMatchObject({ code: 'LEGACY_UNAVAILABLE', retryAfterSeconds: 60 });
    expect(calls).toBe(1);
  });

  it('answers LEGACY_TIMEOUT when all attempts together exceed the budget', async () => {
    const started = Date.now();
    const err = await failure(policy({ budgetMs: 100 }).execute('read', 'op', (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))))));
    expect(err).toMatchObject({ code: 'LEGACY_TIMEOUT', system: 'billing', retryable: true });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('opens the breaker after consecutive failures and then fails at once with retryAfterSeconds', async () => {
    const p = policy({ breakerThreshold: 3, retryAttempts: 0, breakerHalfOpenAfterMs: 10_000 });
    for (let k = 0; k < 3; k++) await failure(p.execute('read', 'op', async () => { throw unavailable(); }));
    let called = false;
    const err = await failure(p.execute('read', 'op', async () => { called = true; return 1; }));
    expect(called).toBe(false);
    expect(err).toMatchObject({ code: 'LEGACY_UNAVAILABLE', retryable: true, retryAfterSeconds: 10 });
    expect(p.state()).toMatchObject({ state: 'down', breaker: 'open' });
  });

  it('counts a request once, after its retries: failed attempts that a retry recovered open nothing', async () => {
    const p = policy({ breakerThreshold: 3, retryAttempts: 2, breakerHalfOpenAfterMs: 10_000 });
    // 10 requests, each failing twice and answering on the third attempt: 20 failed attempts, 0 failed requests.
    for (let k = 0; k < 10; k++) {
      let attempts = 0;
      expect(await p.execute('read', 'op', async () => (++attempts < 3 ? Promise.reject(unavailable()) : 'ok'))).toBe('ok');
    }
    expect(p.state().breaker).toBe('closed');
    // Two requests that fail every attempt are two failures, not six: still closed at threshold 3.
    for (let k = 0; k < 2; k++) await failure(p.execute('read', 'op', async () => { throw unavailable(); }));
    expect(p.state().breaker).toBe('closed');
    await failure(p.execute('read', 'op', async () => { throw unavailable(); }));
    expect(p.state().breaker).toBe('open');
  });

  it('counts a request that ran out of its budget as a failure, and a full bulkhead as none', async () => {
    const hang = (signal: AbortSignal) => new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
    const p = policy({ breakerThreshold: 2, budgetMs: 30, breakerHalfOpenAfterMs: 10_000 });
    expect((await failure(p.execute('read', 'op', hang))).code).toBe('LEGACY_TIMEOUT');
    expect(p.state().breaker).toBe('closed');
    expect((await failure(p.execute('read', 'op', hang))).code).toBe('LEGACY_TIMEOUT');
    expect(p.state().breaker).toBe('open');

    // concurrency 1, queue 0: the second call is refused by us, which says nothing of the system.
    const q = policy({
      breakerThreshold: 1,
      concurrency: 1,
      maxQueue: 0,
      retryAttempts: 0,
      // As the clients do: a full bulkhead is "unavailable now", a passing reason.
      toProductError: (e) => (e instanceof ProductError ? e : new ProductError('LEGACY_UNAVAILABLE', 'billing', 'busy', { cause: e })),
    });
    let release!: () => void;
    const first = q.execute('read', 'op', () => new Promise<string>((r) => (release = () => r('done'))));
    const refused = await failure(q.execute('read', 'op', async () => 'never'));
    expect(refused.code).toBe('LEGACY_UNAVAILABLE');
    release();
    expect(await first).toBe('done');
    expect(q.state().breaker).toBe('closed');
  });

  it('closes again after a successful half-open probe', async () => {
    const p = policy({ breakerThreshold: 1, retryAttempts: 0, breakerHalfOpenAfterMs: 50 });
    await failure(p.execute('read', 'op', async () => { throw unavailable(); }));
    expect(p.state().breaker).toBe('open');
    await new Promise((r) => setTimeout(r, 80));
    expect(await p.execute('read', 'op', async () => 'probe')).toBe('probe');
    expect(p.state().breaker).toBe('closed');
  });

  describe('failure ratio over a sliding window', () => {
    const ratioPolicy = (over: Partial<ResilienceOptions> = {}) =>
      policy({ breakerThreshold: 5, retryAttempts: 0, breakerRatio: 0.5, breakerWindowMs: 10_000, breakerMinCalls: 20, breakerHalfOpenAfterMs: 10_000, ...over });
    /** Runs `pattern` ('F' = unavailable, 'S' = success, 'R' = LEGACY_REJECTED) through `p`, one call at a time. */
    async function run(p: LegacyPolicy, pattern: string): Promise<void> {
      for (const c of pattern) {
        const call = p.execute('read', 'op', async () => {
          if (c === 'F') throw unavailable();
          if (c === 'R') throw new ProductError('LEGACY_REJECTED', 'billing', 'no');
          return 1;
        });
        if (c === 'S') await call;
        else await failure(call);
      }
    }
    // 60 % failures, never more than 2 in a row (threshold 5): the 20th call is a failure.
    const sixty = 'SFSFF'.repeat(4);

    it('opens on 60 % failures interleaved with successes once the minimum calls are reached', async () => {
      const p = ratioPolicy();
      await run(p, sixty.slice(0, 19));
      expect(p.state()).toMatchObject({ state: 'degraded', breaker: 'closed' });
      await run(p, sixty.slice(19));
      expect(p.state()).toMatchObject({ state: 'down', breaker: 'open' });
      let called = false;
      const err = await failure(p.execute('read', 'op', async () => { called = true; return 1; }));
      expect(called).toBe(false);
      expect(err).toMatchObject({ code: 'LEGACY_UNAVAILABLE', retryable: true, retryAfterSeconds: 10 });
    });

    it('stays closed below the minimum number of calls, whatever the share', async () => {
      const p = ratioPolicy();
      await run(p, 'FFFFS'.repeat(3) + 'FFFF'); // 16 of 19 failed
      expect(p.state().breaker).toBe('closed');
      expect(await p.execute('read', 'op', async () => 'called')).toBe('called');
    });

    it('stays closed at 30 % failures', async () => {
      const p = ratioPolicy();
      await run(p, 'FSSFSSSFSS'.repeat(5));
      expect(p.state()).toMatchObject({ state: 'degraded', breaker: 'closed' });
      expect(await p.execute('read', 'op', async () => 'called')).toBe('called');
    });

    it('counts only retryable legacy failures (not LEGACY_REJECTED)', async () => {
      const p = ratioPolicy();
      await run(p, 'SRSRR'.repeat(8));
      expect(p.state().breaker).toBe('closed');
    });

    it('closes again after a successful half-open probe, with a fresh window', async () => {
      const p = ratioPolicy({ breakerHalfOpenAfterMs: 50 });
      await run(p, sixty);
      expect(p.state().breaker).toBe('open');
      await new Promise((r) => setTimeout(r, 80));
      expect(p.state().breaker).toBe('halfOpen');
      expect(await p.execute('read', 'op', async () => 'probe')).toBe('probe');
      expect(p.state().breaker).toBe('closed');
      await run(p, 'FSF'); // the old failures no longer count
      expect(p.state().breaker).toBe('closed');
    });

    it('judges only consecutive failures when the ratio is 0', async () => {
      const p = ratioPolicy({ breakerRatio: 0 });
      await run(p, sixty + sixty);
      expect(p.state().breaker).toBe('closed');
    });
  });

  it('stops calling a kind of call for the window the system announced, and only that kind', async () => {
    const p = policy({ windowOf: (e) => (e.message === 'window' ? (e.retryAfterSeconds ?? true) : undefined) });
    let calls = 0;
    const win = () => { calls++; throw new ProductError('LEGACY_UNAVAILABLE', 'billing', 'window', { retryAfterSeconds: 120 }); };
    const first = await failure(p.execute('read', 'bills', async () => win()));
    expect(first.retryAfterSeconds).toBe(120);
    expect(calls).toBe(1); // a window is not retried
    const second = await failure(p.execute('read', 'bills', async () => win()));
    expect(calls).toBe(1);
    expect(second).toMatchObject({ code: 'LEGACY_UNAVAILABLE', retryable: true });
    expect(second.retryAfterSeconds).toBeGreaterThanOrEqual(119);
    expect(await p.execute('read', 'customers', async () => 'other kind')).toBe('other kind');
    expect(p.state()).toMatchObject({ state: 'degraded', breaker: 'closed', window: { calls: ['bills'] } });
  });

  it('keeps no more calls in flight than the bulkhead allows', async () => {
    const p = policy({ concurrency: 2 });
    let inFlight = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 8 }, () =>
        p.execute('read', 'op', async () => {
          peak = Math.max(peak, ++inFlight);
          await new Promise((r) => setTimeout(r, 5));
          inFlight--;
        }),
      ),
    );
    expect(peak).toBe(2);
    expect(p.state()).toMatchObject({ state: 'up', breaker: 'closed' });
  });
});
