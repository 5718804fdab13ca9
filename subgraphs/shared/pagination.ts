import { badUserInput, type ErrorSystem } from '../../lib/errors.js';

/**
 * Relay cursors over offset-paged legacy lists. A cursor is opaque to clients: base64url of
 * `o:<offset>` (the position after which the next page starts).
 */

/** design.md: `first` is at most 100 on every connection. */
export const MAX_FIRST = 100;

export function encodeCursor(offset: number): string {
  return Buffer.from(`o:${offset}`).toString('base64url');
}

/** The offset to start at after `after` (0 without a cursor). A cursor we did not issue is BAD_USER_INPUT. */
export function offsetAfter(system: ErrorSystem, after: string | null | undefined): number {
  if (after === null || after === undefined) return 0;
  const m = /^o:(\d{1,9})$/.exec(Buffer.from(after, 'base64url').toString('utf8'));
  if (!m) throw badUserInput(system, 'after', after, 'a cursor from a previous page (edges.cursor or pageInfo.endCursor)');
  return Number(m[1]) + 1;
}

/** Checks `first` (or any page size argument) against the documented maximum. */
export function checkFirst(system: ErrorSystem, first: number | null | undefined, max = MAX_FIRST, argument = 'first'): number {
  const n = first ?? 20;
  if (!Number.isInteger(n) || n < 0 || n > max) {
    throw badUserInput(system, argument, first, `a whole number from 0 to ${max} (the maximum page size)`);
  }
  return n;
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** Builds a connection from one page of items that starts at `offset`. */
export function connection<T>(items: readonly T[], offset: number, hasNextPage: boolean): Connection<T> {
  const edges = items.map((node, k) => ({ cursor: encodeCursor(offset + k), node }));
  return { edges, pageInfo: { hasNextPage, endCursor: edges.length ? edges[edges.length - 1]!.cursor : null } };
}
