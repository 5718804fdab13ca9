/**
 * The loyalty ledger's payloads exactly as it sends them (docs/legacy-systems.md, "Loyalty"):
 * `GET /loyalty/balance?customers=1-ABC,1-DEF` answers `text/csv`, CRLF line ends, a header line
 * `customerId,points,tier,expiringPoints,expiryDate`, then one line per customer the ledger
 * knows (unknown ones are simply absent). Errors are one line `ERR,<code>,<message>`.
 * Only this folder sees these shapes; `normalize.ts` turns them into domain values.
 */

export const BALANCE_COLUMNS = ['customerId', 'points', 'tier', 'expiringPoints', 'expiryDate'] as const;

/** One balance line, every field as the text the ledger wrote. */
export type WireBalance = Record<(typeof BALANCE_COLUMNS)[number], string>;

/**
 * Splits a balance answer into its lines, checking the header; throws (with the line number) on
 * an unexpected header, a line with the wrong number of fields, or a last line without its CRLF
 * (an answer cut off part way).
 */
export function parseBalanceCsv(text: string): WireBalance[] {
  if (!text.endsWith('\n')) throw new Error('the answer does not end with a line break, probably cut off');
  const lines = text.split(/\r?\n/).slice(0, -1);
  const header = lines[0]?.split(',').map((s) => s.trim());
  if (!header || header.join(',') !== BALANCE_COLUMNS.join(',')) {
    throw new Error(`the header line is ${JSON.stringify(lines[0] ?? '')}, expected ${BALANCE_COLUMNS.join(',')}`);
  }
  return lines.slice(1).flatMap((line, k) => {
    if (line.trim() === '') return [];
    const fields = line.split(',');
    if (fields.length !== BALANCE_COLUMNS.length) throw new Error(`line ${k + 2} has ${fields.length} fields, expected ${BALANCE_COLUMNS.length}`);
    return [Object.fromEntries(BALANCE_COLUMNS.map((c, i) => [c, fields[i]!])) as WireBalance];
  });
}
