import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLoaders, loadService, loadServices } from '../../../subgraphs/network/loaders.js';
import type { Context } from '../../../subgraphs/network/context.js';
import { UNRESTRICTED_VIEWER } from '../../../subgraphs/shared/auth.js';
import { testServer } from './server.js';
import { jsonHeaders, listBody, mobileNumbers, nms, silentLogger, testClient, wireAlarm, wireOutage, wireService } from './fixtures.js';

/** The loaders over the real HTTP client and a nock'ed NMS: how many legacy calls a request costs. */

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending, 'every mocked NMS call was made').toEqual([]);
});
afterAll(() => nock.enableNetConnect());

const parse = (body: unknown) => (typeof body === 'string' ? JSON.parse(body) : body) as Record<string, any>;

/** Answers `_batch` with a service for every number asked, recording each call's numbers. */
function serviceBatches(calls: string[][], times: number, serviceOf = (n: string) => wireService(n)) {
  nms()
    .post('/nms/rest/services/_batch')
    .times(times)
    .reply(200, (_uri, body) => {
      const numbers = parse(body).serviceNumbers as string[];
      calls.push(numbers);
      return listBody('service', numbers.map(serviceOf));
    }, jsonHeaders);
}

const server = testServer();
const context = (client = testClient()): Context => ({
  requestId: 'test',
  logger: silentLogger,
  viewer: UNRESTRICTED_VIEWER,
  loaders: createLoaders(client.forRequest({ requestId: 'test', logger: silentLogger, viewer: UNRESTRICTED_VIEWER })),
});

describe('createLoaders', () => {
  it('reads 250 service numbers in 3 _batch calls of 100, 100 and 50', async () => {
    const calls: string[][] = [];
    serviceBatches(calls, 3);
    const numbers = mobileNumbers(250);
    const found = await loadServices(context().loaders, numbers);
    expect(calls.map((c) => c.length).sort((a, b) => b - a)).toEqual([100, 100, 50]);
    expect(found.map((s) => s!.serviceNumber)).toEqual(numbers);
  });

  it('reads the same line once, however it is spelt, and never sends a malformed number', async () => {
    const calls: string[][] = [];
    serviceBatches(calls, 1);
    const loaders = context().loaders;
    const [a, b, c, bad] = await Promise.all([
      loadService(loaders, 'AD0755123456'),
      loadService(loaders, ' ad0755123456 '),
      loadService(loaders, '13812345678'),
      loadService(loaders, '12345'),
    ]);
    expect(calls).toEqual([['AD0755123456', '13812345678']]);
    expect(a).toBe(b);
    expect(c!.serviceNumber).toBe('13812345678');
    expect(bad).toBeNull();
    // And again later in the same request: from the cache.
    await loadService(loaders, '13812345678');
    expect(calls).toHaveLength(1);
  });

  it('answers null for a number the NMS does not know, in key order', async () => {
    nms()
      .post('/nms/rest/services/_batch', { serviceNumbers: ['13800000001', '13800000002', '13800000003'] })
      .reply(200, listBody('service', [wireService('13800000001'), wireService('13800000003')]), jsonHeaders);
    const found = await loadServices(context().loaders, ['13800000001', '13800000002', '13800000003']);
    expect(found.map((s) => s?.serviceNumber ?? null)).toEqual(['13800000001', null, '13800000003']);
  });

  it('rejects every key of a failed batch', async () => {
    nms().post('/nms/rest/services/_batch').reply(503, { status: 503, code: 'TOPOLOGY_SYNC', message: 'sync' }, { ...jsonHeaders, 'retry-after': '30' });
    const loaders = context().loaders;
    const settled = await Promise.allSettled(['13800000001', '13800000002'].map((n) => loadService(loaders, n)));
    expect(settled.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((settled[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'LEGACY_UNAVAILABLE', retryAfterSeconds: 30 });
  });

  it('asks _query once per request at the lowest severity any field wants, and filters per key', async () => {
    const bodies: Record<string, any>[] = [];
    nms()
      .post('/nms/rest/alarms/_query')
      .reply(200, (_uri, raw) => {
        bodies.push(parse(raw));
        return listBody('alarm', [wireAlarm(1, { neId: 'SZ-AGG-03', severity: 2 }), wireAlarm(2, { neId: 'SZ-AGG-03', severity: 4 })], 2, 0, 1000);
      }, jsonHeaders);
    const loaders = context().loaders;
    const [major, warning] = await Promise.all([
      loaders.elementAlarms.load({ elementId: 'SZ-AGG-03', minSeverity: 'MAJOR' }),
      loaders.elementAlarms.load({ elementId: 'SZ-AGG-03', minSeverity: 'WARNING' }),
    ]);
    expect(bodies).toEqual([{ neIds: ['SZ-AGG-03'], minSeverity: 'WARNING', active: true, offset: 0, limit: 1000 }]);
    expect(major.map((a) => a.id)).toEqual(['1']);
    expect(warning.map((a) => a.id)).toEqual(['1', '2']);
  });
});

describe('network subgraph legacy calls per request', () => {
  it('reads the alarms of 60 lines (180 supporting elements, 107 distinct) in the minimum of 2 _query calls', async () => {
    // Line k rides on its own base station, one of 45 aggregations and one of 2 cores.
    const supporting = (k: number) => [`SZ-BTS-${String(k).padStart(4, '0')}`, `SZ-AGG-${String(k % 45).padStart(2, '0')}`, `GD-CORE-0${(k % 2) + 1}`];
    const numbers = mobileNumbers(60);
    const batchCalls: string[][] = [];
    serviceBatches(batchCalls, 1, (n) => {
      const k = numbers.indexOf(n);
      return wireService(n, { accessNeId: supporting(k)[0], supportingNeIds: supporting(k) });
    });
    const queries: Record<string, any>[] = [];
    nms()
      .post('/nms/rest/alarms/_query')
      .times(2)
      .reply(200, (_uri, raw) => {
        const body = parse(raw);
        queries.push(body);
        // One critical alarm on every aggregation asked for, one minor on every base station.
        const alarms = (body.neIds as string[]).map((id, j) => wireAlarm(Number(`${queries.length}${String(j).padStart(3, '0')}`), { neId: id, severity: id.includes('AGG') ? 1 : 3 }));
        return listBody('alarm', alarms, alarms.length, 0, body.limit);
      }, jsonHeaders);

    const distinct = new Set(numbers.flatMap((_, k) => supporting(k)));
    expect(distinct.size).toBe(107);
    const data = await server.data(
      testClient(),
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on ServiceLine { serviceNumber activeAlarms(minSeverity: MINOR, first: 5) { id severity } } } }`,
      { r: numbers.map((serviceNumber) => ({ __typename: 'ServiceLine', serviceNumber })) },
    );
    expect(batchCalls).toHaveLength(1);
    expect(queries).toHaveLength(Math.ceil(distinct.size / 100));
    const asked = queries.flatMap((q) => q.neIds as string[]);
    expect(asked).toHaveLength(distinct.size);
    expect(new Set(asked)).toEqual(distinct);
    expect(queries.every((q) => q.minSeverity === 'MINOR' && q.active === true && q.limit > 0)).toBe(true);
    const first = (data._entities as any[])[0];
    // Worst first: the aggregation's critical alarm before the minor ones of base station and core.
    expect(first.activeAlarms.map((a: any) => a.severity)).toEqual(['CRITICAL', 'MINOR', 'MINOR']);
  });

  it('pages outages(province) to the end when there are more outages than one page', async () => {
    const outages = Array.from({ length: 7 }, (_, k) => wireOutage(`OUT-GD-SZ-000${k}`, { startTime: `2026-11-24 0${9 - k}:00:00` }));
    const offsets: string[] = [];
    nms()
      .get('/nms/rest/outages')
      .query((q) => q.province === 'GD' && q.limit === '3')
      .times(3)
      .reply(200, (uri) => {
        const offset = Number(new URL(uri, 'http://x').searchParams.get('offset'));
        offsets.push(String(offset));
        return listBody('outage', outages.slice(offset, offset + 3), outages.length, offset, 3);
      }, jsonHeaders);
    const data = await server.data(testClient({ pageSize: 3 }), '{ outages(province: "GD") { id startedAt } }');
    expect((data.outages as any[]).map((o) => o.id)).toEqual(outages.map((o) => o.id));
    expect(offsets.sort()).toEqual(['0', '3', '6']);
  });

  it("reads each root-cause alarm once, and nothing more for the network state of an outage's lines", async () => {
    nms()
      .get('/nms/rest/outages')
      .query({ province: 'GD', offset: '0', limit: '1000' })
      .reply(200, listBody('outage', [wireOutage('OUT-GD-DG-5116'), wireOutage('OUT-GD-DG-5115', { status: 'cleared' })], 2, 0, 1000), jsonHeaders);
    nms()
      .post('/nms/rest/alarms/_byIds', { ids: ['30054868'] })
      .reply(200, listBody('alarm', [wireAlarm(30054868)]), jsonHeaders);
    for (const id of ['OUT-GD-DG-5116', 'OUT-GD-DG-5115']) {
      nms()
        .get(`/nms/rest/outages/${id}/services`)
        .query({ offset: '0', limit: '2' })
        .reply(200, listBody('service', [wireService('13800000001', { affected: true }), wireService('13800000002', { affected: true })], 202, 0, 2), jsonHeaders);
    }
    // No POST /services/_batch is mocked: the lines' state must come from the pages already read.
    const data = await server.data(
      testClient(),
      `{ outages(province: "GD") { id rootCauseAlarms { id } affectedServiceLines(first: 2) { edges { node { serviceNumber networkStatus { affected } } } pageInfo { hasNextPage } } } }`,
    );
    expect((data.outages as any[]).map((o) => o.rootCauseAlarms.map((a: any) => a.id))).toEqual([['30054868'], ['30054868']]);
    expect(data.outages[0].affectedServiceLines).toEqual({
      edges: [
        { node: { serviceNumber: '13800000001', networkStatus: { affected: true } } },
        { node: { serviceNumber: '13800000002', networkStatus: { affected: true } } },
      ],
      pageInfo: { hasNextPage: true },
    });
  });
});
