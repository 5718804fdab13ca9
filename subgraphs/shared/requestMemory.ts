import type { StaleContext } from './staleCache.js';
import { staleIfError } from './staleCache.js';

/**
 * What one gateway request has read, kept for that request's later fetches to the same subgraph.
 *
 * The gateway may ask a subgraph twice in one query — first for what other subgraphs wait on (a
 * customer's id and lines), then, beside those subgraphs, for the rest (its balances and bills;
 * gateway/parallelPlan.ts) — and the second fetch re-resolves the entity by its key. Without this,
 * that costs a second legacy read of the same record moments after the first. With it, the
 * record the first fetch read is answered again, to the same request only: entries are keyed by
 * the viewer's scope and the gateway's id of the client request (`x-query-id`, new for every
 * request, lib/requestIds.ts), and live a few seconds (`<SYSTEM>_REQUEST_MEMORY_MS`). Nothing is shared between two requests, so this is no
 * cache: a new query always reads the legacy system again.
 */
export class RequestMemory {
  private readonly entries = new Map<string, { value: unknown; at: number }>();
  private readonly now: () => number;

  constructor(readonly options: { readonly ttlMs: number; readonly maxEntries?: number; readonly now?: () => number }) {
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  private static key(ns: string, type: string, key: string): string {
    // \u0000 cannot occur in a scope key, a request id, a type or a legacy key.
    return `${ns}\u0000${type}\u0000${key}`;
  }

  set(ns: string, type: string, key: string, value: unknown): void {
    if (this.options.ttlMs <= 0) return;
    const k = RequestMemory.key(ns, type, key);
    const now = this.now();
    this.entries.delete(k);
    this.entries.set(k, { value, at: now });
    const max = this.options.maxEntries ?? 10_000;
    // Oldest first out: by size, and the expired ones at the front on every write.
    while (this.entries.size > max) this.entries.delete(this.entries.keys().next().value!);
    const cutoff = now - this.options.ttlMs;
    for (const [key, e] of this.entries) {
      if (e.at >= cutoff) break;
      this.entries.delete(key);
    }
  }

  get<V>(ns: string, type: string, key: string): V | undefined {
    const e = this.entries.get(RequestMemory.key(ns, type, key));
    return e && this.now() - e.at <= this.options.ttlMs ? (e.value as V) : undefined;
  }
}

/** One request's view of the memory: its namespace is the viewer's scope and the request id. */
export interface MemoryContext {
  readonly memory: RequestMemory;
  readonly ns: string;
}

/** The memory context of one request; undefined without a memory, a scope or the gateway's query id. */
export function memoryContextFor(memory: RequestMemory | undefined, scope: { readonly scopeKey?: string; readonly queryId?: string }): MemoryContext | undefined {
  if (!memory || memory.options.ttlMs <= 0 || scope.scopeKey === undefined || !scope.queryId) return undefined;
  return { memory, ns: `${scope.scopeKey}\u0000${scope.queryId}` };
}

/**
 * A batch read: keys this request already read (in an earlier fetch) are answered from its
 * memory, the others go to the legacy system in one `load` (under stale-if-error); what is read
 * — a value or a key's failure — is remembered for the request's later fetches. `type` names the entity for stale-if-error.
 */
export async function rememberedOrLoad<V>(
  memo: MemoryContext | undefined,
  stale: StaleContext | undefined,
  type: string,
  keys: readonly string[],
  load: (keys: readonly string[]) => Promise<readonly (V | null | Error)[]>,
  /** The memory's name for these keys when one type has keys of several kinds (`Customer:AcctKey`). @default type */
  memoType = type,
): Promise<(V | null | Error)[]> {
  if (!memo) return staleIfError(stale, type, keys, () => load(keys));
  const out: (V | null | Error)[] = new Array(keys.length);
  const missing: string[] = [];
  const positions: number[] = [];
  keys.forEach((key, i) => {
    const hit = memo.memory.get<V>(memo.ns, memoType, key);
    if (hit !== undefined) out[i] = hit;
    else {
      missing.push(key);
      positions.push(i);
    }
  });
  if (!missing.length) return out;
  const answers = await staleIfError(stale, type, missing, () => load(missing));
  answers.forEach((a, j) => {
    out[positions[j]!] = a;
    // A failure too: one request never waits twice for the same failing read (a hanging
    // system would otherwise cost the request its budget once per fetch).
    if (a !== null) memo.memory.set(memo.ns, memoType, missing[j]!, a);
  });
  return out;
}

/** Remembers a value for the request under one more key (a customer read by line number, by its id too). */
export function remember(memo: MemoryContext | undefined, type: string, key: string, value: unknown): void {
  memo?.memory.set(memo.ns, type, key, value);
}
