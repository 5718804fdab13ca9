/**
 * The loyalty subgraph's domain values: what the client gives after normalising the ledger's CSV,
 * and what resolvers receive. No wire shape gets past the client.
 */

/** A customer as another subgraph refers to it: the key only. */
export interface CustomerRef {
  /** CRM Row Id, e.g. `1-7QX3KD`. */
  readonly id: string;
}

export type LoyaltyTier = 'BRONZE' | 'SILVER' | 'GOLD' | 'PLATINUM';

/** One customer's points balance in the loyalty ledger. */
export interface LoyaltyAccount {
  /** The CRM Row Id the balance is filed under. */
  readonly customerId: string;
  readonly points: number;
  readonly tier: LoyaltyTier;
  /** Points that lapse on {@link expiresOn}; 0 when none do. */
  readonly expiringPoints: number;
  /** ISO-8601 date, e.g. `2026-12-31`; null when nothing expires. */
  readonly expiresOn: string | null;
}
