import {
  bulkhead,
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleWhen,
  isBrokenCircuitError,
  isBulkheadRejectedError,
  retry,
  timeout,
  TimeoutStrategy,
  type BulkheadPolicy,
  type CircuitBreakerPolicy,
  type IBackoff,
  type IBackoffFactory,
  type IBreaker,
  type IRetryBackoffContext,
  SamplingBreaker,
} from 'cockatiel';
import { ProductError, type ErrorSystem } from '../../lib/errors.js';

/**
 * One policy stack per legacy system (issue 5, "Legacy failures degrade fields, never the
 * answer"), outermost first:
 *
 * 1. maintenance windows — after the system said "not now, for N seconds" for a kind of call
 *    (billing 2001, NMS 503 TOPOLOGY_SYNC, CRM 503 bulk load), that kind of call is answered at
 *    once with LEGACY_UNAVAILABLE + retryAfterSeconds until the window ends;
 * 2. the circuit breaker — open: fail at once, retryAfterSeconds = the remaining open time;
 * 3. the total budget (all attempts and back-offs together) → LEGACY_TIMEOUT;
 * 4. retries, for reads only, of retryable failures, with exponential jittered back-off or the
 *    system's own short `Retry-After`; a long `Retry-After` fails fast;
 * 5. the bulkhead (the system's concurrency limit, bounded queue) around each attempt.
 *
 * The breaker counts requests, not attempts: a request that failed for a passing reason
 * (unavailable) after all its retries, or ran out of its budget, is one failure; window answers
 * and our own refusals (bulkhead full) are none. It opens on either condition: that many
 * consecutive failed requests, or — over a sliding window, once it holds at least the minimum
 * number of requests — a share of failed ones that reaches the ratio. Open, it lets one probe
 * through after the half-open delay; a good probe closes it. (Counting attempts, at 50 % failed
 * attempts five in a row come every few dozen calls, and the breaker would suspend a system that
 * answers 87.5 % of requests after two retries.)
 */

export type LegacySystem = Exclude<ErrorSystem, 'gateway'>;
export type CallKind = 'read' | 'write';

export interface ResilienceSettings {
  /** All attempts of one call together, in ms. */
  readonly budgetMs: number;
  /** Retries after the first attempt (reads only). 0 = none. */
  readonly retryAttempts: number;
  /** First back-off, ms (doubled each retry, jittered). @default 50 */
  readonly retryBaseMs?: number;
  /** Longest back-off, ms. @default 1000 */
  readonly retryMaxDelayMs?: number;
  /** A `Retry-After` up to this many seconds is waited for (within the budget); longer fails fast. @default 2 */
  readonly maxRetryAfterS?: number;
  /** Consecutive failed requests (after their retries) that open the breaker. 0 = no breaker. */
  readonly breakerThreshold: number;
  /** How long the breaker stays open before a half-open probe, ms. */
  readonly breakerHalfOpenAfterMs: number;
  /** The share (0–1, exclusive) of failed calls in the window that opens the breaker; 0 = consecutive failures only. @default 0.5 */
  readonly breakerRatio?: number;
  /** The sliding window over which that share is judged, ms. @default 10000 */
  readonly breakerWindowMs?: number;
  /** Below this many calls in the window, the share is not judged. @default 20 */
  readonly breakerMinCalls?: number;
  /** A window whose end the system did not say lasts this long, s. @default 30 */
  readonly windowDefaultS?: number;
}

export interface ResilienceOptions extends ResilienceSettings {
  readonly system: LegacySystem;
  /** Calls in flight at once (the system's limit). */
  readonly concurrency: number;
  /** Calls waiting for a slot before more are refused. */
  readonly maxQueue: number;
  /** The client's own coercion of whatever a call threw. */
  readonly toProductError: (e: unknown) => ProductError;
  /**
   * Whether a failure is the system saying it is in a maintenance window for this kind of call;
   * answers the window's length in seconds when it said one (or `true` for the default).
   */
  readonly windowOf?: (e: ProductError, kind: CallKind) => number | true | undefined;
  readonly now?: () => number;
}

/** What `/health/ready` reports per system (a type, not an interface, so that it is a plain record). */
export type ResilienceState = {
  state: 'up' | 'degraded' | 'down';
  breaker: 'closed' | 'open' | 'halfOpen';
  window?: { until: string; calls: string[] };
  lastError?: { code: string; message: string; at: string };
};

/** Failures counted by the breaker and retried: the system could not answer now. */
function isPassing(e: ProductError): boolean {
  return e.retryable && (e.code === 'LEGACY_UNAVAILABLE' || e.code === 'LEGACY_TIMEOUT');
}

/** Failures not retried: time-outs (the budget is spent), window answers, our own refusals. */
const NOT_RETRIED = new WeakSet<object>();
/** Failures the breaker does not count: window answers and our own refusals (bulkhead full, circuit open) — the system did not fail. */
const NOT_COUNTED = new WeakSet<object>();

/**
 * Opens when either cockatiel breaker opens: consecutive failures, or a failure ratio over a
 * sliding window. Both always see every outcome (no short-circuit), so each keeps its own count.
 */
class EitherBreaker implements IBreaker {
  constructor(private readonly breakers: readonly IBreaker[]) {}
  get state(): unknown {
    return this.breakers.map((b) => b.state);
  }
  set state(value: unknown) {
    if (Array.isArray(value)) value.forEach((v, i) => { const b = this.breakers[i]; if (b) b.state = v; });
  }
  success(state: CircuitState): void {
    for (const b of this.breakers) b.success(state);
  }
  failure(state: CircuitState): boolean {
    let open = false;
    for (const b of this.breakers) open = b.failure(state) || open;
    return open;
  }
}

/**
 * A {@link SamplingBreaker} that opens when at least `minCalls` calls fell in the last `windowMs`
 * and the failed share reaches `ratio`. cockatiel judges "more than `threshold`" of "at least
 * `duration` × `minimumRps`" calls, where `duration` is `windowMs` rounded to its sub-windows
 * (max(5, ⌈windowMs / 1000⌉) of them): the threshold is nudged down so that reaching the ratio
 * opens it, and the rate is set half a call below `minCalls` so float rounding cannot move the line.
 */
function ratioBreaker(ratio: number, windowMs: number, minCalls: number): SamplingBreaker {
  const slices = Math.max(5, Math.ceil(windowMs / 1000));
  const duration = Math.round(windowMs / slices) * slices;
  return new SamplingBreaker({
    threshold: ratio * (1 - 1e-9),
    duration: windowMs,
    minimumRps: ((Math.max(1, minCalls) - 0.5) * 1000) / Math.max(1, duration),
  });
}

/** cockatiel 3's own `isTaskCancelledError` tests for a bulkhead rejection (a bug): test the marker. */
const isTaskCancelledError = (e: unknown): boolean => e instanceof Error && 'isTaskCancelledError' in e;

/** Exponential jittered back-off (decorrelated jitter), or the system's own short `Retry-After`. */
class RetryBackoff implements IBackoffFactory<IRetryBackoffContext<unknown>> {
  constructor(
    private readonly exp: IBackoff<unknown> | IBackoffFactory<unknown>,
  ) {}
  next(context: IRetryBackoffContext<unknown>): IBackoff<IRetryBackoffContext<unknown>> {
    const inner = this.exp.next(undefined);
    const err = 'error' in context.result ? context.result.error : undefined;
    const after = err instanceof ProductError ? err.retryAfterSeconds : undefined;
    const duration = after !== undefined && after > 0 ? after * 1000 : inner.duration;
    return { duration, next: (c) => new RetryBackoff(inner).next(c) };
  }
}

export class LegacyPolicy {
  readonly system: LegacySystem;
  readonly bulkhead: BulkheadPolicy;
  private readonly breaker: CircuitBreakerPolicy | undefined;
  private readonly now: () => number;
  private openedAt = 0;
  private readonly windows = new Map<string, number>();
  private lastError: { code: string; message: string; at: number } | undefined;
  private readonly outcomes: boolean[] = [];

  constructor(private readonly o: ResilienceOptions) {
    this.system = o.system;
    this.now = o.now ?? Date.now;
    this.bulkhead = bulkhead(o.concurrency, o.maxQueue);
    if (o.breakerThreshold > 0) {
      this.breaker = circuitBreaker(
        handleWhen((e) => e instanceof ProductError && isPassing(e) && !NOT_COUNTED.has(e)),
        { halfOpenAfter: o.breakerHalfOpenAfterMs, breaker: this.makeBreaker() },
      );
      this.breaker.onBreak(() => {
        this.openedAt = this.now();
      });
    }
  }

  /** Consecutive failures, and (unless the ratio is 0) the failure ratio over the window. */
  private makeBreaker(): IBreaker {
    const consecutive = new ConsecutiveBreaker(this.o.breakerThreshold);
    const ratio = this.o.breakerRatio ?? 0.5;
    if (!(ratio > 0 && ratio < 1)) return consecutive;
    return new EitherBreaker([consecutive, ratioBreaker(ratio, this.o.breakerWindowMs ?? 10_000, this.o.breakerMinCalls ?? 20)]);
  }

  /**
   * Runs one legacy call of `kind` (`key` names the kind of call a maintenance window applies to,
   * e.g. the billing operation) under the whole stack. `fn` gets a signal that aborts when the
   * budget is spent. Always rejects with a {@link ProductError}.
   */
  async execute<T>(kind: CallKind, key: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const windowEnd = this.windows.get(key);
    if (windowEnd !== undefined) {
      const left = windowEnd - this.now();
      if (left > 0) throw this.unavailable(`${this.system} is in a maintenance window for ${key}; not called until it ends.`, left);
      this.windows.delete(key);
    }
    if (this.isOpen()) {
      throw this.unavailable(`${this.system} failed repeatedly; calls are suspended for a moment (circuit open).`, this.o.breakerHalfOpenAfterMs - (this.now() - this.openedAt));
    }
    // One attempt: a slot in the bulkhead, then the call; what it threw becomes a ProductError.
    const attempt = (signal: AbortSignal): Promise<T> =>
      this.bulkhead.execute(async () => {
        try {
          return await fn(signal);
        } catch (e) {
          // The budget ran out and aborted the call: that is the time-out, not what the abort looked like.
          throw signal.aborted ? this.budgetSpent(e) : this.coerce(kind, key, e);
        }
      });
    const maxRetryAfterS = this.o.maxRetryAfterS ?? 2;
    const retries = kind === 'read' ? this.o.retryAttempts : 0;
    const retrying = retry(
      handleWhen((e) => e instanceof ProductError && isPassing(e) && !NOT_RETRIED.has(e) && (e.retryAfterSeconds ?? 0) <= maxRetryAfterS),
      { maxAttempts: retries, backoff: new RetryBackoff(new ExponentialBackoff({ initialDelay: this.o.retryBaseMs ?? 50, maxDelay: this.o.retryMaxDelayMs ?? 1000 })) },
    );
    // abortOnReturn off: a call that answered needs no abort (and an abort per call costs a DOMException).
    const budget = timeout(this.o.budgetMs, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false });
    // One request: all its attempts and back-offs within the budget.
    const request = async (): Promise<T> => {
      try {
        return await budget.execute((_ctx, signal) => retrying.execute(() => attempt(signal), signal));
      } catch (e) {
        if (e instanceof ProductError) throw e;
        if (isTaskCancelledError(e)) throw this.budgetSpent(e);
        throw this.coerce(kind, key, e);
      }
    };
    try {
      // The breaker judges requests, after their retries: a request that failed every attempt, or
      // ran out of its budget, is one failure.
      const value = this.breaker ? await this.breaker.execute(request) : await request();
      this.record(true);
      return value;
    } catch (e) {
      throw e instanceof ProductError ? e : this.coerce(kind, key, e);
    }
  }

  private coerce(kind: CallKind, key: string, e: unknown): ProductError {
    if (isTaskCancelledError(e)) return this.budgetSpent(e);
    if (isBrokenCircuitError(e)) {
      const err = this.unavailable(`${this.system} failed repeatedly; calls are suspended for a moment (circuit open).`, this.o.breakerHalfOpenAfterMs - (this.now() - this.openedAt));
      return err;
    }
    const err = this.o.toProductError(e);
    if (isBulkheadRejectedError(e) || isBulkheadRejectedError(err.cause)) {
      NOT_RETRIED.add(err);
      NOT_COUNTED.add(err);
    }
    const window = this.o.windowOf?.(err, kind);
    if (window !== undefined) {
      const seconds = window === true ? (err.retryAfterSeconds ?? this.o.windowDefaultS ?? 30) : window;
      this.windows.set(key, this.now() + seconds * 1000);
      NOT_RETRIED.add(err);
      NOT_COUNTED.add(err);
    } else if (isPassing(err) || err.code === 'LEGACY_BAD_RESPONSE') {
      this.record(false);
    }
    this.remember(err);
    return err;
  }

  private budgetSpent(cause: unknown): ProductError {
    const err = new ProductError('LEGACY_TIMEOUT', this.system, `${this.system} did not answer within its budget of ${this.o.budgetMs} ms (all attempts together).`, { cause });
    NOT_RETRIED.add(err);
    this.record(false);
    this.remember(err);
    return err;
  }

  /** Open, and not yet time for a half-open probe (cockatiel moves to half-open only on the next call). */
  private isOpen(): boolean {
    return this.breaker?.state === CircuitState.Open && this.now() - this.openedAt < this.o.breakerHalfOpenAfterMs;
  }

  private unavailable(message: string, leftMs: number): ProductError {
    const err = new ProductError('LEGACY_UNAVAILABLE', this.system, message, { retryable: true, retryAfterSeconds: Math.max(1, Math.ceil(leftMs / 1000)) });
    NOT_RETRIED.add(err);
    NOT_COUNTED.add(err);
    return err;
  }

  private remember(err: ProductError): void {
    this.lastError = { code: err.code, message: err.message, at: this.now() };
  }

  private record(ok: boolean): void {
    this.outcomes.push(ok);
    if (this.outcomes.length > 20) this.outcomes.shift();
  }

  /** For `/health/ready` (whichever condition opened the breaker): down while the breaker is open; degraded in a window, half-open, or after recent failures. */
  state(): ResilienceState {
    const b = this.breaker?.state;
    const breaker = this.isOpen() || b === CircuitState.Isolated ? 'open' : b === CircuitState.HalfOpen || b === CircuitState.Open ? 'halfOpen' : 'closed';
    const now = this.now();
    let until = 0;
    const calls: string[] = [];
    for (const [key, end] of this.windows) {
      if (end > now) {
        calls.push(key);
        until = Math.max(until, end);
      }
    }
    const failed = this.outcomes.filter((ok) => !ok).length;
    const state = breaker === 'open' ? 'down' : calls.length || breaker === 'halfOpen' || failed > 0 ? 'degraded' : 'up';
    return {
      state,
      breaker,
      ...(calls.length ? { window: { until: new Date(until).toISOString(), calls } } : {}),
      ...(this.lastError ? { lastError: { code: this.lastError.code, message: this.lastError.message, at: new Date(this.lastError.at).toISOString() } } : {}),
    };
  }
}

/** A stack that only limits concurrency (no budget beyond the client's own, no retries, no breaker): for client tests. */
export function passThroughSettings(): ResilienceSettings {
  return { budgetMs: 600_000, retryAttempts: 0, breakerThreshold: 0, breakerHalfOpenAfterMs: 1 };
}
