/**
 * The keys and filter values this subgraph accepts (design.md "Keys and formats"). A malformed
 * key is refused (BAD_USER_INPUT on a root argument) or taken as unknown (in a representation)
 * before the CRM is ever asked.
 */

/** CRM `Row Id`: `1-` + 6 upper-case letters or digits. */
const CUSTOMER_ID = /^1-[A-Z0-9]{6}$/;
/** CRM `SR Number`: `1-` + 9 digits. */
const TICKET_ID = /^1-\d{9}$/;
/** Province and local-network codes: `GD`, `SZ`. */
const REGION_CODE = /^[A-Z]{2}$/;
/** A resident ID (18 characters, last may be X) or an organisation code: letters and digits. */
const ID_NUMBER = /^[0-9A-Z]{6,30}$/;
/** A contact phone: a mobile or fixed number, digits only (an optional leading +). */
const PHONE = /^\+?\d{5,20}$/;
/** LIKE wildcards (`*`, `?`) that a Siebel searchspec cannot escape, and control characters. */
const NAME_FORBIDDEN = /[*?\p{Cc}]/u;
export const NAME_MAX_LENGTH = 100;

export const CUSTOMER_ID_FORMAT = 'a CRM Row Id: 1- and 6 upper-case letters or digits, e.g. 1-7QX3KD';
export const TICKET_ID_FORMAT = 'an SR number: 1- and 9 digits, e.g. 1-204817733';
export const REGION_CODE_FORMAT = 'two letters such as GD (province) or SZ (local network)';
export const ID_NUMBER_FORMAT = 'an identification number of 6 to 30 letters or digits, e.g. 440305198803150012';
export const PHONE_FORMAT = 'a phone number of 5 to 20 digits, e.g. 13812345678';
export const NAME_FORMAT = `a name prefix of 1 to ${NAME_MAX_LENGTH} characters without * or ?, e.g. 陈`;

export function isCustomerId(id: string): boolean {
  return CUSTOMER_ID.test(id);
}

export function isTicketId(id: string): boolean {
  return TICKET_ID.test(id);
}

/** The cache key of a representation's id: surrounding blanks dropped, or undefined when malformed. */
export function normalizeCustomerId(raw: string): string | undefined {
  const id = raw.trim();
  return isCustomerId(id) ? id : undefined;
}

export function normalizeTicketId(raw: string): string | undefined {
  const id = raw.trim();
  return isTicketId(id) ? id : undefined;
}

/** A region code, upper-cased, or undefined when malformed. */
export function normalizeRegionCode(raw: string): string | undefined {
  const code = raw.trim().toUpperCase();
  return REGION_CODE.test(code) ? code : undefined;
}

export function normalizeIdNumber(raw: string): string | undefined {
  const n = raw.trim().toUpperCase();
  return ID_NUMBER.test(n) ? n : undefined;
}

export function normalizePhone(raw: string): string | undefined {
  const n = raw.trim();
  return PHONE.test(n) ? n : undefined;
}

export function normalizeNamePrefix(raw: string): string | undefined {
  const n = raw.trim();
  return n.length >= 1 && n.length <= NAME_MAX_LENGTH && !NAME_FORBIDDEN.test(n) ? n : undefined;
}
