import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startNetworkEmulator } from '../../../emulators/network/index.js';
import { PROVINCES } from '../../../emulators/shared/regions.js';
import { ALARM_EPOCH, ALARM_SLOT_MS, World } from '../../../emulators/shared/world.js';
import { startTestEmulator, testWorld, TEST_NOW, type TestEmulator } from '../../helpers/emulators.js';
import { call, expectedAlarmCore, expectedOutage, expectedService, isSorted, json, NOW, worldAlarms, xml } from './nms.js';

/** Contract tests of the NMS emulator (legacy-contracts.md §2), with the clock pinned and dynamics off. */

let em: TestEmulator;
beforeAll(async () => {
  em = await startTestEmulator('network', startNetworkEmulator);
});
afterAll(() => em.close());
beforeEach(() => em.reset());

const w = testWorld;
const el = (id: string) => w.element(id)!;
const firstCustomerWith = (pred: (i: number) => boolean) => {
  for (let i = 0; i < w.customerCount; i++) if (pred(i)) return i;
  throw new Error('no such customer');
};
const openOutage = (province: string) => w.outages(province, NOW).find((o) => World.isOpen(o, NOW))!;

describe('NMS wire format', () => {
  it('answers XML without namespaces by default and the same content as JSON on Accept: application/json', async () => {
    const i = firstCustomerWith((k) => w.customer(k).lineCount >= 3);
    const o = openOutage('GD');
    for (const path of [
      `/services?customerCode=${w.customerId(i)}`,
      '/alarms?limit=50',
      `/outages?province=GD`,
      `/outages/${o.id}`,
      '/nes/SZ-BTS-0312',
      `/alarms/${o.rootCauseAlarmId}`,
    ]) {
      const raw = await call(em, path);
      expect(raw.status).toBe(200);
      expect(raw.headers.get('content-type')).toMatch(/^application\/xml/);
      expect(raw.text.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
      expect(raw.text).not.toMatch(/xmlns|<\w+:\w+/);
      const asJson = await call(em, path, { json: true });
      expect(asJson.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await xml(em, path)).toEqual(JSON.parse(asJson.text));
    }
  });

  it('writes nested lists as wrapper elements in XML and always as arrays in JSON', async () => {
    const line = w.lines(0)[0]!;
    const raw = await call(em, `/services?customerCode=${w.customerId(0)}`);
    const ids = line.supporting.map((e) => w.elements[e]!.id);
    expect(raw.text).toContain(`<supportingNeIds><neId>${ids[0]}</neId><neId>${ids[1]}</neId><neId>${ids[2]}</neId></supportingNeIds>`);
    const body = await json(em, `/services?customerCode=${w.customerId(0)}`);
    for (const s of body.service) {
      expect(Array.isArray(s.supportingNeIds)).toBe(true);
      expect(Array.isArray(s.outageIds)).toBe(true);
    }
    // A list of one is still an array in JSON.
    const one = await json(em, `/services?customerCode=${w.customerId(0)}&limit=1`);
    expect(one.service).toHaveLength(1);
  });

  it('writes null as an empty element in XML and null in JSON', async () => {
    const raw = await call(em, '/nes/GD-CORE-01');
    expect(raw.text).toContain('<parentId/>');
    expect(raw.text).toContain('<localNetwork/>');
    expect(await json(em, '/nes/GD-CORE-01')).toMatchObject({ parentId: null, localNetwork: null });
  });

  it('writes every time as local yyyy-MM-dd HH:mm:ss (Asia/Shanghai, no zone)', async () => {
    const o = openOutage('BJ');
    const a = await json(em, `/alarms/${o.rootCauseAlarmId}`);
    expect(a.firstEventTime).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const local = new Date(o.startedAt + 8 * 3600_000).toISOString().replace('T', ' ').slice(0, 19);
    expect(a.firstEventTime).toBe(local);
  });
});

describe('NMS services', () => {
  it('lists the services of a customer as billing knows them (world.lines), even when the CRM list is stale', async () => {
    for (const kind of ['missing', 'extra'] as const) {
      const i = firstCustomerWith((k) => w.customer(k).staleServiceList === kind && w.customer(k).lineCount > 1);
      expect(w.crmServiceNumbers(i)).not.toEqual(w.lines(i).map((l) => l.serviceNumber));
      const body = await json(em, `/services?customerCode=${w.customerId(i)}`);
      expect(body.totalCount).toBe(w.lines(i).length);
      expect(body.service).toEqual(w.lines(i).map((l) => expectedService(l)));
    }
  });

  it("pages a customer's services with offset and limit, and totalCount tells the total", async () => {
    const i = firstCustomerWith((k) => w.customer(k).lineCount === 5);
    const numbers: string[] = [];
    for (let offset = 0; offset < 5; offset += 2) {
      const page = await json(em, `/services?customerCode=${w.customerId(i)}&offset=${offset}&limit=2`);
      expect(page).toMatchObject({ totalCount: 5, offset, limit: 2 });
      numbers.push(...page.service.map((s: { serviceNumber: string }) => s.serviceNumber));
    }
    expect(numbers).toEqual(w.lines(i).map((l) => l.serviceNumber));
    const past = await json(em, `/services?customerCode=${w.customerId(i)}&offset=7`);
    expect(past).toMatchObject({ totalCount: 5, service: [] });
  });

  it('answers an empty list for an unknown customer and 400 without customerCode', async () => {
    expect(await json(em, '/services?customerCode=1-ZZZZZZ')).toEqual({ totalCount: 0, offset: 0, limit: 10, service: [] });
    const r = await call(em, '/services');
    expect(r.status).toBe(400);
    expect(r.text).toContain('<code>MISSING_PARAMETER</code>');
  });

  it('answers POST /services/_batch in request order with unknown numbers absent, up to 100 numbers', async () => {
    const lines = Array.from({ length: 60 }, (_, k) => w.lines(k * 7)).flat().slice(0, 98);
    const numbers = [...lines.map((l) => l.serviceNumber), w.formerNumber(3), '19999999999'];
    expect(numbers).toHaveLength(100);
    const body = await json(em, '/services/_batch', { body: { serviceNumbers: numbers } });
    expect(body.totalCount).toBe(98);
    expect(body.service).toEqual(lines.map((l) => expectedService(l)));
  });

  it('refuses a batch of 101 service numbers with 400 BATCH_TOO_LARGE', async () => {
    const numbers = Array.from({ length: 101 }, (_, k) => w.lines(k)[0]!.serviceNumber);
    const r = await call(em, '/services/_batch', { body: { serviceNumbers: numbers } });
    expect(r.status).toBe(400);
    expect(r.text).toContain('<code>BATCH_TOO_LARGE</code>');
    const j = await call(em, '/services/_batch', { body: { serviceNumbers: numbers }, json: true });
    expect(JSON.parse(j.text)).toMatchObject({ status: 400, code: 'BATCH_TOO_LARGE' });
  });

  it('refuses a malformed batch body with 400', async () => {
    for (const body of ['{not json', '[]', JSON.stringify({ serviceNumbers: 'x' }), JSON.stringify({ serviceNumbers: [1] }), JSON.stringify({ numbers: [] })]) {
      const r = await call(em, '/services/_batch', { body });
      expect(r.status, body).toBe(400);
      expect(r.text).toContain('<code>MALFORMED_BODY</code>');
    }
  });

  it("marks a service on an open outage's aggregation as affected and lists the outage id", async () => {
    for (const p of PROVINCES) {
      const o = openOutage(p.code);
      const line = w.linesOnAggregation(o.aggregation)[0]!;
      const [s] = (await json(em, '/services/_batch', { body: { serviceNumbers: [line.serviceNumber] } })).service;
      expect(s.affected).toBe(true);
      expect(s.outageIds).toContain(o.id);
      expect(s).toEqual(expectedService(line));
    }
  });

  it('reports the supporting elements access → aggregation → core, the chain GET /nes parentId walks', async () => {
    const line = w.lines(42)[0]!;
    const [s] = (await json(em, '/services/_batch', { body: { serviceNumbers: [line.serviceNumber] } })).service;
    const [access, agg, core] = s.supportingNeIds;
    expect(s.accessNeId).toBe(access);
    const a = await json(em, `/nes/${access}`);
    const g = await json(em, `/nes/${agg}`);
    const c = await json(em, `/nes/${core}`);
    expect([a.kind, g.kind, c.kind]).toEqual(['ACCESS', 'AGGREGATION', 'CORE']);
    expect(a.parentId).toBe(agg);
    expect(g.parentId).toBe(core);
    expect(c.parentId).toBeNull();
    expect(a).toEqual({ id: access, name: el(access).name, kind: 'ACCESS', parentId: agg, province: line.province, localNetwork: line.localNetwork });
  });
});

describe('NMS network elements', () => {
  it('answers POST /nes/_batch with up to 100 ids, unknown ones absent, and 400 above', async () => {
    const ids = [...w.elements.slice(0, 99).map((e) => e.id), 'XX-BTS-9999'];
    const body = await json(em, '/nes/_batch', { body: { ids } });
    expect(body.totalCount).toBe(99);
    expect(body.ne.map((e: { id: string }) => e.id)).toEqual(ids.slice(0, 99));
    const over = await call(em, '/nes/_batch', { body: { ids: [...ids, 'GD-CORE-01'] } });
    expect(over.status).toBe(400);
    expect(over.text).toContain('<code>BATCH_TOO_LARGE</code>');
  });

  it('answers 404 with an XML error body for an unknown element', async () => {
    const r = await call(em, '/nes/XX-AGG-01');
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toMatch(/^application\/xml/);
    expect(r.text).toMatch(/<error>\s*<status>404<\/status>\s*<code>NOT_FOUND<\/code>\s*<message>[^<]*XX-AGG-01[^<]*<\/message>\s*<\/error>/);
  });
});

describe('NMS alarms', () => {
  it('lists exactly the alarms the world lists at the clock, with their fields', async () => {
    const expected = worldAlarms();
    const body = await json(em, '/alarms?limit=0');
    expect(body.totalCount).toBe(expected.length);
    expect(body.alarm.map((a: { id: number }) => a.id).sort()).toEqual(expected.map((a) => a.id).sort());
    const byId = new Map(body.alarm.map((a: { id: number }) => [a.id, a]));
    for (const a of expected) expect(byId.get(a.id)).toMatchObject(expectedAlarmCore(a));
  });

  it('lists the same alarms as the world at any instant of an alarm slot', async () => {
    const slotStart = ALARM_EPOCH + World.slotOf(NOW) * ALARM_SLOT_MS;
    const elements = w.elements.filter((e) => e.localNetwork === 'SZ' || e.kind === 'CORE').slice(0, 100);
    for (const at of [slotStart, slotStart + 1, NOW, slotStart + ALARM_SLOT_MS - 1, slotStart + ALARM_SLOT_MS]) {
      await em.clock(new Date(at).toISOString());
      const body = await json(em, '/alarms/_query?limit=0', { body: { neIds: elements.map((e) => e.id) } });
      const expected = worldAlarms(at, elements.map((e) => e.index));
      expect(body.alarm.map((a: { id: number }) => a.id).sort()).toEqual(expected.map((a) => a.id).sort());
    }
  });

  it('encodes severity as the vendor integer with its label; a cleared alarm is 5 CLEARED with a clearTime', async () => {
    const body = await json(em, '/alarms?limit=0');
    const labels: Record<number, string> = { 0: 'INDETERMINATE', 1: 'CRITICAL', 2: 'MAJOR', 3: 'MINOR', 4: 'WARNING', 5: 'CLEARED' };
    const seen = new Set<number>();
    for (const a of body.alarm) {
      expect(labels[a.severity]).toBe(a.severityLabel);
      expect(Number.isInteger(a.id) && Number.isInteger(a.probableCause) && Number.isInteger(a.counter)).toBe(true);
      expect(a.clearTime === null).toBe(a.severity !== 5);
      seen.add(a.severity);
    }
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('sorts worst first (critical > major > minor > warning > indeterminate > cleared), then newest lastEventTime', async () => {
    const body = await json(em, '/alarms?limit=0');
    expect(isSorted(body.alarm)).toBe(true);
    const order = [...new Set(body.alarm.map((a: { severityLabel: string }) => a.severityLabel))];
    expect(order).toEqual(['CRITICAL', 'MAJOR', 'MINOR', 'WARNING', 'INDETERMINATE', 'CLEARED']);
  });

  it('answers ten alarms when limit is omitted, totalCount tells the real total, and offset/limit page to the end', async () => {
    const first = await json(em, '/alarms');
    expect(first.alarm).toHaveLength(10);
    expect(first.limit).toBe(10);
    const total = first.totalCount;
    expect(total).toBe(worldAlarms().length);
    expect(total).toBeGreaterThan(500);
    const all = await json(em, '/alarms?limit=0');
    expect(all.alarm).toHaveLength(total);
    const paged: number[] = [];
    for (let offset = 0; offset < total; offset += 400) {
      const page = await json(em, `/alarms?offset=${offset}&limit=400`);
      expect(page.totalCount).toBe(total);
      paged.push(...page.alarm.map((a: { id: number }) => a.id));
    }
    expect(paged).toEqual(all.alarm.map((a: { id: number }) => a.id));
    expect(first.alarm).toEqual(all.alarm.slice(0, 10));
  });

  it('refuses a bad offset or limit with 400', async () => {
    for (const q of ['offset=-1', 'limit=-5', 'limit=ten', 'offset=1.5', 'limit=1e3']) {
      const r = await call(em, `/alarms?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.text).toContain('<code>INVALID_PARAMETER</code>');
    }
  });

  it('filters by minSeverity label (MINOR = minor and worse) and refuses an unknown label with 400', async () => {
    const expected = worldAlarms().filter((a) => World.isActive(a, NOW) && ['CRITICAL', 'MAJOR', 'MINOR'].includes(a.severity));
    const body = await json(em, '/alarms?minSeverity=MINOR&limit=0');
    expect(body.alarm.map((a: { id: number }) => a.id).sort()).toEqual(expected.map((a) => a.id).sort());
    const crit = await json(em, '/alarms?minSeverity=CRITICAL&limit=0');
    expect(crit.alarm.every((a: { severity: number }) => a.severity === 1)).toBe(true);
    expect((await json(em, '/alarms?minSeverity=CLEARED')).totalCount).toBe(worldAlarms().length);
    for (const bad of ['SEVERE', 'minor', '3']) {
      const r = await call(em, `/alarms?minSeverity=${bad}`);
      expect(r.status).toBe(400);
      expect(r.text).toContain('<code>INVALID_PARAMETER</code>');
    }
  });

  it('filters active=true to uncleared alarms and active=false to cleared ones; absent lists both', async () => {
    const all = worldAlarms();
    const active = await json(em, '/alarms?active=true&limit=0');
    const cleared = await json(em, '/alarms?active=false&limit=0');
    expect(active.totalCount).toBe(all.filter((a) => World.isActive(a, NOW)).length);
    expect(cleared.totalCount).toBe(all.filter((a) => !World.isActive(a, NOW)).length);
    expect(active.alarm.every((a: { clearTime: null }) => a.clearTime === null)).toBe(true);
    expect(cleared.alarm.every((a: { severity: number }) => a.severity === 5)).toBe(true);
    expect(cleared.totalCount).toBeGreaterThan(0);
    expect((await call(em, '/alarms?active=yes')).status).toBe(400);
  });

  it('filters GET /alarms by neId (repeatable)', async () => {
    const o = openOutage('SH');
    const agg = w.elements[o.aggregation]!;
    const body = await json(em, `/alarms?neId=${agg.id}&neId=SH-CORE-01&limit=0`);
    const expected = worldAlarms(NOW, [agg.index, el('SH-CORE-01').index]);
    expect(body.alarm.map((a: { id: number }) => a.id).sort()).toEqual(expected.map((a) => a.id).sort());
    expect(body.alarm.map((a: { id: number }) => a.id)).toContain(o.rootCauseAlarmId);
  });

  it('answers POST /alarms/_query for up to 100 elements with filters and paging, and 400 above', async () => {
    const ids = w.elements.filter((e) => e.localNetwork === 'GZ').slice(0, 100);
    const expected = worldAlarms(NOW, ids.map((e) => e.index)).filter((a) => World.isActive(a, NOW) && a.severity !== 'WARNING' && a.severity !== 'INDETERMINATE');
    const body = await json(em, '/alarms/_query', { body: { neIds: ids.map((e) => e.id), minSeverity: 'MINOR', active: true, limit: 0 } });
    expect(body.totalCount).toBe(expected.length);
    expect(body.alarm.map((a: { id: number }) => a.id).sort()).toEqual(expected.map((a) => a.id).sort());
    expect(isSorted(body.alarm)).toBe(true);
    const page = await json(em, '/alarms/_query?limit=2', { body: { neIds: ids.map((e) => e.id), minSeverity: 'MINOR', active: true } });
    expect(page).toMatchObject({ totalCount: expected.length, limit: 2 });
    expect(page.alarm).toEqual(body.alarm.slice(0, 2));
    const over = await call(em, '/alarms/_query', { body: { neIds: [...ids.map((e) => e.id), 'GD-CORE-01'] } });
    expect(over.status).toBe(400);
    expect(over.text).toContain('BATCH_TOO_LARGE');
    expect((await call(em, '/alarms/_query', { body: { neIds: ['GD-CORE-01'], minSeverity: 'BAD' } })).status).toBe(400);
  });

  it('answers GET /alarms/count in text/plain with the count the list has', async () => {
    const r = await call(em, '/alarms/count?minSeverity=MAJOR&active=true', { json: true });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
    const list = await json(em, '/alarms?minSeverity=MAJOR&active=true');
    expect(r.text).toBe(String(list.totalCount));
    const all = await call(em, '/alarms/count');
    expect(all.text).toBe(String(worldAlarms().length));
  });

  it('reads an alarm by id, cleared ones included, until it is 90 days old', async () => {
    // Take an alarm listed 30 days ago: long cleared now, still readable by id.
    const past = new Date(NOW - 30 * 86_400_000).toISOString();
    await em.clock(past);
    const then = (await json(em, '/alarms?limit=1')).alarm[0];
    await em.clock(TEST_NOW);
    const now = await json(em, `/alarms/${then.id}`);
    const a = w.alarm(then.id, NOW)!;
    expect(now).toMatchObject({ ...expectedAlarmCore(a), severity: 5, severityLabel: 'CLEARED' });
    expect((await xml(em, `/alarms/${then.id}`)).id).toBe(then.id);
    // 91 days after it was raised, it is gone.
    await em.clock(new Date(a.raisedAt + 91 * 86_400_000).toISOString());
    const gone = await call(em, `/alarms/${then.id}`);
    expect(gone.status).toBe(404);
    expect(gone.text).toContain('<code>NOT_FOUND</code>');
  });

  it('answers 404 for an unknown alarm id', async () => {
    for (const id of ['999', '1000000000', 'abc']) expect((await call(em, `/alarms/${id}`)).status).toBe(404);
  });

  it('answers POST /alarms/_byIds with up to 100 ids in request order, cleared included, unknown absent', async () => {
    const listed = worldAlarms();
    const cleared = listed.find((a) => !World.isActive(a, NOW))!;
    const ids: (number | string)[] = [cleared.id, ...listed.filter((a) => a.id !== cleared.id).slice(0, 97).map((a) => a.id), 5, String(listed[0]!.id)];
    expect(ids).toHaveLength(100);
    const body = await json(em, '/alarms/_byIds', { body: { ids } });
    const expectIds = [...new Set([cleared.id, ...listed.filter((a) => a.id !== cleared.id).slice(0, 97).map((a) => a.id)])];
    expect(body.alarm.map((a: { id: number }) => a.id)).toEqual(expectIds);
    expect(body.alarm[0]).toMatchObject({ severity: 5, clearTime: expect.any(String) });
    const over = await call(em, '/alarms/_byIds', { body: { ids: [...ids, 7] } });
    expect(over.status).toBe(400);
    expect(over.text).toContain('BATCH_TOO_LARGE');
  });

  it('shows only what has happened by the clock: no future ack, repetition or clear', async () => {
    const body = await json(em, '/alarms?limit=0');
    const nowLocal = new Date(NOW + 8 * 3600_000).toISOString().replace('T', ' ').slice(0, 19);
    for (const a of body.alarm) {
      for (const f of ['firstEventTime', 'lastEventTime', 'ackTime', 'clearTime']) if (a[f] !== null) expect(a[f] <= nowLocal).toBe(true);
    }
    // The world schedules acknowledgements and repetitions; some of them lie after the clock.
    const scheduled = worldAlarms().find((a) => a.ackAt !== null && a.ackAt > NOW)!;
    expect((await json(em, `/alarms/${scheduled.id}`)).ackUser).toBeNull();
  });

  it('acknowledges with PUT ?ack=true idempotently, reflected in reads, and un-acknowledges with ack=false', async () => {
    const a = worldAlarms().find((x) => World.isActive(x, NOW) && (x.ackAt === null || x.ackAt > NOW))!;
    const ack = await call(em, `/alarms/${a.id}?ack=true`, { method: 'PUT' });
    expect(ack.status).toBe(204);
    const read = await json(em, `/alarms/${a.id}`);
    expect(read).toMatchObject({ ackUser: 'gateway', ackTime: '2026-11-24 10:00:00' });
    // Again, later and by someone else: nothing changes.
    await em.clock('2026-11-24T10:05:00+08:00');
    expect((await call(em, `/alarms/${a.id}?ack=true&ackUser=noc-other`, { method: 'PUT' })).status).toBe(204);
    expect(await json(em, `/alarms/${a.id}`)).toMatchObject({ ackUser: 'gateway', ackTime: '2026-11-24 10:00:00' });
    const listed = (await json(em, `/alarms?neId=${w.elements[a.element]!.id}&limit=0`)).alarm.find((x: { id: number }) => x.id === a.id);
    expect(listed.ackUser).toBe('gateway');
    expect((await json(em, '/alarms/_byIds', { body: { ids: [a.id] } })).alarm[0].ackUser).toBe('gateway');
    // ackUser names the acknowledging operator when given.
    const b = worldAlarms().find((x) => x.id !== a.id && (x.ackAt === null || x.ackAt > NOW))!;
    await call(em, `/alarms/${b.id}?ack=true&ackUser=noc-zhao`, { method: 'PUT' });
    expect(await json(em, `/alarms/${b.id}`)).toMatchObject({ ackUser: 'noc-zhao', ackTime: '2026-11-24 10:05:00' });
    // Un-acknowledge, twice.
    for (let k = 0; k < 2; k++) expect((await call(em, `/alarms/${a.id}?ack=false`, { method: 'PUT' })).status).toBe(204);
    expect(await json(em, `/alarms/${a.id}`)).toMatchObject({ ackUser: null, ackTime: null });
    // A reset forgets every acknowledgement.
    await em.reset();
    expect((await json(em, `/alarms/${b.id}`)).ackUser).toBeNull();
  });

  it('refuses PUT without a valid ack parameter (400) and on an unknown alarm (404)', async () => {
    const a = worldAlarms()[0]!;
    expect((await call(em, `/alarms/${a.id}`, { method: 'PUT' })).status).toBe(400);
    expect((await call(em, `/alarms/${a.id}?ack=maybe`, { method: 'PUT' })).status).toBe(400);
    expect((await call(em, '/alarms/17?ack=true', { method: 'PUT' })).status).toBe(404);
  });
});

describe('NMS outages', () => {
  it('has at least one open outage in every province, with a critical root-cause alarm on its aggregation', async () => {
    for (const p of PROVINCES) {
      const body = await json(em, `/outages?province=${p.code}`);
      const open = body.outage.filter((o: { status: string }) => o.status === 'open');
      expect(open.length, p.code).toBeGreaterThanOrEqual(1);
      const root = await json(em, `/alarms/${open[0].rootCauseAlarmIds[0]}`);
      expect(root).toMatchObject({ severity: 1, severityLabel: 'CRITICAL', probableCause: 305, neId: open[0].affectedNeIds[0], clearTime: null });
      expect((await json(em, `/nes/${root.neId}`)).kind).toBe('AGGREGATION');
    }
  });

  it('lists outages per province and local network as the world does, newest first', async () => {
    const gd = await json(em, '/outages?province=GD');
    expect(gd.outage).toEqual(w.outages('GD', NOW).map((o) => expectedOutage(o)));
    const sz = await json(em, '/outages?province=GD&localNetwork=SZ');
    expect(sz.outage).toEqual(w.outages('GD', NOW).filter((o) => o.localNetwork === 'SZ').map((o) => expectedOutage(o)));
    const sz2 = await json(em, '/outages?localNetwork=SZ');
    expect(sz2.outage).toEqual(sz.outage);
    // The whole country pages like every list: ten by default.
    const all = await json(em, '/outages');
    const expectedTotal = PROVINCES.reduce((n, p) => n + w.outages(p.code, NOW).length, 0);
    expect(all.totalCount).toBe(expectedTotal);
    expect(all.outage).toHaveLength(10);
    expect(all.outage.map((o: { startTime: string }) => o.startTime)).toEqual([...all.outage.map((o: { startTime: string }) => o.startTime)].sort().reverse());
    expect((await json(em, '/outages?province=XX')).totalCount).toBe(0);
  });

  it("pages an outage's affected services (ten by default, to the end) and totalCount = affectedServiceCount", async () => {
    const o = openOutage('ZJ');
    const lines = w.linesOnAggregation(o.aggregation);
    const outage = await json(em, `/outages/${o.id}`);
    expect(outage).toEqual(expectedOutage(o));
    expect(outage.affectedServiceCount).toBe(lines.length);
    const first = await json(em, `/outages/${o.id}/services`);
    expect(first.service).toHaveLength(10);
    expect(first.totalCount).toBe(lines.length);
    const numbers: string[] = [];
    for (let offset = 0; offset < lines.length; offset += 64) {
      const page = await json(em, `/outages/${o.id}/services?offset=${offset}&limit=64`);
      numbers.push(...page.service.map((s: { serviceNumber: string }) => s.serviceNumber));
      for (const s of page.service) expect(s.affected).toBe(true);
    }
    expect(numbers).toEqual(lines.map((l) => l.serviceNumber));
    const all = await json(em, `/outages/${o.id}/services?limit=0`);
    expect(all.service).toEqual(lines.map((l) => expectedService(l)));
  });

  it('answers POST /outages/_byIds with up to 100 ids (unknown absent, 400 above) and 404 for an unknown outage', async () => {
    const known = PROVINCES.flatMap((p) => w.outages(p.code, NOW));
    const ids = [...known.map((o) => o.id), 'OUT-GD-SZ-0001', ...Array.from({ length: 99 - known.length }, (_, k) => `OUT-XX-YY-${k}`)];
    expect(ids).toHaveLength(100);
    const body = await json(em, '/outages/_byIds', { body: { ids } });
    expect(body.outage).toEqual(known.map((o) => expectedOutage(o)));
    expect((await call(em, '/outages/_byIds', { body: { ids: [...ids, 'x'] } })).status).toBe(400);
    const r = await call(em, '/outages/OUT-GD-SZ-0001');
    expect(r.status).toBe(404);
    expect(r.text).toContain('<code>NOT_FOUND</code>');
    expect((await call(em, '/outages/OUT-GD-SZ-0001/services')).status).toBe(404);
  });
});
