/**
 * The keys this subgraph accepts, as design.md "Keys and formats" writes them. A malformed key is
 * refused (BAD_USER_INPUT on a root argument) or taken as unknown (in a representation) before
 * billing is ever asked.
 */

/** mobile `1[3-9]` + 9 digits; fixed `0` + area code + 8 digits; broadband `AD` + 10 digits; leased-line circuit id. */
const SERVICE_NUMBER = /^(?:1[3-9]\d{9}|0\d{10,11}|AD\d{10}|[A-Z]{2}-[A-Z]{2}-[A-Z]{2,8}-\d{2}-\d{5})$/;
/** CRM Row Id: `1-` + 6 upper-case letters or digits. */
const CUSTOMER_ID = /^1-[A-Z0-9]{6}$/;
/** AcctKey: 10 digits, a prepaid one sometimes written with `PRE-` (legacy-contracts §1). */
const ACCOUNT_NUMBER = /^(?:PRE-)?(\d{10})$/;

export const SERVICE_NUMBER_FORMAT =
  'a service number: 11 mobile digits (13812345678), 0 + area code + 8 digits (075526881234), AD + 10 digits (AD0755123456) or a circuit id (GD-SZ-MSTP-04-00123)';
export const CUSTOMER_ID_FORMAT = 'a CRM Row Id: 1- and 6 upper-case letters or digits, e.g. 1-7QX3KD';
export const ACCOUNT_NUMBER_FORMAT = 'an account number of 10 digits, e.g. 3300098765';

/**
 * The cache key of a service number: surrounding blanks dropped and letters upper-cased (`ad…` and
 * `AD…` are one broadband account), or undefined when it is no service number at all.
 */
export function normalizeServiceNumber(raw: string): string | undefined {
  const n = raw.trim().toUpperCase();
  return SERVICE_NUMBER.test(n) ? n : undefined;
}

/** A CRM Row Id as billing stores it (`CrmCustId`), or undefined when malformed. */
export function normalizeCustomerId(raw: string): string | undefined {
  const id = raw.trim().toUpperCase();
  return CUSTOMER_ID.test(id) ? id : undefined;
}

/**
 * The cache key of an account number: 10 digits, the `PRE-` prefix stripped (legacy-contracts §1:
 * prepaid keys carry it in some places and not in others; billing accepts either in requests), or
 * undefined when malformed.
 */
export function normalizeAccountNumber(raw: string): string | undefined {
  return ACCOUNT_NUMBER.exec(raw.trim().toUpperCase())?.[1];
}
