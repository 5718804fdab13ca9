import type { CallKind } from './resilience.js';

/**
 * In-flight deduplication of legacy reads across concurrent requests (issue 4, "fewest legacy
 * calls"): while a read of one operation with the same keys in the same viewer scope is on its
 * way, an identical read waits for it instead of making its own call. Nothing is kept once the
 * call settles (no caching: the next read goes out again); a failure reaches every waiter; writes
 * are never shared. The key always includes the scope (design.md: "cache and deduplication keys
 * always include the viewer's scope"), so two scopes never share a call; without a known scope
 * nothing is shared.
 *
 * What is shared is the raw answer of the call: each client turns it into domain values per
 * caller, so no two requests hold the same domain objects.
 */
export class InflightDedup {
  private readonly inflight = new Map<string, Promise<unknown>>();

  constructor(readonly enabled = true) {}

  /** Calls in flight now (for tests and metrics). */
  get size(): number {
    return this.inflight.size;
  }

  /**
   * Runs `call`, or joins the identical call already in flight. `op` names the operation and
   * `keys` is its canonical request text (keys, filters, paging): the same text is the same read.
   */
  run<T>(kind: CallKind, scopeKey: string | undefined, op: string, keys: string, call: () => Promise<T>): Promise<T> {
    if (!this.enabled || kind !== 'read' || scopeKey === undefined) return call();
    // \u0000 cannot occur in a scope key or an operation name: no two triples share a key.
    const key = `${scopeKey}\u0000${op}\u0000${keys}`;
    const pending = this.inflight.get(key);
    if (pending) return pending as Promise<T>;
    // Started a microtask later, so that it is in the map before it can settle (even if `call` throws at once).
    const started = Promise.resolve()
      .then(call)
      .finally(() => this.inflight.delete(key));
    this.inflight.set(key, started);
    return started;
  }
}
