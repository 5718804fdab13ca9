import type { Money } from './domain.js';

/**
 * Exact money arithmetic over whole fen (1/100 CNY), in bigint: never through floating point, so
 * `-12345` fen is always `"-123.45"` and sums and averages are exact to the fen.
 */

export const CURRENCY = 'CNY';

/** Whole fen → `Money` with a two-place decimal string: `-12345n` → `"-123.45"`, `5n` → `"0.05"`. */
export function moneyFromFen(fen: bigint): Money {
  const negative = fen < 0n;
  const digits = (negative ? -fen : fen).toString().padStart(3, '0');
  const amount = `${negative ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
  return { amount, currency: CURRENCY, fen };
}

export function sumMoney(values: readonly Money[]): Money {
  return moneyFromFen(values.reduce((acc, m) => acc + m.fen, 0n));
}

/** `fen ÷ divisor`, rounded to the nearest fen, halves away from zero (commercial rounding). */
export function divideFen(fen: bigint, divisor: bigint): bigint {
  if (divisor <= 0n) throw new RangeError('divisor must be positive');
  const negative = fen < 0n;
  const abs = negative ? -fen : fen;
  const q = (2n * abs + divisor) / (2n * divisor);
  return negative ? -q : q;
}
