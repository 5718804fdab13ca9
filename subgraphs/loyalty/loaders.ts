import DataLoader from 'dataloader';
import { staleIfError, type StaleContext } from '../shared/staleCache.js';
import type { LoyaltyClient } from './client/LoyaltyClient.js';
import type { LoyaltyAccount } from './domain.js';
import { isCustomerId } from './keys.js';

/**
 * Per-request DataLoaders in front of every loyalty read (design.md, "Performance principles").
 * Each answers in key order with `null` for what the system does not know; a failed call rejects
 * every key of its batch; nothing is read twice within a request. Malformed keys never reach the
 * system: they are unknown (null) here.
 */

export interface Loaders {
  /** Balance by CRM Row Id (`GET /loyalty/balance`, one call per `batchSize` customers). */
  readonly account: DataLoader<string, LoyaltyAccount | null>;
}

export interface LoaderOptions {
  /** Keys per batch call. @default 50 (the ledger's limit) */
  readonly batchSize?: number;
  /** Stale-if-error (subgraphs/shared/staleCache.ts): the last value of a customer, served when the loyalty ledger fails. @default none */
  readonly stale?: StaleContext | undefined;
}

export function createLoaders(client: LoyaltyClient, options: LoaderOptions = {}): Loaders {
  const account = new DataLoader<string, LoyaltyAccount | null>(
    (ids) =>
      staleIfError(options.stale, 'LoyaltyAccount', ids, async () => {
        const valid = ids.filter(isCustomerId);
        const found = valid.length ? await client.accountsByCustomerIds(valid) : [];
        const byId = new Map(found.map((a) => [a.customerId, a]));
        return ids.map((id) => byId.get(id) ?? null);
      }),
    { maxBatchSize: options.batchSize ?? 50 },
  );
  return { account };
}
