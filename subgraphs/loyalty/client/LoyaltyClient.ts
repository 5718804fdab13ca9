import type { BulkheadPolicy } from 'cockatiel';
import type { Logger } from '../../../lib/logger.js';
import { LegacyPolicy, passThroughSettings, type ResilienceSettings, type ResilienceState } from '../../shared/resilience.js';
import type { RequestScope, SystemState } from '../../shared/server.js';
import type { LoyaltyAccount } from '../domain.js';
import { LoyaltyBadResponseError, toProductError } from './errors.js';
import { createLoyaltyHttp, HTTPError, type LoyaltyHttp, type LoyaltyHttpOptions } from './http.js';
import { toAccount } from './normalize.js';
import { parseBalanceCsv } from './wire.js';

/**
 * What the subgraph asks of the loyalty points ledger, in domain values. Every method takes any number
 * of keys and answers what the system found (unknown keys are simply absent); batching at the
 * system's limit and the concurrency limit are the implementation's business. Failures are
 * {@link ProductError}s with `system: 'loyalty'`.
 */
export interface LoyaltyClient {
  /** `GET /loyalty/balance`: the balances of these customers (CRM Row Ids) that the ledger knows. */
  accountsByCustomerIds(customerIds: readonly string[]): Promise<LoyaltyAccount[]>;
}

export interface HttpLoyaltyClientOptions extends Omit<LoyaltyHttpOptions, 'maxSockets'> {
  /** Calls in flight at once. @default 10 */
  readonly maxConcurrency: number;
  /** Calls waiting for a slot before we refuse more ourselves. */
  readonly maxQueue: number;
  /** Customers per balance call (the ledger takes at most 50). @default 50 */
  readonly batchSize: number;
  /** Budget, retries, breaker, windows (subgraphs/shared/resilience.ts). @default none of them: the bulkhead only */
  readonly resilience?: ResilienceSettings;
}

/** The most customers the ledger takes in one call; 51 answer 400 BATCH_TOO_LARGE. */
export const LOYALTY_BATCH_LIMIT = 50;

/** What the readiness endpoint reports: the outcome of the last calls. */
class CallHealth {
  private readonly outcomes: boolean[] = [];
  record(ok: boolean): void {
    this.outcomes.push(ok);
    if (this.outcomes.length > 20) this.outcomes.shift();
  }
  state(): { state: SystemState; detail?: string } {
    const failed = this.outcomes.filter((ok) => !ok).length;
    if (failed === 0) return { state: 'up' };
    const detail = `${failed} of the last ${this.outcomes.length} loyalty calls failed`;
    return { state: failed === this.outcomes.length && failed >= 3 ? 'down' : 'degraded', detail };
  }
}

/** Per process: the HTTP client (keep-alive sockets) and the bulkhead are shared by every request. */
interface Transport {
  readonly http: LoyaltyHttp;
  readonly bulkhead: BulkheadPolicy;
  /** Every call goes through it; its bulkhead is {@link bulkhead}. */
  readonly policy: LegacyPolicy;
  readonly health: CallHealth;
  readonly batchSize: number;
  readonly logger: Logger;
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let k = 0; k < items.length; k += size) out.push(items.slice(k, k + size));
  return out;
}

/** The loyalty system over HTTP. One per process ({@link HttpLoyaltyClient.create}); {@link forRequest} binds a request. */
export class HttpLoyaltyClient implements LoyaltyClient {
  private constructor(
    private readonly t: Transport,
    private readonly scope: RequestScope | undefined,
  ) {}

  static create(o: HttpLoyaltyClientOptions): HttpLoyaltyClient {
    const http = createLoyaltyHttp({ ...o, maxSockets: o.maxConcurrency });
    const policy = new LegacyPolicy({
      system: 'loyalty',
      concurrency: o.maxConcurrency,
      maxQueue: o.maxQueue,
      ...(o.resilience ?? passThroughSettings()),
      toProductError,
      // The ledger's posting run: 503 `ERR,POSTING,…` with Retry-After. Balance calls are left
      // alone until it ends (answered at once with LEGACY_UNAVAILABLE + retryAfterSeconds).
      windowOf: (e) => {
        const c = e.cause;
        if (!(c instanceof HTTPError) || c.response.statusCode !== 503) return undefined;
        return /^ERR,POSTING\b/.test(String(c.response.body ?? '')) ? (e.retryAfterSeconds ?? true) : undefined;
      },
    });
    return new HttpLoyaltyClient(
      {
        http,
        bulkhead: policy.bulkhead,
        policy,
        health: new CallHealth(),
        batchSize: Math.min(o.batchSize, LOYALTY_BATCH_LIMIT),
        logger: o.logger,
      },
      undefined,
    );
  }

  /** The same client, forwarding the request's id (`x-request-id`) and logging under it. */
  forRequest(scope: RequestScope): HttpLoyaltyClient {
    return new HttpLoyaltyClient(this.t, scope);
  }

  /** How the system has been answering lately (for `/health/ready`). */
  health(): { state: SystemState; detail?: string } {
    return this.t.health.state();
  }

  /** Breaker, windows and recent outcomes of the policy (for `/health/ready`). */
  resilienceState(): ResilienceState {
    return this.t.policy.state();
  }

  close(): void {
    this.t.http.close();
  }

  async accountsByCustomerIds(customerIds: readonly string[]): Promise<LoyaltyAccount[]> {
    // Each customer once, in chunks of the batch size, all chunks at once (within the bulkhead).
    const chunks = chunk([...new Set(customerIds)], this.t.batchSize);
    return (await Promise.all(chunks.map((ids) => this.call('GET /loyalty/balance', 'loyalty/balance', { customers: ids.join(',') }, readBalances)))).flat();
  }

  /** One HTTP call under the policy (budget, retries, breaker, bulkhead), its body turned into domain values by `read`; every failure as a ProductError. */
  private async call<T>(op: string, path: string, searchParams: Record<string, string>, read: (op: string, body: string, contentType: string | undefined) => T): Promise<T> {
    const logger = this.scope?.logger ?? this.t.logger;
    try {
      // Every call here is a read: retried by the policy on passing failures, within the budget.
      const res = await this.t.policy.execute('read', op, (signal) =>
        this.t.http.got(path, { signal, searchParams, ...(this.scope ? { headers: { 'x-request-id': this.scope.requestId } } : {}) }),
      );
      const value = read(op, res.body, res.headers['content-type']);
      this.t.health.record(true);
      return value;
    } catch (e) {
      const err = toProductError(e);
      this.t.health.record(false);
      if (err.code === 'INTERNAL_SERVER_ERROR') logger.error({ err: e, op }, 'unexpected failure calling the loyalty system');
      else logger.warn({ op, code: err.code, message: err.message }, 'loyalty call failed');
      throw err;
    }
  }
}

/** The body of a 200: the ledger's balance CSV, each line normalised. */
function readBalances(op: string, body: string, contentType: string | undefined): LoyaltyAccount[] {
  if (!/text\/csv/i.test(contentType ?? '')) throw new LoyaltyBadResponseError(`${op} answered ${contentType ?? 'no Content-Type'} where CSV was expected`);
  try {
    return parseBalanceCsv(body).map(toAccount);
  } catch (e) {
    throw new LoyaltyBadResponseError(`${op}: ${(e as Error).message}`);
  }
}
