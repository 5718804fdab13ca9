import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVINCES, World } from '../../../emulators/shared/world.js';
import type { TestEmulator } from '../../helpers/emulators.js';
import { testWorld } from '../../helpers/emulators.js';
import { NOW, call, crmInstant, login, search, searchAll, startCrm } from './crm.js';

let emu: TestEmulator;
let token: string;
/** Tickets of the first 1 000 customers, fetched through byCustomer. */
let sample: any[];
beforeAll(async () => {
  emu = await startCrm();
  token = await login(emu);
  sample = [];
  for (let g = 0; g < 20; g++) {
    const customerIds = Array.from({ length: 50 }, (_, k) => w.customerId(g * 50 + k));
    const r = await call(emu, 'POST', '/crm/v1/data/ServiceRequest:byCustomer', { token, body: { customerIds, limitPerCustomer: 100 } });
    sample.push(...r.body.items);
  }
});
afterAll(() => emu.close());

const w = testWorld;
const OPEN = ['Open', 'Pending', 'Open - Escalated'];
const TIME = /^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2}$/;
const byCustomer = (bc: string, body: unknown) => call(emu, 'POST', `/crm/v1/data/${bc}:byCustomer`, { token, body });

describe('CRM service requests (contract §3)', () => {
  it('derives about one ticket per customer per half year, with Siebel field values and local times', () => {
    expect(sample.length / 1000).toBeGreaterThan(2); // two years kept online
    expect(sample.length / 1000).toBeLessThan(8);
    for (const t of sample) {
      expect(t['SR Number']).toMatch(/^1-\d{9}$/);
      expect(['Complaint', 'Incident', 'Request']).toContain(t.Type);
      expect(['1-ASAP', '2-High', '3-Medium', '4-Low']).toContain(t.Priority);
      expect(['Phone', 'Web', 'Email', 'Fax', 'Store']).toContain(t.Source);
      expect(t.Opened).toMatch(TIME);
      expect(t['Commit Time']).toMatch(TIME);
      expect(crmInstant(t.Opened)).toBeLessThanOrEqual(NOW);
      expect(crmInstant(t['Commit Time'])).toBeGreaterThan(crmInstant(t.Opened));
      expect(Object.values(t).every((v) => typeof v === 'string')).toBe(true);
      const c = w.customer(w.customerIndexById(t['Customer Id']));
      expect([t.Province, t['Local Network']]).toEqual([c.province, c.localNetwork]);
      if (t['Related Service Number'] && !t['Related Alarm Id']) expect(w.crmServiceNumbers(c.index)).toContain(t['Related Service Number']);
    }
  });

  it('derives every status from the age of the ticket: Open, Pending, Open - Escalated, Closed with and without Resolution Code, Cancelled', () => {
    const seen = new Set(sample.map((t) => t.Status));
    expect([...seen].sort()).toEqual(['Cancelled', 'Closed', 'Open', 'Open - Escalated', 'Pending']);
    const closed = sample.filter((t) => t.Status === 'Closed');
    expect(closed.some((t) => t['Resolution Code'] !== '')).toBe(true);
    expect(closed.some((t) => t['Resolution Code'] === '')).toBe(true);
    for (const t of sample) {
      const done = t.Status === 'Closed' || t.Status === 'Cancelled';
      expect(t.Closed === '', t['SR Number']).toBe(!done);
      if (done) expect(crmInstant(t.Closed)).toBeLessThanOrEqual(NOW);
      if (t.Status !== 'Closed') expect(t['Resolution Code']).toBe('');
      if (OPEN.includes(t.Status)) expect(NOW - crmInstant(t.Opened)).toBeLessThan(42 * 86_400_000);
    }
    const open = sample.filter((t) => OPEN.includes(t.Status)).length / sample.length;
    expect(open).toBeGreaterThan(0.002);
    expect(open).toBeLessThan(0.1);
  });

  it('keeps a ticket fixed in time as the clock runs; only its status moves', async () => {
    const t = sample.find((x) => x.Status === 'Open' && !x['Related Alarm Id'])!;
    await emu.clock(new Date(NOW + 60 * 86_400_000).toISOString());
    // Sixty idle days expire any session: log in at the later time, and again after.
    const later = await search(emu, await login(emu), 'ServiceRequest', { searchspec: `[SR Number]='${t['SR Number']}'` });
    await emu.clock(new Date(NOW).toISOString());
    token = await login(emu);
    const { Status, Closed, 'Resolution Code': _r, ...fixed } = later.body.items[0];
    const { Status: s0, Closed: c0, 'Resolution Code': _r0, ...fixed0 } = t;
    expect(fixed).toEqual(fixed0);
    expect(['Closed', 'Cancelled']).toContain(Status);
    expect(Closed).not.toBe('');
  });

  it('looks a ticket up directly by SR Number', async () => {
    const picks = [sample[0], sample[sample.length - 1], sample.find((t) => t['Related Alarm Id'])];
    const spec = picks.map((t) => `[SR Number]='${t['SR Number']}'`).join(' OR ');
    const r = await search(emu, token, 'ServiceRequest', { searchspec: spec });
    expect(r.ms).toBeLessThan(1000);
    expect(new Set(r.body.items.map((t: any) => t['SR Number']))).toEqual(new Set(picks.map((t) => t['SR Number'])));
    for (const t of r.body.items) expect(t).toEqual(picks.find((p) => p['SR Number'] === t['SR Number']));
    expect((await search(emu, token, 'ServiceRequest', { searchspec: "[SR Number]='1-000000000'" })).body.items).toEqual([]);
  });

  it("lists a province's open tickets page by page without a scan, matching every customer's own tickets", async () => {
    const t0 = performance.now();
    const open: any[] = [];
    const starts: boolean[] = [];
    for (let start = 0; ; start += 20) {
      const r = await search(emu, token, 'ServiceRequest', { searchspec: "[Province]='GD' AND [Status]='Open'", PageSize: 20, StartRowNum: start });
      expect(r.status).toBe(200);
      open.push(...r.body.items);
      starts.push(r.body.LastPage);
      if (r.body.LastPage) break;
    }
    expect(performance.now() - t0).toBeLessThan(1500 * starts.length);
    expect(starts.length).toBeGreaterThan(1);
    expect(open.every((t) => t.Province === 'GD' && t.Status === 'Open')).toBe(true);
    // Newest first by default.
    const opened = open.map((t) => crmInstant(t.Opened));
    expect(opened).toEqual([...opened].sort((a, b) => b - a));
    // The same set as asking each GD customer for its tickets.
    const gd = w.customersIn('GD')!;
    const expected: string[] = [];
    for (let k = 0; k < gd.count; k += 50) {
      const customerIds = Array.from({ length: Math.min(50, gd.count - k) }, (_, j) => w.customerId(gd.at(k + j)));
      const r = await byCustomer('ServiceRequest', { customerIds, searchspec: "[Status]='Open'", limitPerCustomer: 100 });
      expected.push(...r.body.items.map((t: any) => t['SR Number']));
    }
    expect(open.map((t) => t['SR Number']).sort()).toEqual(expected.sort());
    const escalated = await searchAll(emu, token, 'ServiceRequest', "[Local Network]='SZ' AND ([Status]='Open - Escalated' OR [Status]='Pending')");
    expect(escalated.every((t) => t['Local Network'] === 'SZ' && ['Open - Escalated', 'Pending'].includes(t.Status))).toBe(true);
  });

  it('raises incident tickets for lines hit by a current outage, naming its root-cause alarm, in every province', async () => {
    for (const p of PROVINCES) {
      const open = await searchAll(emu, token, 'ServiceRequest', `[Province]='${p.code}' AND ([Status]='Open' OR [Status]='Pending' OR [Status]='Open - Escalated')`);
      const current = w.outages(p.code, NOW).filter((o) => World.isOpen(o, NOW));
      const linked = open.filter((t) => current.some((o) => String(o.rootCauseAlarmId) === t['Related Alarm Id']));
      expect(linked.length, p.code).toBeGreaterThan(0);
      for (const t of linked) {
        const o = current.find((x) => String(x.rootCauseAlarmId) === t['Related Alarm Id'])!;
        const line = w.line(t['Related Service Number'])!;
        expect(line.supporting[1]).toBe(o.aggregation); // the line rides on the failed element
        expect(w.customerId(line.customer)).toBe(t['Customer Id']);
        expect(w.alarm(o.rootCauseAlarmId, NOW)?.outageId).toBe(o.id);
        expect(t.Type).toBe('Incident');
      }
    }
  });
});

describe('CRM byCustomer batches (contract §3)', () => {
  it('groups by customer in request order, newest first, limited per customer, unknown customers absent', async () => {
    const customerIds = [w.customerId(7), '1-ZZZZZZ', w.customerId(3), w.customerId(5)];
    const r = await byCustomer('ServiceRequest', { customerIds, limitPerCustomer: 2 });
    expect(r.status).toBe(200);
    const groups: string[] = [];
    for (const t of r.body.items) if (groups.at(-1) !== t['Customer Id']) groups.push(t['Customer Id']);
    const expectedGroups = [7, 3, 5].map((i) => w.customerId(i)).filter((id) => sample.some((t) => t['Customer Id'] === id));
    expect(groups).toEqual(expectedGroups);
    for (const id of groups) {
      const mine = r.body.items.filter((t: any) => t['Customer Id'] === id);
      const all = sample.filter((t) => t['Customer Id'] === id);
      expect(mine).toEqual(all.slice(0, 2));
      expect(all.map((t) => crmInstant(t.Opened))).toEqual(all.map((t) => crmInstant(t.Opened)).sort((a, b) => b - a));
    }
  });

  it('sorts each group by sortspec and filters it by searchspec', async () => {
    const customerIds = [w.customerId(11), w.customerId(12)];
    const r = await byCustomer('ServiceRequest', { customerIds, sortspec: '[Opened] (ASCENDING)', searchspec: "[Status]='Closed'" });
    for (const id of customerIds) {
      const expected = sample
        .filter((t) => t['Customer Id'] === id && t.Status === 'Closed')
        .reverse()
        .slice(0, 20);
      expect(r.body.items.filter((t: any) => t['Customer Id'] === id)).toEqual(expected);
    }
  });

  it('takes up to 50 customers and refuses more, or a bad limitPerCustomer, with 400', async () => {
    const fifty = Array.from({ length: 50 }, (_, k) => w.customerId(k));
    expect((await byCustomer('Activity', { customerIds: fifty })).status).toBe(200);
    const over = await byCustomer('Survey', { customerIds: [...fifty, w.customerId(50)] });
    expect(over.status).toBe(400);
    expect(over.body.ErrorCode).toBe('SBL-EAI-04451');
    expect((await byCustomer('ServiceRequest', { customerIds: fifty, limitPerCustomer: 0 })).body.ErrorCode).toBe('SBL-ODU-00271');
    expect((await byCustomer('ServiceRequest', { customerIds: 'x' })).status).toBe(400);
    expect((await byCustomer('ServiceRequest', { customerIds: fifty, searchspec: '[Colour]' })).status).toBe(400);
  });

  it('derives activities and surveys per customer, newest first, and finds an activity by its id', async () => {
    const customerIds = Array.from({ length: 50 }, (_, k) => w.customerId(100 + k));
    const acts = (await byCustomer('Activity', { customerIds, limitPerCustomer: 100 })).body.items;
    expect(acts.length).toBeGreaterThan(50 * 4);
    for (const a of acts) {
      expect(a['Activity Id']).toMatch(/^1-[0-9A-Z]{8}$/);
      expect(['Inbound', 'Outbound']).toContain(a.Direction);
      expect(['Planned', 'In Progress', 'Done', 'Cancelled']).toContain(a.Status);
      expect(a.Start).toMatch(TIME);
      if (a.Status === 'Planned') expect(crmInstant(a.Start)).toBeGreaterThan(NOW);
      else expect(crmInstant(a.Start)).toBeLessThanOrEqual(NOW);
    }
    const one = acts[17];
    const found = await search(emu, token, 'Activity', { searchspec: `[Activity Id]='${one['Activity Id']}'` });
    expect(found.body.items).toEqual([one]);
    const mine = await searchAll(emu, token, 'Activity', `[Customer Id]='${one['Customer Id']}'`);
    expect(mine).toEqual(acts.filter((a: any) => a['Customer Id'] === one['Customer Id']));

    const surveys = (await byCustomer('Survey', { customerIds: Array.from({ length: 50 }, (_, k) => w.customerId(k)) })).body.items;
    expect(surveys.length).toBeGreaterThan(10);
    for (const s of surveys) {
      expect(Object.keys(s)).toEqual(['Customer Id', 'CSAT', 'NPS', 'Date']);
      expect(Number(s.CSAT)).toBeGreaterThanOrEqual(1);
      expect(Number(s.CSAT)).toBeLessThanOrEqual(5);
      expect(Number(s.NPS)).toBeGreaterThanOrEqual(0);
      expect(Number(s.NPS)).toBeLessThanOrEqual(10);
      expect(crmInstant(s.Date)).toBeLessThanOrEqual(NOW);
    }
    const latest = await search(emu, token, 'Survey', { searchspec: `[Customer Id]='${surveys[0]['Customer Id']}'`, PageSize: 1 });
    expect(latest.body.items).toEqual([surveys[0]]);
  });
});
