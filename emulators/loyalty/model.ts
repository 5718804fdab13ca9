import { hash } from '../shared/hash.js';
import { DAY, fromLocal, localParts } from '../shared/time.js';
import type { World } from '../shared/world.js';
import { LedgerError } from './errors.js';

/**
 * The points ledger's records and rules, computed from the world (nothing stored): individual
 * customers with a CRM star level are enrolled; their tier follows the star level, their points
 * a per-customer base times the tier's multiplier; part of the points expire at the end of the
 * current quarter. Organisations (no star level) are not enrolled: the ledger does not know them.
 */

/** The ledger's tier codes, as it writes them. */
export type TierCode = 'B' | 'S' | 'G' | 'P';

/** The most customers one balance call takes. */
export const BATCH_LIMIT = 50;

/** Points earn faster in higher tiers. */
export const TIER_MULTIPLIER: Record<TierCode, number> = { B: 1, S: 1.25, G: 1.5, P: 2 };

/** The CRM star level → the ledger's tier (`Near Star`, `1 Star` … `5 Star Diamond`). */
export function tierOf(starLevel: string): TierCode {
  if (starLevel.startsWith('5 Star')) return 'P';
  if (starLevel.startsWith('4 Star')) return 'G';
  if (starLevel.startsWith('2 Star') || starLevel.startsWith('3 Star')) return 'S';
  return 'B';
}

/** One customer's balance, as the ledger keeps it. */
export interface Balance {
  readonly customerId: string;
  readonly points: number;
  readonly tier: TierCode;
  /** Points that lapse at {@link expiryDate}; 0 when none do. */
  readonly expiringPoints: number;
  /** The last day of the current quarter (Shanghai calendar) as `yyyyMMdd`; empty when nothing expires. */
  readonly expiryDate: string;
}

/** Stream id of the loyalty records in the world's hash (apart from every other system's). */
const STREAM = 0x10_7a17;

/** The last day of the quarter `now` falls in, Shanghai calendar, as `yyyyMMdd`. */
export function quarterEnd(now: number): string {
  const { y, mo } = localParts(now);
  const endMonth = Math.floor((mo - 1) / 3) * 3 + 3;
  const last = localParts(fromLocal(endMonth === 12 ? y + 1 : y, endMonth === 12 ? 1 : endMonth + 1, 1) - DAY);
  return `${last.y}${String(last.mo).padStart(2, '0')}${String(last.d).padStart(2, '0')}`;
}

export class LoyaltyModel {
  constructor(private readonly world: World) {}

  /** The balance of the customer with this CRM Row Id, or undefined when the ledger does not know them. */
  balance(customerId: string, now: number): Balance | undefined {
    const i = this.world.customerIndexById(customerId);
    if (i < 0) return undefined;
    const c = this.world.customer(i);
    if (c.starLevel === null) return undefined;
    const tier = tierOf(c.starLevel);
    const h = hash(this.world.seed, STREAM, i);
    const points = Math.round((h % 20_000) * TIER_MULTIPLIER[tier]);
    // Up to 30 % of the points were earned over a year ago and lapse at the quarter's end.
    const expiringPoints = Math.floor((points * ((h >>> 16) % 31)) / 100);
    return { customerId: c.id, points, tier, expiringPoints, expiryDate: expiringPoints > 0 ? quarterEnd(now) : '' };
  }

  /** `customers=1-ABC,1-DEF`: the ids asked for, each once, in order; at most {@link BATCH_LIMIT}. */
  static parseCustomers(raw: string | null): string[] {
    if (raw === null || raw.trim() === '') throw new LedgerError('BAD_REQUEST', 'customers is required: a comma-separated list of customer ids');
    const ids = [...new Set(raw.split(',').map((s) => s.trim()).filter((s) => s !== ''))];
    if (ids.length > BATCH_LIMIT) throw new LedgerError('BATCH_TOO_LARGE', `at most ${BATCH_LIMIT} customers per call, got ${ids.length}`);
    return ids;
  }
}
