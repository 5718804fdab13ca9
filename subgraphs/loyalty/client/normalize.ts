import type { LoyaltyAccount, LoyaltyTier } from '../domain.js';
import type { WireBalance } from './wire.js';

/**
 * Ledger CSV → domain, one small function per quirk (docs/legacy-systems.md, "Loyalty"). Each
 * throws on what it cannot read; the client turns that into LEGACY_BAD_RESPONSE.
 */

/** The ledger's one-letter tier codes. */
const TIERS: Record<string, LoyaltyTier> = { B: 'BRONZE', S: 'SILVER', G: 'GOLD', P: 'PLATINUM' };

export function tierFromCode(code: string): LoyaltyTier {
  const tier = TIERS[code.trim().toUpperCase()];
  if (!tier) throw new Error(`tier "${code}" is not one of B, S, G, P`);
  return tier;
}

/** Points are whole numbers written without separators. */
export function points(field: string, value: string): number {
  const t = value.trim();
  if (!/^\d{1,9}$/.test(t)) throw new Error(`${field} "${value}" is not a whole number of points`);
  return Number(t);
}

/** `20261231` → `2026-12-31`; blank (nothing expires) → null. */
export function expiryDate(value: string): string | null {
  const t = value.trim();
  if (t === '') return null;
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(t);
  const iso = m ? `${m[1]}-${m[2]}-${m[3]}` : '';
  const d = new Date(`${iso}T00:00:00Z`);
  if (!m || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== iso) throw new Error(`expiryDate "${value}" is not a date yyyyMMdd`);
  return iso;
}

export function toAccount(w: WireBalance): LoyaltyAccount {
  const expiringPoints = points('expiringPoints', w.expiringPoints);
  return {
    customerId: w.customerId.trim(),
    points: points('points', w.points),
    tier: tierFromCode(w.tier),
    expiringPoints,
    // Nothing lapses without a date, and a date with nothing lapsing says nothing.
    expiresOn: expiringPoints > 0 ? expiryDate(w.expiryDate) : null,
  };
}
