import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startNetworkEmulator } from '../../../emulators/network/index.js';
import { PROVINCES } from '../../../emulators/shared/regions.js';
import { World } from '../../../emulators/shared/world.js';
import { startTestEmulator, testWorld, type TestEmulator } from '../../helpers/emulators.js';
import { call, expectedService, isSorted, json, NOW, worldAlarms } from './nms.js';

/** The NMS emulator's errors, limits, fault flags (§0 as they look on the NMS wire) and dynamics (§2). */

let em: TestEmulator;
beforeAll(async () => {
  em = await startTestEmulator('network', startNetworkEmulator);
});
afterAll(() => em.close());
beforeEach(() => em.reset());

const w = testWorld;
const iso = (ms: number) => new Date(ms).toISOString();
const openOutages = () => PROVINCES.map((p) => w.outages(p.code, NOW).find((o) => World.isOpen(o, NOW))!);

describe('NMS errors and limits', () => {
  it('answers 401 with WWW-Authenticate and an error body (XML, or JSON on Accept) on missing or wrong credentials', async () => {
    const wrong = `Basic ${Buffer.from('gateway:nope').toString('base64')}`;
    for (const auth of [null, wrong, 'Bearer abc']) {
      const r = await call(em, '/nes/GD-CORE-01', { auth });
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
      expect(r.text).toContain('<code>UNAUTHORIZED</code>');
    }
    const j = await call(em, '/alarms', { auth: wrong, json: true });
    expect(j.status).toBe(401);
    expect(JSON.parse(j.text)).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
  });

  it('answers 404 with an XML error body for an unknown route, and 405 for a known route with another method', async () => {
    const r = await call(em, '/customers');
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toMatch(/^application\/xml/);
    expect(r.text).toContain('<code>NOT_FOUND</code>');
    expect((await call(em, '/services', { method: 'DELETE' })).status).toBe(405);
    expect((await fetch(`${em.url}/other`)).status).toBe(404);
  });

  it('answers the 11th concurrent call with 503 and Retry-After', async () => {
    await em.faults({ latencyMs: { p50: 400, p99: 400 } });
    const results = await Promise.all(Array.from({ length: 11 }, () => call(em, '/nes/GD-CORE-01')));
    const busy = results.filter((r) => r.status === 503);
    expect(results.filter((r) => r.status === 200)).toHaveLength(10);
    expect(busy).toHaveLength(1);
    expect(busy[0]!.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(busy[0]!.text).toContain('<code>SERVER_BUSY</code>');
    expect((await em.stats()).concurrency.peak).toBeGreaterThanOrEqual(11);
  });

  it('honours maxConcurrency from the faults', async () => {
    await em.faults({ latencyMs: { p50: 300, p99: 300 }, maxConcurrency: 2 });
    const results = await Promise.all(Array.from({ length: 3 }, () => call(em, '/alarms/count')));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 503]);
  });

  it('answers 503 with Retry-After on /services and /nes during topologySync, while alarms and outages work', async () => {
    await em.faults({ window: 'topologySync' });
    const line = w.lines(1)[0]!;
    for (const r of [
      await call(em, `/services?customerCode=${w.customerId(1)}`),
      await call(em, '/services/_batch', { body: { serviceNumbers: [line.serviceNumber] } }),
      await call(em, '/nes/GD-CORE-01'),
      await call(em, '/nes/_batch', { body: { ids: ['GD-CORE-01'] } }),
    ]) {
      expect(r.status).toBe(503);
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(r.text).toContain('<code>TOPOLOGY_SYNC</code>');
    }
    const o = openOutages()[0]!;
    expect((await call(em, '/alarms')).status).toBe(200);
    expect((await call(em, '/alarms/count')).status).toBe(200);
    expect((await call(em, `/alarms/${o.rootCauseAlarmId}`)).status).toBe(200);
    expect((await call(em, '/outages?province=GD')).status).toBe(200);
    expect((await call(em, `/outages/${o.id}/services`)).status).toBe(200);
  });

  it('refuses a window that is not the NMS\'s own with 400', async () => {
    const r = await fetch(`${em.url}/__emulator/faults`, { method: 'PUT', body: JSON.stringify({ window: 'billRun' }) });
    expect(r.status).toBe(400);
  });

  it('answers 502 from the proxy at errorRate', async () => {
    await em.faults({ errorRate: 1 });
    const r = await call(em, '/alarms');
    expect(r.status).toBe(502);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    expect(r.text).toContain('502 Bad Gateway');
  });

  it('answers 200 with a truncated XML or JSON body at malformedRate', async () => {
    await em.faults({ malformedRate: 1 });
    const x = await call(em, '/alarms');
    expect(x.status).toBe(200);
    expect(x.text.startsWith('<?xml')).toBe(true);
    expect(x.text.trimEnd().endsWith('</alarms>')).toBe(false);
    const j = await call(em, '/alarms', { json: true });
    expect(j.status).toBe(200);
    expect(() => JSON.parse(j.text)).toThrow();
  });

  it('logs each call with its templated operation and the keys asked for', async () => {
    const { last } = await em.requests();
    const line = w.lines(3)[0]!;
    const alarm = worldAlarms()[0]!;
    await call(em, `/services?customerCode=${w.customerId(3)}`);
    await call(em, '/services/_batch', { body: { serviceNumbers: [line.serviceNumber, 'nope'] } });
    await call(em, `/alarms/${alarm.id}`);
    await call(em, '/alarms?neId=GD-CORE-01&neId=GD-CORE-02');
    await call(em, '/alarms/_query', { body: { neIds: ['SZ-AGG-03'] } });
    await call(em, `/alarms/${alarm.id}?ack=true&ackUser=noc-li`, { method: 'PUT' });
    await call(em, '/nes/SZ-AGG-03');
    await call(em, '/outages/OUT-GD-SZ-0001');
    const { items } = await em.requests(last);
    expect(items.map((i) => [i.operation, i.keys])).toEqual([
      ['GET /services', [w.customerId(3)]],
      ['POST /services/_batch', [line.serviceNumber, 'nope']],
      ['GET /alarms/{id}', [String(alarm.id)]],
      ['GET /alarms', ['GD-CORE-01', 'GD-CORE-02']],
      ['POST /alarms/_query', ['SZ-AGG-03']],
      ['PUT /alarms/{id}', [String(alarm.id)]],
      ['GET /nes/{id}', ['SZ-AGG-03']],
      ['GET /outages/{id}', ['OUT-GD-SZ-0001']],
    ]);
    expect(items[5]!.operator).toBe('noc-li');
    expect(items.map((i) => i.status)).toEqual([200, 200, 200, 200, 200, 204, 200, 404]);
    expect((await em.stats()).operations['GET /alarms/{id}']).toBeGreaterThanOrEqual(1);
  });
});

describe('NMS dynamics', () => {
  it('is off by default: no storm or flapping alarms, and their ids are unknown', async () => {
    expect((await call(em, '/alarms/count')).text).toBe(String(worldAlarms().length));
    await em.faults({ dynamics: true });
    const o = openOutages()[0]!;
    const agg = w.elements[o.aggregation]!.id;
    const storm = (await json(em, `/alarms?neId=${agg}&limit=20`)).alarm.find((a: { id: number }) => a.id >= 2_000_000_000);
    expect(storm).toMatchObject({ neId: agg, probableCause: 305 });
    await em.faults({});
    expect((await call(em, `/alarms/${storm.id}`)).status).toBe(404);
  });

  it('storms: the aggregation of every open outage carries thousands of port alarms, which list, count, page and read by id', async () => {
    await em.faults({ dynamics: true });
    let extra = 0;
    for (const o of openOutages()) {
      const agg = w.elements[o.aggregation]!;
      const worldActive = worldAlarms(NOW, [agg.index]).filter((a) => World.isActive(a, NOW)).length;
      const count = Number((await call(em, `/alarms/count?neId=${agg.id}&active=true`)).text);
      expect(count - worldActive).toBeGreaterThanOrEqual(2000);
      expect(count - worldActive).toBeLessThanOrEqual(3000);
      extra += count - worldActive;
    }
    const total = Number((await call(em, '/alarms/count')).text);
    expect(total - worldAlarms().length).toBeGreaterThanOrEqual(extra);

    // One storm paged to the end: every alarm once, sorted, all on the aggregation.
    const o = openOutages()[1]!;
    const agg = w.elements[o.aggregation]!;
    const first = await json(em, `/alarms?neId=${agg.id}`);
    expect(first.alarm).toHaveLength(10);
    const seen = new Set<number>();
    const all: { id: number; severity: number; lastEventTime: string; neId: string }[] = [];
    for (let offset = 0; offset < first.totalCount; offset += 1000) {
      const page = await json(em, `/alarms?neId=${agg.id}&offset=${offset}&limit=1000`);
      expect(page.totalCount).toBe(first.totalCount);
      all.push(...page.alarm);
    }
    for (const a of all) seen.add(a.id);
    expect(all).toHaveLength(first.totalCount);
    expect(seen.size).toBe(first.totalCount);
    expect(isSorted(all)).toBe(true);
    expect(all.every((a) => a.neId === agg.id)).toBe(true);
    expect(all.map((a) => a.id)).toContain(o.rootCauseAlarmId);

    // limit=0 is capped at 5 000 across the whole network; deep pages still answer.
    const capped = await json(em, '/alarms?limit=0');
    expect(capped.alarm).toHaveLength(5000);
    expect(capped.totalCount).toBe(total);
    expect(isSorted(capped.alarm)).toBe(true);
    const window = await json(em, '/alarms?offset=4990&limit=20');
    expect(window.alarm.slice(0, 10)).toEqual(capped.alarm.slice(4990));
    const deep = await json(em, `/alarms?offset=${total - 3}&limit=10`);
    expect(deep.alarm).toHaveLength(3);

    // Storm alarms read by id, alone and in batches.
    const stormAlarms = all.filter((a) => a.id >= 2_000_000_000);
    const one = await json(em, `/alarms/${stormAlarms[17]!.id}`);
    expect(one).toEqual(stormAlarms[17]);
    expect(one).toMatchObject({ severity: 2, probableCause: 305, neId: agg.id, clearTime: null });
    const batch = await json(em, '/alarms/_byIds', { body: { ids: stormAlarms.slice(0, 100).map((a) => a.id) } });
    expect(batch.alarm).toEqual(stormAlarms.slice(0, 100));
  });

  it("storms: the port alarms arrive over the outage's first minute and clear with it", async () => {
    await em.faults({ dynamics: true });
    const o = openOutages()[2]!;
    const agg = w.elements[o.aggregation]!;
    const storm = async () => {
      const list = await json(em, `/alarms?neId=${agg.id}&limit=0&active=true`);
      // This storm's ids: 2·10⁹ + 4096·(1 + slot·8 + province) + k (see emulators/network/dynamics.ts).
      const base = 2_000_000_000 + 4096 * (1 + o.slot * 8 + PROVINCES.findIndex((p) => p.code === o.province));
      return list.alarm.filter((a: { id: number }) => a.id >= base && a.id < base + 3072).length;
    };
    await em.clock(iso(o.startedAt + 5_000));
    const early = await storm();
    await em.clock(iso(o.startedAt + 120_000));
    const full = await storm();
    expect(early).toBeGreaterThan(0);
    expect(early).toBeLessThan(full);
    expect(full).toBeGreaterThanOrEqual(2000);
    const someId = (await json(em, `/alarms?neId=${agg.id}&limit=20`)).alarm.find((a: { id: number }) => a.id >= 2_000_000_000).id;
    await em.clock(iso(o.clearsAt + 60_000));
    const after = await json(em, `/alarms/${someId}`);
    expect(after).toMatchObject({ severity: 5, severityLabel: 'CLEARED' });
    expect(after.clearTime).not.toBeNull();
  });

  it('flapping: a few alarms per local network raise and clear every 30–60 s of the clock, under one id with a growing counter', async () => {
    await em.faults({ dynamics: true });
    // NB has 80 access elements: one _query covers them all.
    const access = w.elements.filter((e) => e.localNetwork === 'NB' && e.kind === 'ACCESS').map((e) => e.id);
    const listed = await json(em, '/alarms/_query?limit=0', { body: { neIds: access } });
    const flapping = listed.alarm.filter((a: { specificProblem: string }) => a.specificProblem.includes('flapping'));
    const current = new Map<string, { id: number }>();
    for (const a of flapping) if (!current.has(a.neId) || current.get(a.neId)!.id < a.id) current.set(a.neId, a);
    expect(current.size).toBe(3);
    const [neId, alarm] = [...current.entries()][0]!;
    // A line on that access element that nothing else affects.
    let line = undefined as ReturnType<typeof w.lines>[number] | undefined;
    for (let i = 0; i < w.customerCount && !line; i++) {
      line = w.lines(i).find((l) => w.elements[l.supporting[0]]!.id === neId && l.status === 'active' && !w.lineNetworkState(l, NOW).affected);
    }
    expect(line).toBeDefined();
    const states: { t: number; active: boolean; counter: number; affected: boolean }[] = [];
    for (let t = NOW; t <= NOW + 180_000; t += 2_000) {
      await em.clock(iso(t));
      const a = await json(em, `/alarms/${alarm.id}`);
      const [s] = (await json(em, '/services/_batch', { body: { serviceNumbers: [line!.serviceNumber] } })).service;
      states.push({ t, active: a.clearTime === null, counter: a.counter, affected: s.affected });
    }
    const raises = states.filter((s, k) => k > 0 && s.active && !states[k - 1]!.active).map((s) => s.t);
    expect(raises.length).toBeGreaterThanOrEqual(2);
    for (let k = 1; k < raises.length; k++) {
      expect(raises[k]! - raises[k - 1]!).toBeGreaterThanOrEqual(28_000);
      expect(raises[k]! - raises[k - 1]!).toBeLessThanOrEqual(62_000);
    }
    expect(states.some((s) => !s.active)).toBe(true);
    expect(states.at(-1)!.counter).toBeGreaterThan(states[0]!.counter);
    // The line is affected exactly while the link is down.
    expect(states.every((s) => s.affected === s.active)).toBe(true);
  });

  it('operState lags a new critical alarm by about 60 s: ENABLED at first, then DISABLED', async () => {
    const o = openOutages()[3]!;
    const line = w.linesOnAggregation(o.aggregation).find(
      (l) => w.lineNetworkState(l, o.startedAt + 10_000, 60_000).operState === 'ENABLED' && w.lineNetworkState(l, o.startedAt + 61_000, 60_000).operState === 'DISABLED',
    )!;
    expect(line).toBeDefined();
    const read = async () => (await json(em, '/services/_batch', { body: { serviceNumbers: [line.serviceNumber] } })).service[0];
    await em.clock(iso(o.startedAt + 10_000));
    // Without dynamics the answer is the world's, with no lag.
    expect(await read()).toEqual(expectedService(line, o.startedAt + 10_000));
    expect((await read()).operState).toBe('DISABLED');
    await em.faults({ dynamics: true });
    expect(await read()).toMatchObject({ operState: 'ENABLED', affected: true, outageIds: [o.id] });
    await em.clock(iso(o.startedAt + 59_000));
    expect((await read()).operState).toBe('ENABLED');
    await em.clock(iso(o.startedAt + 61_000));
    expect((await read()).operState).toBe('DISABLED');
  });
});
