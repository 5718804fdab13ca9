import net, { type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import nock from 'nock';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ProductError } from '../../../lib/errors.js';
import { nmsRestBase } from '../../../subgraphs/network/client/http.js';
import { UNRESTRICTED_VIEWER } from '../../../subgraphs/shared/auth.js';
import { probableCauseName, severityFromVendor } from '../../../subgraphs/network/client/normalize.js';
import { jsonHeaders, listBody, mobileNumbers, NMS, nms, testClient, wireAlarm, wireElement, wireOutage, wireService } from './fixtures.js';

/** The NMS client against nock: every quirk of legacy-contracts.md §2 and every error path. */

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

/** Runs `fn` and returns the ProductError it threw. */
async function productError(fn: () => Promise<unknown>): Promise<ProductError> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ProductError);
    return e as ProductError;
  }
  throw new Error('expected a ProductError');
}

describe('HttpNetworkClient wire', () => {
  it('calls /nms/rest/ under NETWORK_URL with Basic auth, Accept: application/json and the request id', async () => {
    expect(nmsRestBase('http://127.0.0.1:5003')).toBe('http://127.0.0.1:5003/nms/rest/');
    expect(nmsRestBase('https://nms.example/oss/')).toBe('https://nms.example/oss/nms/rest/');
    const scope = nock(NMS, {
      reqheaders: { authorization: (v) => v.startsWith('Basic '), accept: 'application/json', 'x-request-id': 'req-42' },
    })
      .post('/nms/rest/services/_batch', { serviceNumbers: ['13812345678'] })
      .reply(200, listBody('service', [wireService('13812345678')]), jsonHeaders);
    const client = testClient().forRequest({ requestId: 'req-42', logger: pino({ level: 'silent' }), viewer: UNRESTRICTED_VIEWER });
    const [s] = await client.servicesByNumbers(['13812345678']);
    expect(s).toEqual({
      serviceId: 'SVC-882516577',
      serviceNumber: '13812345678',
      kind: 'MOBILE',
      customerId: '1-A5AJQ8',
      region: { province: 'GD', localNetwork: 'DG' },
      accessElementId: 'DG-BTS-0701',
      supportingElementIds: ['DG-BTS-0701', 'DG-AGG-07', 'GD-CORE-01'],
      status: { operState: 'ENABLED', adminState: 'UNLOCKED', affected: false },
      outageIds: [],
    });
    scope.done();
  });

  it('maps the vendor severity integers 0–5 to X.733 names (0 is indeterminate, 5 cleared) and an unknown code to INDETERMINATE', async () => {
    expect([0, 1, 2, 3, 4, 5, 9].map(severityFromVendor)).toEqual(['INDETERMINATE', 'CRITICAL', 'MAJOR', 'MINOR', 'WARNING', 'CLEARED', 'INDETERMINATE']);
    nms()
      .post('/nms/rest/alarms/_byIds')
      .reply(200, listBody('alarm', [0, 1, 2, 3, 4, 5].map((sev) => wireAlarm(100 + sev, { severity: sev }))), jsonHeaders);
    const alarms = await testClient().alarmsByIds(['100', '101', '102', '103', '104', '105']);
    expect(alarms.map((a) => a.severity)).toEqual(['INDETERMINATE', 'CRITICAL', 'MAJOR', 'MINOR', 'WARNING', 'CLEARED']);
  });

  it('maps X.733 probable-cause numbers to names and any other code to unknown(<code>)', async () => {
    const table = { 301: 'unknown', 305: 'lossOfSignal', 306: 'lossOfFrame', 310: 'degradedSignal', 311: 'powerProblem', 321: 'equipmentMalfunction', 330: 'processorProblem', 340: 'highTemperature', 351: 'thresholdCrossed', 398: 'unknown(398)', 399: 'unknown(399)' };
    for (const [code, name] of Object.entries(table)) expect(probableCauseName(Number(code))).toBe(name);
    nms()
      .post('/nms/rest/alarms/_byIds')
      .reply(200, listBody('alarm', [wireAlarm(1, { probableCause: 351 }), wireAlarm(2, { probableCause: 399 })]), jsonHeaders);
    expect((await testClient().alarmsByIds(['1', '2'])).map((a) => a.probableCause)).toEqual(['thresholdCrossed', 'unknown(399)']);
  });

  it('turns local yyyy-MM-dd HH:mm:ss times into ISO-8601 with +08:00 and reads acknowledged from ackUser/ackTime', async () => {
    nms()
      .post('/nms/rest/alarms/_byIds')
      .reply(
        200,
        listBody('alarm', [
          wireAlarm(1, { clearTime: '2026-11-24 09:30:05', severity: 5 }),
          wireAlarm(2, { ackUser: null, ackTime: null, specificProblem: null }),
        ]),
        jsonHeaders,
      );
    const [a, b] = await testClient().alarmsByIds(['1', '2']);
    expect(a).toMatchObject({
      raisedAt: '2026-11-24T08:09:00+08:00',
      lastEventAt: '2026-11-24T08:11:00+08:00',
      clearedAt: '2026-11-24T09:30:05+08:00',
      acknowledged: true,
      managedObject: 'SubNetwork=GD,ManagedElement=DG-AGG-08,Port=2/4/5',
      elementId: 'DG-AGG-08',
    });
    expect(b).toMatchObject({ clearedAt: null, acknowledged: false, specificProblem: null });
  });

  it('keeps alarm ids beyond 2^31 exact, as strings, and sends ids to _byIds as digit strings', async () => {
    const stormId = 2_000_000_000 + 4096 * (1 + 37_000 * 8 + 3) + 17; // ~3.2e9 > 2^31
    nms()
      .post('/nms/rest/alarms/_byIds', { ids: [String(stormId)] })
      .reply(200, listBody('alarm', [wireAlarm(stormId), wireAlarm(stormId)]), jsonHeaders);
    const alarms = await testClient().alarmsByIds([String(stormId)]);
    expect(alarms[0]!.id).toBe(String(stormId));
    expect(stormId).toBeGreaterThan(2 ** 31);
  });

  it('refuses an alarm id beyond 2^53 (JSON would have altered it) as LEGACY_BAD_RESPONSE', async () => {
    nms()
      .post('/nms/rest/alarms/_byIds')
      .reply(200, JSON.stringify(listBody('alarm', [wireAlarm(1)])).replace('"id":1', '"id":9007199254740993'), jsonHeaders);
    const err = await productError(() => testClient().alarmsByIds(['1']));
    expect(err.code).toBe('LEGACY_BAD_RESPONSE');
  });

  it("reads a core router's null localNetwork as a province-level region, and outage root causes as string ids", async () => {
    nms()
      .post('/nms/rest/nes/_batch')
      .reply(200, listBody('ne', [wireElement('GD-CORE-01', { kind: 'CORE', parentId: null, localNetwork: null, name: '广东核心01' })]), jsonHeaders);
    nms().post('/nms/rest/outages/_byIds').reply(200, listBody('outage', [wireOutage('OUT-GD-DG-5116')]), jsonHeaders);
    const client = testClient();
    expect(await client.elementsByIds(['GD-CORE-01'])).toEqual([
      { id: 'GD-CORE-01', name: '广东核心01', kind: 'CORE', parentId: null, region: { province: 'GD', localNetwork: null } },
    ]);
    expect(await client.outagesByIds(['OUT-GD-DG-5116'])).toEqual([
      {
        id: 'OUT-GD-DG-5116',
        region: { province: 'GD', localNetwork: 'DG' },
        status: 'open',
        startedAt: '2026-11-24T08:09:00+08:00',
        rootCauseAlarmIds: ['30054868'],
        affectedElementIds: ['DG-AGG-08', 'DG-BTS-0801'],
        affectedServiceCount: 202,
      },
    ]);
  });
});

describe('HttpNetworkClient batches', () => {
  it('chunks 250 service numbers into _batch calls of 100, 100 and 50, sent in parallel', async () => {
    const sizes: number[] = [];
    let inFlight = 0;
    let peak = 0;
    nms()
      .post('/nms/rest/services/_batch')
      .times(3)
      .reply(200, async (_uri, body) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 30));
        inFlight--;
        const numbers = parse(body).serviceNumbers as string[];
        sizes.push(numbers.length);
        return listBody('service', numbers.map((n) => wireService(n)));
      }, jsonHeaders);
    const found = await testClient().servicesByNumbers(mobileNumbers(250));
    expect(found).toHaveLength(250);
    expect(sizes.sort((a, b) => b - a)).toEqual([100, 100, 50]);
    expect(peak).toBe(3);
  });

  it('sends each key once, however often it is asked for', async () => {
    nms()
      .post('/nms/rest/nes/_batch', { ids: ['SZ-BTS-0312', 'SZ-AGG-03'] })
      .reply(200, listBody('ne', [wireElement('SZ-BTS-0312')]), jsonHeaders);
    const found = await testClient().elementsByIds(['SZ-BTS-0312', 'SZ-AGG-03', 'SZ-BTS-0312']);
    expect(found.map((e) => e.id)).toEqual(['SZ-BTS-0312']);
  });

  it('honours a smaller NETWORK_BATCH_SIZE', async () => {
    const sizes: number[] = [];
    nms()
      .post('/nms/rest/outages/_byIds')
      .times(3)
      .reply(200, (_uri, body) => {
        sizes.push(parse(body).ids.length);
        return listBody('outage', []);
      }, jsonHeaders);
    await testClient({ batchSize: 2 }).outagesByIds(['OUT-GD-SZ-0001', 'OUT-GD-SZ-0002', 'OUT-GD-SZ-0003', 'OUT-GD-SZ-0004', 'OUT-GD-SZ-0005']);
    expect(sizes.sort()).toEqual([1, 2, 2]);
  });

  it('never has more than NETWORK_MAX_CONCURRENCY calls in flight (the NMS answers 503 beyond its limit)', async () => {
    let inFlight = 0;
    let peak = 0;
    nms()
      .post('/nms/rest/services/_batch')
      .times(12)
      .reply(200, async (_uri, body) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 20));
        inFlight--;
        return listBody('service', (parse(body).serviceNumbers as string[]).map((n) => wireService(n)));
      }, jsonHeaders);
    const found = await testClient({ maxConcurrency: 3, batchSize: 10 }).servicesByNumbers(mobileNumbers(120));
    expect(found).toHaveLength(120);
    expect(peak).toBe(3);
  });

  it('refuses calls beyond the bulkhead queue as LEGACY_UNAVAILABLE, retryable', async () => {
    nms()
      .post('/nms/rest/nes/_batch')
      .times(2)
      .delay(50)
      .reply(200, listBody('ne', []), jsonHeaders);
    const client = testClient({ maxConcurrency: 1, maxQueue: 1 });
    const results = await Promise.allSettled([client.elementsByIds(['SZ-AGG-01']), client.elementsByIds(['SZ-AGG-02']), client.elementsByIds(['SZ-AGG-03'])]);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.reason).toMatchObject({ code: 'LEGACY_UNAVAILABLE', system: 'network', retryable: true });
  });
});

describe('HttpNetworkClient paging', () => {
  const outages = Array.from({ length: 5 }, (_, k) => wireOutage(`OUT-GD-SZ-000${k}`));

  it('pages GET /outages to the end, always sending limit (the NMS default of 10 is never trusted)', async () => {
    for (const offset of [0, 2, 4]) {
      nms()
        .get('/nms/rest/outages')
        .query({ province: 'GD', offset: String(offset), limit: '2' })
        .reply(200, listBody('outage', outages.slice(offset, offset + 2), 5, offset, 2), jsonHeaders);
    }
    const got = await testClient({ pageSize: 2 }).outages({ province: 'GD' });
    expect(got.map((o) => o.id)).toEqual(outages.map((o) => o.id));
  });

  it('follows the page size the NMS puts in force when it caps ours', async () => {
    nms().get('/nms/rest/outages').query({ offset: '0', limit: '4' }).reply(200, listBody('outage', outages.slice(0, 3), 5, 0, 3), jsonHeaders);
    nms().get('/nms/rest/outages').query({ offset: '3', limit: '3' }).reply(200, listBody('outage', outages.slice(3), 5, 3, 3), jsonHeaders);
    expect(await testClient({ pageSize: 4 }).outages({})).toHaveLength(5);
  });

  it('reads on when the list grows while it is paged', async () => {
    nms().get('/nms/rest/outages').query({ offset: '0', limit: '2' }).reply(200, listBody('outage', outages.slice(0, 2), 3, 0, 2), jsonHeaders);
    nms().get('/nms/rest/outages').query({ offset: '2', limit: '2' }).reply(200, listBody('outage', outages.slice(2, 4), 5, 2, 2), jsonHeaders);
    nms().get('/nms/rest/outages').query({ offset: '4', limit: '2' }).reply(200, listBody('outage', outages.slice(4), 5, 4, 2), jsonHeaders);
    expect(await testClient({ pageSize: 2 }).outages({})).toHaveLength(5);
  });

  it('pages POST /alarms/_query with offset and limit in the body, per chunk of 100 elements, active only', async () => {
    const elements = Array.from({ length: 150 }, (_, k) => `SZ-BTS-${String(k).padStart(4, '0')}`);
    const bodies: Record<string, any>[] = [];
    nms()
      .post('/nms/rest/alarms/_query')
      .times(4)
      .reply(200, (_uri, raw) => {
        const body = parse(raw);
        bodies.push(body);
        // Three alarms on the first element of each chunk: two pages of two.
        const all = [1, 2, 3].map((k) => wireAlarm(Number(`${body.neIds.length}0${k}`), { neId: body.neIds[0] }));
        return listBody('alarm', all.slice(body.offset, body.offset + body.limit), all.length, body.offset, body.limit);
      }, jsonHeaders);
    const alarms = await testClient({ pageSize: 2 }).activeAlarms(elements, 'MINOR');
    expect(alarms).toHaveLength(6);
    expect(bodies.map((b) => [b.neIds.length, b.offset, b.limit]).sort()).toEqual([
      [100, 0, 2],
      [100, 2, 2],
      [50, 0, 2],
      [50, 2, 2],
    ].sort());
    expect(bodies.every((b) => b.active === true && b.minSeverity === 'MINOR')).toBe(true);
  });

  it('reads a page of an outage’s services with explicit offset and limit, and null for an unknown outage (404)', async () => {
    nms()
      .get('/nms/rest/outages/OUT-GD-DG-5116/services')
      .query({ offset: '50', limit: '2' })
      .reply(200, listBody('service', [wireService('13800000001'), wireService('13800000002')], 202, 50, 2), jsonHeaders);
    nms()
      .get('/nms/rest/outages/OUT-GD-DG-0001/services')
      .query({ offset: '0', limit: '2' })
      .reply(404, '<?xml version="1.0" encoding="UTF-8"?>\n<error><status>404</status><code>NOT_FOUND</code><message>Not found: no outage OUT-GD-DG-0001</message></error>', {
        'content-type': 'application/xml;charset=UTF-8',
      });
    const client = testClient();
    const page = await client.outageServices('OUT-GD-DG-5116', 50, 2);
    expect(page).toMatchObject({ totalCount: 202 });
    expect(page!.items.map((s) => s.serviceNumber)).toEqual(['13800000001', '13800000002']);
    expect(await client.outageServices('OUT-GD-DG-0001', 0, 2)).toBeNull();
  });

  it('asks for limit=1, never limit=0 (which means "all"), when a page of nothing is wanted', async () => {
    nms()
      .get('/nms/rest/outages/OUT-GD-DG-5116/services')
      .query({ offset: '0', limit: '1' })
      .reply(200, listBody('service', [wireService('13800000001')], 202, 0, 1), jsonHeaders);
    expect(await testClient().outageServices('OUT-GD-DG-5116', 0, 0)).toEqual({ totalCount: 202, items: [] });
  });
});

describe('HttpNetworkClient errors', () => {
  it('maps 503 SERVER_BUSY with Retry-After to LEGACY_UNAVAILABLE, retryable, with retryAfterSeconds', async () => {
    nms()
      .post('/nms/rest/services/_batch')
      .reply(503, { status: 503, code: 'SERVER_BUSY', message: 'Server busy: more than 10 calls in flight; retry later' }, { ...jsonHeaders, 'retry-after': '1' });
    const err = await productError(() => testClient().servicesByNumbers(['13812345678']));
    expect(err).toMatchObject({ code: 'LEGACY_UNAVAILABLE', system: 'network', retryable: true, retryAfterSeconds: 1 });
    expect(err.message).toContain('SERVER_BUSY');
  });

  it('reads an XML error body: 503 TOPOLOGY_SYNC with Retry-After 30', async () => {
    nms()
      .post('/nms/rest/nes/_batch')
      .reply(
        503,
        '<?xml version="1.0" encoding="UTF-8"?>\n<error>\n  <status>503</status>\n  <code>TOPOLOGY_SYNC</code>\n  <message>Topology synchronisation in progress: retry later</message>\n</error>\n',
        { 'content-type': 'application/xml;charset=UTF-8', 'retry-after': '30' },
      );
    const err = await productError(() => testClient().elementsByIds(['SZ-AGG-03']));
    expect(err).toMatchObject({ code: 'LEGACY_UNAVAILABLE', retryable: true, retryAfterSeconds: 30 });
    expect(err.message).toContain('TOPOLOGY_SYNC');
  });

  it('reads Retry-After given as an HTTP date', async () => {
    const at = new Date(Date.now() + 120_000).toUTCString();
    nms().post('/nms/rest/nes/_batch').reply(429, '', { 'retry-after': at });
    const err = await productError(() => testClient().elementsByIds(['SZ-AGG-03']));
    expect(err.code).toBe('LEGACY_UNAVAILABLE');
    expect(err.retryAfterSeconds).toBeGreaterThanOrEqual(118);
    expect(err.retryAfterSeconds).toBeLessThanOrEqual(120);
  });

  it("maps the reverse proxy's nginx HTML 502 page to LEGACY_UNAVAILABLE, retryable, without parsing it as an NMS body", async () => {
    nms()
      .get('/nms/rest/outages')
      .query(true)
      .reply(502, '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n', {
        'content-type': 'text/html',
      });
    const err = await productError(() => testClient().outages({}));
    expect(err).toMatchObject({ code: 'LEGACY_UNAVAILABLE', retryable: true });
    expect(err.message).toContain('502 Bad Gateway');
  });

  it('maps 401 to LEGACY_UNAVAILABLE, not retryable, and logs it loudly', async () => {
    const lines: string[] = [];
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk, _enc, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    );
    nock(NMS)
      .post('/nms/rest/alarms/_byIds')
      .reply(401, { status: 401, code: 'UNAUTHORIZED', message: 'Unauthorized: wrong user or password' }, { ...jsonHeaders, 'www-authenticate': 'Basic realm="NMS REST"' });
    const err = await productError(() => testClient({ password: 'wrong', logger }).alarmsByIds(['1']));
    expect(err).toMatchObject({ code: 'LEGACY_UNAVAILABLE', retryable: false });
    expect(err.message).toMatch(/NETWORK_USER and NETWORK_PASSWORD/);
    const loud = lines.map((l) => JSON.parse(l)).filter((l) => l.level >= 50);
    expect(loud).toHaveLength(1);
    expect(loud[0].msg).toMatch(/CREDENTIALS/);
  });

  it('maps a 404 on a route (a wrong NETWORK_URL) to LEGACY_UNAVAILABLE, not retryable', async () => {
    nms().post('/nms/rest/services/_batch').reply(404, { status: 404, code: 'NOT_FOUND', message: 'Not found: no resource' }, jsonHeaders);
    const err = await productError(() => testClient().servicesByNumbers(['13812345678']));
    expect(err).toMatchObject({ code: 'LEGACY_UNAVAILABLE', retryable: false });
    expect(err.message).toContain('NETWORK_URL');
  });

  it('maps 400 BATCH_TOO_LARGE to LEGACY_REJECTED', async () => {
    nms().post('/nms/rest/nes/_batch').reply(400, { status: 400, code: 'BATCH_TOO_LARGE', message: 'Batch too large' }, jsonHeaders);
    const err = await productError(() => testClient().elementsByIds(['SZ-AGG-03']));
    expect(err).toMatchObject({ code: 'LEGACY_REJECTED', retryable: false });
    expect(err.message).toContain('BATCH_TOO_LARGE');
  });

  it('maps a 200 with a body cut off part way to LEGACY_BAD_RESPONSE', async () => {
    const full = JSON.stringify(listBody('service', [wireService('13812345678')]));
    nms().post('/nms/rest/services/_batch').reply(200, full.slice(0, Math.floor(full.length * 0.6)), jsonHeaders);
    const err = await productError(() => testClient().servicesByNumbers(['13812345678']));
    expect(err).toMatchObject({ code: 'LEGACY_BAD_RESPONSE', system: 'network', retryable: false });
  });

  it('maps a 200 in XML (our Accept ignored on the way) to LEGACY_BAD_RESPONSE', async () => {
    nms()
      .post('/nms/rest/services/_batch')
      .reply(200, '<?xml version="1.0" encoding="UTF-8"?>\n<services totalCount="0" offset="0" limit="100"/>\n', { 'content-type': 'application/xml;charset=UTF-8' });
    const err = await productError(() => testClient().servicesByNumbers(['13812345678']));
    expect(err.code).toBe('LEGACY_BAD_RESPONSE');
  });

  it('maps a missing required field or an unreadable time to LEGACY_BAD_RESPONSE', async () => {
    const { operState: _dropped, ...noOperState } = wireService('13812345678');
    nms().post('/nms/rest/services/_batch').reply(200, listBody('service', [noOperState]), jsonHeaders);
    nms().post('/nms/rest/alarms/_byIds').reply(200, listBody('alarm', [wireAlarm(1, { firstEventTime: '2026-02-30 08:00:00' })]), jsonHeaders);
    const client = testClient();
    expect((await productError(() => client.servicesByNumbers(['13812345678']))).message).toContain('operState');
    expect((await productError(() => client.alarmsByIds(['1']))).code).toBe('LEGACY_BAD_RESPONSE');
  });

  it('maps a refused connection to LEGACY_UNAVAILABLE, retryable', async () => {
    // A real loopback port with nothing listening (nock's replyWithError does not reach got 14).
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    await new Promise((r) => server.close(r));
    const err = await productError(() => testClient({ baseUrl: `http://127.0.0.1:${port}` }).elementsByIds(['SZ-AGG-03']));
    expect(err).toMatchObject({ code: 'LEGACY_UNAVAILABLE', system: 'network', retryable: true });
    expect(err.message).toContain('ECONNREFUSED');
  });

  it('maps a connection closed without an answer (a crashed NMS behind its balancer) to LEGACY_UNAVAILABLE, retryable', async () => {
    const server = net.createServer((socket) => socket.destroy());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      const err = await productError(() => testClient({ baseUrl: `http://127.0.0.1:${port}` }).elementsByIds(['SZ-AGG-03']));
      expect(err).toMatchObject({ code: 'LEGACY_UNAVAILABLE', retryable: true });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('maps no answer within NETWORK_TIMEOUT_MS to LEGACY_TIMEOUT, and does not retry', async () => {
    nms().post('/nms/rest/nes/_batch').delay(500).reply(200, listBody('ne', []), jsonHeaders);
    const err = await productError(() => testClient({ timeoutMs: 100 }).elementsByIds(['SZ-AGG-03']));
    expect(err).toMatchObject({ code: 'LEGACY_TIMEOUT', system: 'network', retryable: true });
  });

  it('reports the NMS as up, degraded or down from the last calls', async () => {
    const client = testClient();
    expect(client.health().state).toBe('up');
    nms().post('/nms/rest/nes/_batch').times(3).reply(503, '', { 'retry-after': '1' });
    for (let k = 0; k < 3; k++) await client.elementsByIds(['SZ-AGG-03']).catch(() => undefined);
    expect(client.health().state).toBe('down');
    nms().post('/nms/rest/nes/_batch').reply(200, listBody('ne', []), jsonHeaders);
    await client.elementsByIds(['SZ-AGG-03']);
    expect(client.health().state).toBe('degraded');
  });
});
