import { World, type Alarm, type Severity } from '../shared/world.js';

/**
 * An alarm as the NMS reports it at one instant (contract §2): the vendor's severity integer, and
 * only what has happened by then — no clear time while active, no acknowledgement or repetition
 * that the world has scheduled for later.
 */
export interface NmsAlarm {
  readonly id: number;
  /** Vendor integer: 0 indeterminate, 1 critical, 2 major, 3 minor, 4 warning, 5 cleared. */
  readonly severity: VendorSeverity;
  readonly eventType: string;
  readonly probableCause: number;
  readonly specificProblem: string;
  readonly managedObjectInstance: string;
  /** Index of the element it sits on (in `world.elements`). */
  readonly element: number;
  readonly firstEventAt: number;
  readonly lastEventAt: number;
  readonly serviceAffecting: boolean;
  readonly ackUser: string | null;
  readonly ackAt: number | null;
  /** When it cleared; null while active. */
  readonly clearAt: number | null;
  readonly counter: number;
  readonly reductionKey: string;
}

export type VendorSeverity = 0 | 1 | 2 | 3 | 4 | 5;

/** contract §2: the vendor's severity integers. */
export const SEVERITY_CODE: Record<Severity | 'CLEARED', VendorSeverity> = {
  INDETERMINATE: 0,
  CRITICAL: 1,
  MAJOR: 2,
  MINOR: 3,
  WARNING: 4,
  CLEARED: 5,
};

/** `severityLabel` by vendor integer. */
export const SEVERITY_LABEL = ['INDETERMINATE', 'CRITICAL', 'MAJOR', 'MINOR', 'WARNING', 'CLEARED'] as const;
export type SeverityLabel = (typeof SEVERITY_LABEL)[number];

/**
 * Sort rank by vendor integer, worst first: critical > major > minor > warning > indeterminate >
 * cleared. The vendor integers are not in that order (indeterminate is 0), which is the point.
 */
const RANK_BY_CODE = [4, 0, 1, 2, 3, 5] as const;

export function rankOf(severity: VendorSeverity): number {
  return RANK_BY_CODE[severity];
}

/** The rank of a `minSeverity` label, or undefined for a label the NMS does not know. */
export function rankOfLabel(label: string): number | undefined {
  const code = SEVERITY_LABEL.indexOf(label as SeverityLabel);
  return code < 0 ? undefined : RANK_BY_CODE[code as VendorSeverity];
}

/** Worst first, then newest `lastEventTime`, then highest id (so that paging is stable). */
export function compareAlarms(a: NmsAlarm, b: NmsAlarm): number {
  return rankOf(a.severity) - rankOf(b.severity) || b.lastEventAt - a.lastEventAt || b.id - a.id;
}

const SECOND = 1000;

/**
 * The world's alarm as the NMS shows it at `now`. The world describes an alarm's whole life at
 * once (when it clears, when it is acknowledged, how often it repeats); the NMS knows only the
 * past: a cleared alarm carries severity 5 and its clear time, an acknowledgement scheduled for
 * later is not there yet, and a repeating alarm has counted only the repetitions so far (spread
 * evenly between its first and last event, as the world lays them out).
 */
export function fromWorld(a: Alarm, now: number): NmsAlarm {
  const active = World.isActive(a, now);
  let counter = a.counter;
  let lastEventAt = a.lastEventAt;
  if (lastEventAt > now) {
    // counter > 1 here, since a single event has lastEventAt = raisedAt ≤ now.
    const span = a.lastEventAt - a.raisedAt;
    const done = Math.floor(((a.counter - 1) * (now - a.raisedAt)) / span);
    counter = 1 + done;
    lastEventAt = a.raisedAt + Math.floor((done * span) / (a.counter - 1) / SECOND) * SECOND;
  }
  const acked = a.ackAt !== null && a.ackAt <= now;
  return {
    id: a.id,
    severity: active ? SEVERITY_CODE[a.severity] : SEVERITY_CODE.CLEARED,
    eventType: a.eventType,
    probableCause: a.probableCause,
    specificProblem: a.specificProblem,
    managedObjectInstance: a.managedObjectInstance,
    element: a.element,
    firstEventAt: a.raisedAt,
    lastEventAt,
    serviceAffecting: a.serviceAffecting,
    ackUser: acked ? a.ackUser : null,
    ackAt: acked ? a.ackAt : null,
    clearAt: active ? null : a.clearsAt,
    counter,
    reductionKey: a.reductionKey,
  };
}
