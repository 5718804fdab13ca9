import nock from 'nock';
import pino from 'pino';
import { HttpNetworkClient, type HttpNetworkClientOptions } from '../../../subgraphs/network/client/NetworkClient.js';
import type { Alarm, NetworkElement, Outage, Service } from '../../../subgraphs/network/domain.js';

/** Shared test data for the network subgraph: NMS wire records, domain values, a nock'ed client. */

export const NMS = 'http://nms.test';
export const BASIC = `Basic ${Buffer.from('gateway:gateway-dev').toString('base64')}`;
export const silentLogger = pino({ level: 'silent' });

/** An HTTP client towards {@link NMS}, small limits unless overridden. */
export function testClient(overrides: Partial<HttpNetworkClientOptions> = {}): HttpNetworkClient {
  return HttpNetworkClient.create({
    baseUrl: NMS,
    user: 'gateway',
    password: 'gateway-dev',
    timeoutMs: 2000,
    connectTimeoutMs: 1000,
    maxConcurrency: 10,
    maxQueue: 1000,
    batchSize: 100,
    pageSize: 1000,
    logger: silentLogger,
    ...overrides,
  });
}

/** The NMS mock: only `/nms/rest/` under the test host, with Basic credentials checked. */
export function nms(): nock.Scope {
  return nock(NMS, { reqheaders: { authorization: BASIC } });
}

const JSON_TYPE = { 'content-type': 'application/json;charset=UTF-8' };
export const jsonHeaders = JSON_TYPE;

/** The NMS list envelope as JSON. */
export function listBody(item: string, records: readonly unknown[], totalCount = records.length, offset = 0, limit = 100) {
  return { totalCount, offset, limit, [item]: records };
}

// ------------------------------------------------------------------ wire records (JSON, as the NMS sends them)

export function wireService(serviceNumber: string, over: Record<string, unknown> = {}) {
  return {
    serviceId: 'SVC-882516577',
    serviceNumber,
    type: 'MOBILE',
    customerCode: '1-A5AJQ8',
    province: 'GD',
    localNetwork: 'DG',
    accessNeId: 'DG-BTS-0701',
    supportingNeIds: ['DG-BTS-0701', 'DG-AGG-07', 'GD-CORE-01'],
    operState: 'ENABLED',
    adminState: 'UNLOCKED',
    affected: false,
    outageIds: [],
    ...over,
  };
}

export function wireAlarm(id: number, over: Record<string, unknown> = {}) {
  return {
    id,
    severity: 1,
    severityLabel: 'CRITICAL',
    eventType: 'communicationsAlarm',
    probableCause: 305,
    specificProblem: 'LOS on uplink',
    managedObjectInstance: 'SubNetwork=GD,ManagedElement=DG-AGG-08,Port=2/4/5',
    neId: 'DG-AGG-08',
    firstEventTime: '2026-11-24 08:09:00',
    lastEventTime: '2026-11-24 08:11:00',
    serviceAffecting: true,
    ackUser: 'noc-zhangwei',
    ackTime: '2026-11-24 08:14:00',
    clearTime: null,
    counter: 4,
    reductionKey: 'uei.nms/linkDown::DG-AGG-08:2/4/5',
    ...over,
  };
}

export function wireOutage(id: string, over: Record<string, unknown> = {}) {
  return {
    id,
    province: 'GD',
    localNetwork: 'DG',
    status: 'open',
    startTime: '2026-11-24 08:09:00',
    rootCauseAlarmIds: [30054868],
    affectedNeIds: ['DG-AGG-08', 'DG-BTS-0801'],
    affectedServiceCount: 202,
    ...over,
  };
}

export function wireElement(id: string, over: Record<string, unknown> = {}) {
  return { id, name: '深圳基站0312', kind: 'ACCESS', parentId: 'SZ-AGG-03', province: 'GD', localNetwork: 'SZ', ...over };
}

// ------------------------------------------------------------------ domain values (for the fake client)

export function service(serviceNumber: string, over: Partial<Service> = {}): Service {
  return {
    serviceId: 'SVC-000000001',
    serviceNumber,
    kind: 'MOBILE',
    customerId: '1-7QX3KD',
    region: { province: 'GD', localNetwork: 'SZ' },
    accessElementId: 'SZ-BTS-0312',
    supportingElementIds: ['SZ-BTS-0312', 'SZ-AGG-03', 'GD-CORE-01'],
    status: { operState: 'ENABLED', adminState: 'UNLOCKED', affected: false },
    outageIds: [],
    ...over,
  };
}

export function element(id: string, over: Partial<NetworkElement> = {}): NetworkElement {
  return { id, name: `element ${id}`, kind: 'ACCESS', parentId: null, region: { province: 'GD', localNetwork: 'SZ' }, ...over };
}

export function alarm(id: string, over: Partial<Alarm> = {}): Alarm {
  return {
    id,
    severity: 'MAJOR',
    eventType: 'communicationsAlarm',
    probableCause: 'lossOfSignal',
    specificProblem: 'LOS on uplink',
    managedObject: 'SubNetwork=GD,ManagedElement=SZ-BTS-0312,Port=1/2/3',
    elementId: 'SZ-BTS-0312',
    raisedAt: '2026-11-24T08:00:00+08:00',
    lastEventAt: '2026-11-24T08:00:00+08:00',
    clearedAt: null,
    acknowledged: false,
    serviceAffecting: false,
    ...over,
  };
}

export function outage(id: string, over: Partial<Outage> = {}): Outage {
  return {
    id,
    region: { province: 'GD', localNetwork: 'SZ' },
    status: 'open',
    startedAt: '2026-11-24T08:09:00+08:00',
    rootCauseAlarmIds: [],
    affectedElementIds: ['SZ-AGG-03'],
    affectedServiceCount: 0,
    ...over,
  };
}

/** `n` distinct, well-formed mobile numbers. */
export function mobileNumbers(n: number, base = 13_800_000_000): string[] {
  return Array.from({ length: n }, (_, k) => String(base + k));
}
