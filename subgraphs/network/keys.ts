/**
 * The keys this subgraph accepts, as design.md "Keys and formats" writes them. A malformed key is
 * refused (BAD_USER_INPUT on a root argument) or taken as unknown (in a representation) before the
 * NMS is ever asked.
 */

/** mobile `1[3-9]` + 9 digits; fixed `0` + area code + 8 digits; broadband `AD` + 10 digits; leased line circuit id. */
const SERVICE_NUMBER = /^(?:1[3-9]\d{9}|0\d{10,11}|AD\d{10}|[A-Z]{2}-[A-Z]{2}-[A-Z]{2,8}-\d{2}-\d{5})$/;
/** `SZ-BTS-0712`, `SZ-AGG-03`, `GD-CORE-01`. */
const ELEMENT_ID = /^[A-Z]{2}-[A-Z]{2,5}-\d{2,4}$/;
/** A positive integer, at any size (ids beyond 2³¹ exist). */
const ALARM_ID = /^[1-9]\d{0,15}$/;
/** `OUT-GD-SZ-0007`. */
const OUTAGE_ID = /^OUT-[A-Z]{2}-[A-Z]{2}-\d{4}$/;
/** Province and local-network codes: `GD`, `SZ`. */
const REGION_CODE = /^[A-Z]{2}$/;

export const SERVICE_NUMBER_FORMAT =
  'a service number: 11 mobile digits (13812345678), 0 + area code + 8 digits (075526881234), AD + 10 digits (AD0755123456) or a circuit id (GD-SZ-MSTP-04-00123)';
export const ELEMENT_ID_FORMAT = 'a network element id such as SZ-BTS-0712, SZ-AGG-03 or GD-CORE-01';
export const ALARM_ID_FORMAT = 'a positive whole number such as 4417203';
export const OUTAGE_ID_FORMAT = 'an outage id such as OUT-GD-SZ-0007';
export const REGION_CODE_FORMAT = 'two upper-case letters such as GD (province) or SZ (local network)';

/**
 * The cache key of a service number: surrounding blanks dropped and letters upper-cased (`ad…`
 * and `ad…` are one broadband account), or undefined when it is no service number at all.
 */
export function normalizeServiceNumber(raw: string): string | undefined {
  const n = raw.trim().toUpperCase();
  return SERVICE_NUMBER.test(n) ? n : undefined;
}

export function isElementId(id: string): boolean {
  return ELEMENT_ID.test(id);
}

export function isAlarmId(id: string): boolean {
  return ALARM_ID.test(id);
}

export function isOutageId(id: string): boolean {
  return OUTAGE_ID.test(id);
}

export function isRegionCode(code: string): boolean {
  return REGION_CODE.test(code);
}
