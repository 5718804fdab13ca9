import { randomBytes } from 'node:crypto';

/**
 * CRM sessions (contract §3): a login gives a token that expires after `sessionIdleSeconds` of
 * idleness by the emulator clock (every call restarts the idle timer), or at once when the
 * `expireSessions` fault is set. Each session may have at most `maxConcurrency` calls in flight.
 *
 * Sessions live in memory, at most {@link MAX_SESSIONS}: the least recently used one is
 * forgotten first (a forgotten token then answers "session expired", as after a restart).
 */
export const MAX_SESSIONS = 10_000;

/**
 * A call that was admitted but never reached the handler (the client went away during the
 * latency delay, or the `hangRate` fault stalled it) gives its slot back once it could no longer
 * be answered: the longest latency the server may have drawn, plus this margin.
 */
export const SLOT_GRACE_MS = 1000;

export interface Slot {
  readonly session: Session;
  /** `performance.now()` after which an unhandled slot is abandoned. */
  readonly deadline: number;
  handling: boolean;
  released: boolean;
}

export interface Session {
  readonly token: string;
  /** Emulator-clock time of the last call. */
  lastUsed: number;
  expired: boolean;
  readonly slots: Set<Slot>;
}

export type Check = { ok: true; session: Session } | { ok: false; reason: 'noToken' | 'sessionExpired' };

export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly idleSeconds: number) {}

  get size(): number {
    return this.sessions.size;
  }

  login(now: number): Session {
    if (this.sessions.size >= MAX_SESSIONS) {
      const oldest = this.sessions.keys().next();
      if (!oldest.done) this.sessions.delete(oldest.value);
    }
    const s: Session = { token: randomBytes(18).toString('base64url'), lastUsed: now, expired: false, slots: new Set() };
    this.sessions.set(s.token, s);
    return s;
  }

  /** Checks an `Authorization` header and, when the session is alive, restarts its idle timer. */
  check(authorization: string | undefined, now: number): Check {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!m) return { ok: false, reason: 'noToken' };
    const s = this.sessions.get(m[1]!);
    if (!s) return { ok: false, reason: 'sessionExpired' };
    if (!s.expired && now - s.lastUsed > this.idleSeconds * 1000) s.expired = true;
    if (s.expired) return { ok: false, reason: 'sessionExpired' };
    s.lastUsed = now;
    // Keep the map in least-recently-used order for eviction.
    this.sessions.delete(s.token);
    this.sessions.set(s.token, s);
    return { ok: true, session: s };
  }

  /** The `expireSessions` fault: every session that exists now expires; later logins work. */
  expireAll(): void {
    for (const s of this.sessions.values()) s.expired = true;
  }

  /**
   * Takes one of the session's `max` call slots, or answers undefined when all are taken.
   * `latencyBoundMs` is the longest delay the server may put before the handler.
   */
  acquire(s: Session, max: number, latencyBoundMs: number): Slot | undefined {
    const t = performance.now();
    for (const slot of s.slots) if (!slot.handling && t > slot.deadline) release(slot);
    if (s.slots.size >= max) return undefined;
    const slot: Slot = { session: s, deadline: t + latencyBoundMs + SLOT_GRACE_MS, handling: false, released: false };
    s.slots.add(slot);
    return slot;
  }

  clear(): void {
    this.sessions.clear();
  }
}

export function release(slot: Slot): void {
  if (slot.released) return;
  slot.released = true;
  slot.session.slots.delete(slot);
}
