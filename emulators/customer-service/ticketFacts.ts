import type { LocalNetwork, RegionRange } from '../shared/regions.js';
import { DAY, HOUR, fromLocal } from '../shared/time.js';
import { World } from '../shared/world.js';
import { crmTime } from './customers.js';
import { MAX_OPEN_DAYS, type Row } from './fields.js';

/**
 * What every service request is made of, and the calendar the ticket model works on: weeks
 * (weekly tickets) and the world's 4-hour alarm slots (outage tickets). Status and row follow
 * from a ticket's fixed facts and the clock.
 */

export const WEEK = 7 * DAY;
/** Week 0 starts on this Monday (local time). */
export const WEEK_EPOCH = fromLocal(2020, 1, 6);
/** The CRM keeps this many weeks of service requests online (the current one included). */
export const RETENTION_WEEKS = 104;
/** Weeks before the current one that can still hold an open request (42 days, plus a margin). */
export const OPEN_WEEKS_BACK = Math.ceil(MAX_OPEN_DAYS / 7) + 1;
/** Alarm slots (4 h) before the current one that can still hold an open outage ticket (< 12 h). */
export const OUTAGE_OPEN_SLOTS = 6;

export function weekOf(ms: number): number {
  return Math.floor((ms - WEEK_EPOCH) / WEEK);
}

export function weekStart(w: number): number {
  return WEEK_EPOCH + w * WEEK;
}

/** The first instant whose tickets are still online at `now`. */
export function retentionStart(now: number): number {
  return weekStart(weekOf(now) - RETENTION_WEEKS + 1);
}

/** The alarm slots whose outage tickets can be online at `now` (first, last). */
export function retentionSlots(now: number): [number, number] {
  return [World.slotOf(retentionStart(now)) - 1, World.slotOf(now)];
}

/** Whether a ticket exists at `now`: opened, and not yet archived. */
export function retained(t: TicketFacts, now: number): boolean {
  return t.opened <= now && t.opened >= retentionStart(now);
}

export const mod = (x: number, m: number) => ((x % m) + m) % m;

export function gcd(x: number, y: number): number {
  while (y) [x, y] = [y, x % y];
  return x;
}

export function modInverse(a: number, m: number): number {
  let [r0, r1, s0, s1] = [m, a, 0, 1];
  while (r1) {
    const q = Math.floor(r0 / r1);
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return mod(s0, m);
}

/** A local network as the ticket model sees it. */
export interface LnInfo {
  readonly ln: LocalNetwork;
  /** Index of its province in PROVINCES. */
  readonly province: number;
  readonly range: RegionRange;
  /** Aggregation elements of the local network, in the order the world lays lines on them. */
  readonly aggs: readonly number[];
}

/** A service request's facts; its status and row follow from these and the clock. */
export interface TicketFacts {
  readonly sr: string;
  readonly customer: number;
  readonly province: string;
  readonly localNetwork: string;
  readonly type: string;
  readonly priority: string;
  readonly source: string;
  readonly abstract: string;
  readonly opened: number;
  /** When it is closed or cancelled (Infinity while nobody works it: created through the API). */
  readonly closeAt: number;
  readonly cancelled: boolean;
  readonly pendingAt: number;
  readonly escalateAt: number;
  /** Resolution code once closed; empty on some closed requests (TMF621 CLOSED vs RESOLVED). */
  readonly resolution: string;
  readonly commit: number;
  readonly related: string;
  readonly alarm: string;
  readonly extRef: string;
  /** Generated weekly ticket: its week (surveys follow these). */
  readonly week?: number;
}

/** The SLA commit time after opening, by priority. */
export const SLA_MS: Record<string, number> = { '1-ASAP': 4 * HOUR, '2-High': 24 * HOUR, '3-Medium': 72 * HOUR, '4-Low': 7 * DAY };

export function ticketStatus(t: TicketFacts, now: number): string {
  if (now >= t.closeAt) return t.cancelled ? 'Cancelled' : 'Closed';
  if (now >= t.escalateAt) return 'Open - Escalated';
  if (now >= t.pendingAt) return 'Pending';
  return 'Open';
}

/** The CRM record of a ticket at `now`. */
export function ticketRow(t: TicketFacts, customerId: string, now: number): Row {
  const status = ticketStatus(t, now);
  const done = status === 'Closed' || status === 'Cancelled';
  return {
    'SR Number': t.sr,
    'Customer Id': customerId,
    Type: t.type,
    Status: status,
    Priority: t.priority,
    Source: t.source,
    Abstract: t.abstract,
    Province: t.province,
    'Local Network': t.localNetwork,
    Opened: crmTime(t.opened),
    Closed: done ? crmTime(t.closeAt) : '',
    'Resolution Code': status === 'Closed' ? t.resolution : '',
    'Commit Time': crmTime(t.commit),
    'Related Service Number': t.related,
    'Related Alarm Id': t.alarm,
    'External Ref': t.extRef,
  };
}
