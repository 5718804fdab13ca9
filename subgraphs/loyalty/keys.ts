/**
 * The keys this subgraph accepts. A malformed key is refused (BAD_USER_INPUT) before the loyalty
 * system is ever asked.
 */

/** CRM Row Id: `1-` and six upper-case letters or digits, e.g. `1-7QX3KD`. */
const CUSTOMER_ID = /^1-[0-9A-Z]{6}$/;

export const CUSTOMER_ID_FORMAT = 'a CRM Row Id: 1- and 6 upper-case letters or digits, e.g. 1-7QX3KD';

export function isCustomerId(id: string): boolean {
  return CUSTOMER_ID.test(id);
}
