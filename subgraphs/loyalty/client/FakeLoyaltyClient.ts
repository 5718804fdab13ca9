import type { ProductError } from '../../../lib/errors.js';
import type { LoyaltyAccount } from '../domain.js';
import type { LoyaltyClient } from './LoyaltyClient.js';

/** What a {@link FakeLoyaltyClient} knows: domain values, as the HTTP client would answer them. */
export interface FakeLoyaltyData {
  readonly accounts?: readonly LoyaltyAccount[];
}

export type FakeCall = { readonly method: keyof LoyaltyClient; readonly args: readonly unknown[] };

/**
 * An in-memory loyalty ledger for resolver tests: answers from {@link FakeLoyaltyData}, records
 * every call (`calls`) and fails any method on demand (`fail`). No HTTP, no batching limits.
 */
export class FakeLoyaltyClient implements LoyaltyClient {
  readonly calls: FakeCall[] = [];
  private readonly failures = new Map<keyof LoyaltyClient, ProductError>();

  constructor(private readonly data: FakeLoyaltyData = {}) {}

  /** Makes every later call of `method` throw `error` (e.g. a LEGACY_UNAVAILABLE ProductError). */
  fail(method: keyof LoyaltyClient, error: ProductError): this {
    this.failures.set(method, error);
    return this;
  }

  /** How many times `method` was called. */
  count(method: keyof LoyaltyClient): number {
    return this.calls.filter((c) => c.method === method).length;
  }

  private record(method: keyof LoyaltyClient, ...args: unknown[]): void {
    this.calls.push({ method, args });
    const failure = this.failures.get(method);
    if (failure) throw failure;
  }

  async accountsByCustomerIds(customerIds: readonly string[]): Promise<LoyaltyAccount[]> {
    this.record('accountsByCustomerIds', customerIds);
    const wanted = new Set(customerIds);
    return (this.data.accounts ?? []).filter((a) => wanted.has(a.customerId));
  }
}
