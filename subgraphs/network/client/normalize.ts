import { shanghaiIso } from '../../shared/time.js';
import type { AlarmSeverity, Alarm, NetworkElement, Outage, Region, Service } from '../domain.js';
import { NmsBadResponseError } from './errors.js';
import type { WireAlarm, WireElement, WireOutage, WireService } from './wire.js';

/**
 * NMS wire values → domain values, one function per quirk of legacy-contracts.md §2. Nothing here
 * does I/O; a value that cannot be read throws {@link NmsBadResponseError} (LEGACY_BAD_RESPONSE).
 */

/**
 * legacy-contracts §2: "All NMS times are local `yyyy-MM-dd HH:mm:ss`" — Asia/Shanghai wall time
 * without a zone (§0), written here as ISO-8601 with the offset the NMS meant, `+08:00`.
 */
export function localTimeToIso(local: string, field: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(local);
  const iso = m ? shanghaiIso(+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : undefined;
  if (iso === undefined) throw new NmsBadResponseError(`${field} ${JSON.stringify(local)} is not a yyyy-MM-dd HH:mm:ss time`);
  return iso;
}

/** `localTimeToIso` for the fields that are null while nothing has happened (`clearTime`, `ackTime`). */
export function optionalLocalTimeToIso(local: string | null, field: string): string | null {
  return local === null ? null : localTimeToIso(local, field);
}

/**
 * legacy-contracts §2: `severity` is the vendor integer — 0 indeterminate, 1 critical, 2 major,
 * 3 minor, 4 warning, 5 cleared — not in severity order. A code outside that list is one the
 * vendor added: X.733 calls a severity that cannot be determined `indeterminate`.
 */
const SEVERITY_BY_VENDOR_CODE: readonly AlarmSeverity[] = ['INDETERMINATE', 'CRITICAL', 'MAJOR', 'MINOR', 'WARNING', 'CLEARED'];

export function severityFromVendor(code: number): AlarmSeverity {
  return SEVERITY_BY_VENDOR_CODE[code] ?? 'INDETERMINATE';
}

/**
 * legacy-contracts §2: `probableCause` is an integer in X.733 numbering as this NMS encodes it;
 * "a client maps any other code to `unknown(<code>)`".
 */
const PROBABLE_CAUSE: Readonly<Record<number, string>> = {
  301: 'unknown',
  305: 'lossOfSignal',
  306: 'lossOfFrame',
  310: 'degradedSignal',
  311: 'powerProblem',
  321: 'equipmentMalfunction',
  330: 'processorProblem',
  340: 'highTemperature',
  351: 'thresholdCrossed',
};

export function probableCauseName(code: number): string {
  return PROBABLE_CAUSE[code] ?? `unknown(${code})`;
}

/**
 * legacy-contracts §2: alarm ids are integers, and storm/flapping ids exceed 2³¹ — kept as decimal
 * strings from here on (the schema's `ID`), never as 32-bit integers.
 */
export function alarmIdToString(id: number): string {
  return String(id);
}

/** legacy-contracts §2: `ackUser`/`ackTime` are null until an operator acknowledges the alarm. */
export function isAcknowledged(ackUser: string | null, ackTime: string | null): boolean {
  return ackUser !== null || ackTime !== null;
}

/**
 * legacy-contracts §2: a core router's `localNetwork` is null (it serves its whole province); the
 * schema's `Region.localNetwork` is null at province level too. An empty string means the same.
 */
export function region(province: string, localNetwork: string | null): Region {
  return { province, localNetwork: localNetwork === null || localNetwork === '' ? null : localNetwork };
}

export function toService(w: WireService): Service {
  return {
    serviceId: w.serviceId,
    serviceNumber: w.serviceNumber,
    kind: w.type,
    customerId: w.customerCode,
    region: region(w.province, w.localNetwork),
    accessElementId: w.accessNeId,
    supportingElementIds: w.supportingNeIds,
    status: { operState: w.operState, adminState: w.adminState, affected: w.affected },
    outageIds: w.outageIds,
  };
}

export function toElement(w: WireElement): NetworkElement {
  return { id: w.id, name: w.name, kind: w.kind, parentId: w.parentId, region: region(w.province, w.localNetwork) };
}

export function toAlarm(w: WireAlarm): Alarm {
  const id = alarmIdToString(w.id);
  return {
    id,
    severity: severityFromVendor(w.severity),
    eventType: w.eventType,
    probableCause: probableCauseName(w.probableCause),
    specificProblem: w.specificProblem === '' ? null : w.specificProblem,
    managedObject: w.managedObjectInstance,
    elementId: w.neId,
    raisedAt: localTimeToIso(w.firstEventTime, `alarm ${id} firstEventTime`),
    lastEventAt: localTimeToIso(w.lastEventTime, `alarm ${id} lastEventTime`),
    clearedAt: optionalLocalTimeToIso(w.clearTime, `alarm ${id} clearTime`),
    acknowledged: isAcknowledged(w.ackUser, w.ackTime),
    serviceAffecting: w.serviceAffecting,
  };
}

export function toOutage(w: WireOutage): Outage {
  return {
    id: w.id,
    region: region(w.province, w.localNetwork),
    status: w.status,
    startedAt: localTimeToIso(w.startTime, `outage ${w.id} startTime`),
    rootCauseAlarmIds: w.rootCauseAlarmIds.map(alarmIdToString),
    affectedElementIds: w.affectedNeIds,
    affectedServiceCount: w.affectedServiceCount,
  };
}
