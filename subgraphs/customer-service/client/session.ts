import type { Logger } from '../../../lib/logger.js';

/**
 * The CRM session (legacy-contracts.md §3): one login per process, its token shared by every
 * request. A token expires after some idle minutes (`expiresIn` seconds, restarted by every call);
 * the CRM then answers 401 `SBL-DAT-00175` and the client logs in again and retries once.
 *
 * Logins are single-flight: however many calls find the session expired at the same moment, they
 * wait for one login and share its token (no stampede of logins against the CRM).
 */
export class CrmSession {
  private token: string | undefined;
  private idleMs = Infinity;
  private lastUsed = 0;
  private pending: Promise<string> | undefined;

  /**
   * @param login performs `POST /crm/v1/session`; rejects with a ProductError.
   * @param marginMs renew this long before the CRM would consider the session idle (saves a 401).
   */
  constructor(
    private readonly login: () => Promise<{ token: string; expiresIn?: number | undefined }>,
    private readonly logger: Logger,
    private readonly marginMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** A token to call with: the current one, or a fresh login when there is none or it has idled out. */
  current(): Promise<string> {
    if (this.pending) return this.pending;
    if (this.token !== undefined && this.now() - this.lastUsed < this.idleMs - this.marginMs) return Promise.resolve(this.token);
    return this.start();
  }

  /**
   * After `failed` was refused as expired: a fresh token. When another call has already replaced
   * it (or is logging in), that token is shared instead of logging in again.
   */
  renew(failed: string): Promise<string> {
    if (this.pending) return this.pending;
    if (this.token !== undefined && this.token !== failed) return Promise.resolve(this.token);
    this.token = undefined;
    return this.start();
  }

  /** A call with the current token succeeded: the CRM restarted its idle timer. */
  touch(): void {
    this.lastUsed = this.now();
  }

  private start(): Promise<string> {
    const p = this.login().then(
      (s) => {
        this.token = s.token;
        this.idleMs = s.expiresIn === undefined ? Infinity : s.expiresIn * 1000;
        this.lastUsed = this.now();
        this.logger.info({ expiresIn: s.expiresIn }, 'logged in to the CRM');
        return s.token;
      },
      (e: unknown) => {
        this.token = undefined;
        throw e;
      },
    );
    this.pending = p;
    const clear = () => {
      if (this.pending === p) this.pending = undefined;
    };
    p.then(clear, clear);
    return p;
  }
}
