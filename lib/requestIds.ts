/**
 * The ids that travel with a request between the caller, the gateway, the subgraphs and the
 * legacy systems, and the one rule for accepting them from a header.
 */

/**
 * One id per client request, new each time, that the gateway sends to the subgraphs a plan asks
 * more than once (unlike `x-request-id`, which the caller may choose and reuse): what one fetch read
 * is at hand for the same request's later fetches (subgraphs/shared/requestMemory.ts).
 */
export const QUERY_ID_HEADER = 'x-query-id';

/** A header's value when it is a usable id (letters, digits, `_.:-`, at most 128); undefined otherwise. */
export function idFromHeader(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && /^[\w.:-]{1,128}$/.test(value) ? value : undefined;
}
