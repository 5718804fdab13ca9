/**
 * Billing's calendar: cycles are calendar months of Asia/Shanghai local time (legacy-contracts §1),
 * and "the last N cycles" and "the last 12 months" are counted from now on that calendar. The clock
 * is injected (`now`), so tests can pin it to the emulator's.
 */

const SHANGHAI_OFFSET_MS = 8 * 3600_000;

/** The Shanghai calendar month an instant falls in, as `{ y, m }` (m 1-based). */
function monthOf(ms: number): { y: number; m: number } {
  const t = new Date(ms + SHANGHAI_OFFSET_MS);
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1 };
}

/** `YYYY-MM` of the month `delta` months from `{ y, m }`. */
function addMonths({ y, m }: { y: number; m: number }, delta: number): string {
  const k = y * 12 + (m - 1) + delta;
  return `${String(Math.floor(k / 12)).padStart(4, '0')}-${String((k % 12) + 1).padStart(2, '0')}`;
}

/**
 * The last `n` complete billing cycles at `now`, as an inclusive period range: the bill for cycle M
 * is issued on the 1st of M+1 (docs/legacy-systems/billing.md, QueryBillList), so at any time in
 * November the newest bill is October's, and `n = 6` covers May–October.
 */
export function lastCycles(now: number, n: number): { from: string; to: string } {
  const current = monthOf(now);
  return { from: addMonths(current, -n), to: addMonths(current, -1) };
}

/** The instant 12 calendar months before `now` (Shanghai wall clock; 29 February → 28th). */
export function twelveMonthsBefore(now: number): number {
  const t = new Date(now + SHANGHAI_OFFSET_MS);
  const y = t.getUTCFullYear() - 1;
  const mo = t.getUTCMonth();
  const lastDay = new Date(Date.UTC(y, mo + 1, 0)).getUTCDate();
  const d = Math.min(t.getUTCDate(), lastDay);
  return Date.UTC(y, mo, d, t.getUTCHours(), t.getUTCMinutes(), t.getUTCSeconds(), t.getUTCMilliseconds()) - SHANGHAI_OFFSET_MS;
}

