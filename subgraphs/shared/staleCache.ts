import { findProductError, type ErrorSystem } from '../../lib/errors.js';

/**
 * Stale-if-error (issue 5): a bounded, per-process, per-entity record of the last value each
 * legacy batch read answered, consulted only when a later read of the same entity fails with a
 * retryable error. Bounded by size (least recently used goes first) and by age; keyed by the
 * viewer's scope (design.md: "caches are bounded, short-lived, per entity, and keyed by the
 * viewer's scope"), so two scopes never share an entry.
 */

/** One value served from the stale cache, as the subgraph reports it in `extensions.stale`. */
export interface StaleNote {
  readonly system: Exclude<ErrorSystem, 'gateway'>;
  /** `<Type>:<key>`, e.g. `Customer:1-7QX3KD`. */
  readonly entity: string;
  readonly ageSeconds: number;
}

/** What a request brings to a stale read: its scope key and where to note what was served stale. */
export interface StaleScope {
  /** The viewer's scope (`'*'` until viewers exist). Part of every cache key. */
  readonly scopeKey: string;
  /** Collected per request; the shared server writes it to the response's `extensions.stale`. */
  readonly stale: StaleNote[];
}

export interface StaleCacheOptions {
  readonly system: Exclude<ErrorSystem, 'gateway'>;
  /** @default 10 000 */
  readonly maxEntries: number;
  /** @default 300 */
  readonly maxAgeSeconds: number;
  readonly now?: () => number;
}

export class StaleCache {
  private readonly entries = new Map<string, { value: unknown; at: number }>();
  private readonly now: () => number;

  constructor(readonly options: StaleCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  private static key(scopeKey: string, type: string, key: string): string {
    // \u0000 cannot occur in a scope key, a type or a legacy key: no two triples share a key.
    return `${scopeKey}\u0000${type}\u0000${key}`;
  }

  set(scopeKey: string, type: string, key: string, value: unknown): void {
    if (this.options.maxEntries < 1) return;
    const k = StaleCache.key(scopeKey, type, key);
    this.entries.delete(k);
    this.entries.set(k, { value, at: this.now() });
    while (this.entries.size > this.options.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  /** The last value of the entity in this scope, and its age in whole seconds; undefined when none or too old. */
  get<V>(scopeKey: string, type: string, key: string): { value: V; ageSeconds: number } | undefined {
    const k = StaleCache.key(scopeKey, type, key);
    const e = this.entries.get(k);
    if (!e) return undefined;
    const ageMs = this.now() - e.at;
    if (ageMs > this.options.maxAgeSeconds * 1000) {
      this.entries.delete(k);
      return undefined;
    }
    // Recently used: to the end of the LRU order.
    this.entries.delete(k);
    this.entries.set(k, e);
    return { value: e.value as V, ageSeconds: Math.floor(ageMs / 1000) };
  }
}

/** What a loader needs for stale-if-error: the process's cache and the request's scope. */
export interface StaleContext {
  readonly cache: StaleCache;
  readonly scope: StaleScope;
}

const isRetryable = (e: unknown) => findProductError(e)?.retryable === true;

/**
 * Wraps one batch read: values it answers are remembered; when the whole batch fails with a
 * retryable error, or one key does, each key with a remembered value gets it (noted in the
 * request's `stale`), the others the error. `type` names the entity (`Customer`); `keys` are the
 * batch's keys in order (the entity's key, as the cache knows it).
 */
export async function staleIfError<V>(
  stale: StaleContext | undefined,
  type: string,
  keys: readonly string[],
  load: () => Promise<readonly (V | null | Error)[]>,
): Promise<(V | null | Error)[]> {
  if (!stale) return [...(await load())];
  const { cache, scope } = stale;
  const fromCache = (key: string, err: Error): V | Error => {
    const hit = cache.get<V>(scope.scopeKey, type, key);
    if (!hit) return err;
    scope.stale.push({ system: cache.options.system, entity: `${type}:${key}`, ageSeconds: hit.ageSeconds });
    return hit.value;
  };
  let answers: readonly (V | null | Error)[];
  try {
    answers = await load();
  } catch (e) {
    if (!isRetryable(e)) throw e;
    const err = e instanceof Error ? e : new Error(String(e));
    return keys.map((k) => fromCache(k, err));
  }
  return answers.map((a, i) => {
    const key = keys[i]!;
    if (a instanceof Error) return isRetryable(a) ? fromCache(key, a) : a;
    if (a !== null) cache.set(scope.scopeKey, type, key, a);
    return a;
  });
}

/** The stale context of one request, when the process keeps a stale cache and the scope is known. */
export function staleContextFor(cache: StaleCache | undefined, scope: Partial<StaleScope>): StaleContext | undefined {
  if (!cache || scope.scopeKey === undefined || !scope.stale) return undefined;
  return { cache, scope: { scopeKey: scope.scopeKey, stale: scope.stale } };
}
