/**
 * The network subgraph's domain values: what the NMS knows, in the graph's vocabulary (X.731
 * states, X.733 severities and probable causes, ISO-8601 times with `+08:00`, keys as strings).
 * `client/normalize.ts` produces them from the wire; loaders and resolvers only ever see these.
 */

/** X.733 perceived severity (the schema's `AlarmSeverity`). */
export type AlarmSeverity = 'CRITICAL' | 'MAJOR' | 'MINOR' | 'WARNING' | 'INDETERMINATE' | 'CLEARED';

/** Severities worst first: the order `minSeverity` and the alarm sort use (design.md). */
export const SEVERITY_ORDER: readonly AlarmSeverity[] = ['CRITICAL', 'MAJOR', 'MINOR', 'WARNING', 'INDETERMINATE', 'CLEARED'];

/** 0 for CRITICAL … 5 for CLEARED: lower is worse. */
export function severityRank(s: AlarmSeverity): number {
  return SEVERITY_ORDER.indexOf(s);
}

export type ServiceKind = 'MOBILE' | 'BROADBAND' | 'FIXED' | 'LEASED_LINE';
export type OperState = 'ENABLED' | 'DISABLED';
export type AdminState = 'LOCKED' | 'UNLOCKED' | 'SHUTTING_DOWN';
export type ElementKind = 'CORE' | 'AGGREGATION' | 'ACCESS';
export type OutageStatus = 'open' | 'cleared';

export interface Region {
  readonly province: string;
  /** Null at province level (a core router serves its whole province). */
  readonly localNetwork: string | null;
}

/** The schema's `NetworkStatus`. */
export interface NetworkStatus {
  readonly operState: OperState;
  readonly adminState: AdminState;
  readonly affected: boolean;
}

/** A service line as the NMS inventories it. */
export interface Service {
  /** NMS id, `SVC-` + 9 digits. */
  readonly serviceId: string;
  readonly serviceNumber: string;
  readonly kind: ServiceKind;
  /** The CRM customer id (`Row Id`) the NMS records as `customerCode`. */
  readonly customerId: string;
  readonly region: Region;
  readonly accessElementId: string;
  /** Access first, then upstream to the core. */
  readonly supportingElementIds: readonly string[];
  readonly status: NetworkStatus;
  /** The open outages the line is part of. */
  readonly outageIds: readonly string[];
}

export interface NetworkElement {
  readonly id: string;
  readonly name: string;
  readonly kind: ElementKind;
  /** Upstream element (access → aggregation → core); null on a core router. */
  readonly parentId: string | null;
  readonly region: Region;
}

export interface Alarm {
  /** A decimal string: NMS ids exceed 2³¹, so they are never held as 32-bit integers. */
  readonly id: string;
  readonly severity: AlarmSeverity;
  readonly eventType: string;
  /** X.733 name (`lossOfSignal`), or `unknown(<code>)` for a vendor code outside the list. */
  readonly probableCause: string;
  readonly specificProblem: string | null;
  readonly managedObject: string;
  /** The element it sits on. */
  readonly elementId: string;
  readonly raisedAt: string;
  /** Latest occurrence; the alarm sort's second key. */
  readonly lastEventAt: string;
  readonly clearedAt: string | null;
  readonly acknowledged: boolean;
  readonly serviceAffecting: boolean;
}

export interface Outage {
  readonly id: string;
  readonly region: Region;
  readonly status: OutageStatus;
  readonly startedAt: string;
  readonly rootCauseAlarmIds: readonly string[];
  /** The aggregation element, then its access elements. */
  readonly affectedElementIds: readonly string[];
  readonly affectedServiceCount: number;
}

/** One page of a paged NMS list. */
export interface Page<T> {
  /** The size of the whole list. */
  readonly totalCount: number;
  readonly items: readonly T[];
}

/**
 * Worst first, then newest `lastEventAt`, then highest id — the NMS's own order (contract §2),
 * kept when alarms of several elements are merged for one line.
 */
export function compareAlarms(a: Alarm, b: Alarm): number {
  const bySeverity = severityRank(a.severity) - severityRank(b.severity);
  if (bySeverity !== 0) return bySeverity;
  // Same format and offset everywhere (+08:00), so the ISO strings compare as instants.
  if (a.lastEventAt !== b.lastEventAt) return a.lastEventAt < b.lastEventAt ? 1 : -1;
  return compareDecimalIds(b.id, a.id);
}

/** Compares two decimal id strings numerically, at any length. */
export function compareDecimalIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

// ------------------------------------------------------------------ references the graph passes

/** A `ServiceLine` as this subgraph sees it: just the key; the NMS record is loaded per field. */
export interface ServiceLineRef {
  readonly serviceNumber: string;
}

/** A `Customer` representation: the key and, through `@requires`, billing's lines. */
export interface CustomerRef {
  readonly id: string;
  /** From billing through the gateway; null or absent when billing could not say. */
  readonly serviceLines?: readonly { readonly serviceNumber: string }[] | null;
}
