import { z } from 'zod';

/**
 * NMS payloads exactly as the NMS sends them with `Accept: application/json` (legacy-contracts.md
 * §2; docs/legacy-systems/network.md, "Conventions on the wire"): vendor integers, local
 * `yyyy-MM-dd HH:mm:ss` times, integer alarm ids, `null` for absent values, arrays always present.
 * Each schema checks the fields we read; one that is missing or of the wrong type makes the answer
 * unusable (LEGACY_BAD_RESPONSE). Fields we do not read are let through unchecked, so that the NMS
 * adding one does not break us.
 */

/** Local Asia/Shanghai time without a zone, e.g. `2026-11-24 14:02:11`. */
const localTime = z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/, 'a yyyy-MM-dd HH:mm:ss time');

/**
 * Alarm ids are integers on the wire; ids of storm and flapping alarms are above 2³¹. A JSON number
 * beyond 2⁵³ would already have lost digits in `JSON.parse`, so such a value is refused rather
 * than passed on altered.
 */
const alarmId = z.number().int().positive().refine(Number.isSafeInteger, 'an alarm id within 2^53');

export const wireService = z.object({
  serviceId: z.string(),
  serviceNumber: z.string(),
  type: z.enum(['MOBILE', 'BROADBAND', 'FIXED', 'LEASED_LINE']),
  customerCode: z.string(),
  province: z.string(),
  localNetwork: z.string().nullable(),
  accessNeId: z.string(),
  supportingNeIds: z.array(z.string()),
  operState: z.enum(['ENABLED', 'DISABLED']),
  adminState: z.enum(['LOCKED', 'UNLOCKED', 'SHUTTING_DOWN']),
  affected: z.boolean(),
  outageIds: z.array(z.string()),
});
export type WireService = z.infer<typeof wireService>;

export const wireElement = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['CORE', 'AGGREGATION', 'ACCESS']),
  parentId: z.string().nullable(),
  province: z.string(),
  localNetwork: z.string().nullable(),
});
export type WireElement = z.infer<typeof wireElement>;

export const wireAlarm = z.object({
  id: alarmId,
  /** Vendor integer: 0 indeterminate, 1 critical, 2 major, 3 minor, 4 warning, 5 cleared. */
  severity: z.number().int(),
  severityLabel: z.string().nullish(),
  eventType: z.string(),
  /** X.733 numbering as this NMS encodes it (305 lossOfSignal …). */
  probableCause: z.number().int(),
  specificProblem: z.string().nullable(),
  managedObjectInstance: z.string(),
  neId: z.string(),
  firstEventTime: localTime,
  lastEventTime: localTime,
  serviceAffecting: z.boolean(),
  ackUser: z.string().nullable(),
  ackTime: localTime.nullable(),
  clearTime: localTime.nullable(),
});
export type WireAlarm = z.infer<typeof wireAlarm>;

export const wireOutage = z.object({
  id: z.string(),
  province: z.string(),
  localNetwork: z.string().nullable(),
  status: z.enum(['open', 'cleared']),
  startTime: localTime,
  rootCauseAlarmIds: z.array(alarmId),
  affectedNeIds: z.array(z.string()),
  affectedServiceCount: z.number().int().nonnegative(),
});
export type WireOutage = z.infer<typeof wireOutage>;

/** The list envelope: `{ totalCount, offset, limit, <item>: [...] }` (the array is always there). */
const listHead = {
  totalCount: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
  /** The page size in force (`limit=0` answers 5000). */
  limit: z.number().int().nonnegative(),
};

export const wireServiceList = z.object({ ...listHead, service: z.array(wireService) });
export const wireElementList = z.object({ ...listHead, ne: z.array(wireElement) });
export const wireAlarmList = z.object({ ...listHead, alarm: z.array(wireAlarm) });
export const wireOutageList = z.object({ ...listHead, outage: z.array(wireOutage) });

/** The NMS's own error body, `{ status, code, message }` in JSON or `<error>…</error>` in XML. */
export interface WireError {
  readonly status?: number;
  readonly code?: string;
  readonly message?: string;
}
