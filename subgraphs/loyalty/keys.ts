/**
 * The keys this subgraph accepts. A malformed key is taken as unknown (null) before the loyalty
 * system is ever asked.
 */

/** CRM Row Id: `1-` and six upper-case letters or digits, e.g. `1-7QX3KD`. */
const CUSTOMER_ID = /^1-[0-9A-Z]{6}$/;

export function isCustomerId(id: string): boolean {
  return CUSTOMER_ID.test(id);
}
