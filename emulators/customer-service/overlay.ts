import type { ActivityFacts } from './interactions.js';
import type { TicketFacts } from './ticketFacts.js';

/**
 * What callers wrote (contract §0: writes go to an in-memory overlay): created service requests,
 * their notes, and created activities. Bounded: past {@link OVERLAY_CAP} records every write
 * answers 503 until `POST /__emulator/reset` forgets them.
 */
export const OVERLAY_CAP = 100_000;

export interface Note {
  readonly id: string;
  readonly sr: string;
  readonly text: string;
  readonly type: string;
  readonly created: number;
}

export class Overlay {
  readonly tickets = new Map<string, TicketFacts>();
  readonly ticketsByCustomer = new Map<number, TicketFacts[]>();
  readonly ticketsByLocalNetwork = new Map<string, TicketFacts[]>();
  /** External Ref → SR Number, for create idempotency. */
  readonly byExternalRef = new Map<string, string>();
  readonly activities = new Map<string, ActivityFacts>();
  readonly activitiesByCustomer = new Map<number, ActivityFacts[]>();
  readonly notes: Note[] = [];
  ticketSeq = 0;
  activitySeq = 0;

  get size(): number {
    return this.tickets.size + this.activities.size + this.notes.length;
  }

  get full(): boolean {
    return this.size >= OVERLAY_CAP;
  }

  addTicket(t: TicketFacts): void {
    this.tickets.set(t.sr, t);
    push(this.ticketsByCustomer, t.customer, t);
    push(this.ticketsByLocalNetwork, t.localNetwork, t);
    if (t.extRef) this.byExternalRef.set(t.extRef, t.sr);
  }

  addActivity(a: ActivityFacts): void {
    this.activities.set(a.id, a);
    push(this.activitiesByCustomer, a.customer, a);
  }

  clear(): void {
    this.tickets.clear();
    this.ticketsByCustomer.clear();
    this.ticketsByLocalNetwork.clear();
    this.byExternalRef.clear();
    this.activities.clear();
    this.activitiesByCustomer.clear();
    this.notes.length = 0;
    this.ticketSeq = 0;
    this.activitySeq = 0;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
