import type { Logger } from '../lib/logger.js';
import type { Viewer } from '../lib/viewer.js';

/** Per-request state at the gateway. */
export interface GatewayContext {
  /** Accepted from the caller's `x-request-id` or generated; forwarded to every subgraph. */
  readonly requestId: string;
  /** New for every request, never the caller's: sent to the subgraphs as `x-query-id` (lib/requestIds.ts). Optional for contexts built elsewhere (tests). */
  readonly queryId?: string;
  /** The subgraphs this request's plan fetches from more than once (set once the plan is known): only they get `x-query-id`. */
  fetchedTwice?: ReadonlySet<string>;
  readonly logger: Logger;
  /** Who is asking (from the caller's verified token; docs/security.md). Optional for contexts built elsewhere (tests). */
  readonly viewer?: Viewer;
  /** The viewer signed by the gateway for the subgraphs (`x-viewer`); absent when nothing signs (auth disabled without a key). */
  readonly viewerToken?: string;
  /**
   * The viewer's roles and region (`scopeKeyOf`), part of every cache and deduplication key
   * (design.md, "Performance principles"): two requests share a subgraph call only within one
   * scope. Optional for contexts built elsewhere (tests): absent, the request shares nothing.
   */
  readonly scopeKey?: string;
  /**
   * The `extensions` of every subgraph response of this request (the data source collects them;
   * {@link forwardSubgraphExtensions} merges them into the client's response). Optional so that
   * contexts built elsewhere (tests) need not carry it.
   */
  readonly subgraphExtensions?: Record<string, unknown>[];
}

/**
 * design.md, "Errors": the gateway forwards subgraph response `extensions` (e.g. `stale`) into the
 * client's response, which @apollo/gateway drops by default. Arrays under the same key are
 * concatenated (`stale` from several subgraphs); other values: the first one wins.
 */
export function mergeExtensions(parts: readonly Record<string, unknown>[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const part of parts) {
    for (const [key, value] of Object.entries(part)) {
      const have = out[key];
      if (Array.isArray(value)) out[key] = Array.isArray(have) ? [...have, ...value] : have === undefined ? [...value] : have;
      else if (have === undefined) out[key] = value;
    }
  }
  return out;
}
