import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TestEmulator } from '../../helpers/emulators.js';
import { testWorld } from '../../helpers/emulators.js';
import { SblFailure } from '../../../emulators/customer-service/errors.js';
import { CrmModel } from '../../../emulators/customer-service/model.js';
import { OVERLAY_CAP } from '../../../emulators/customer-service/overlay.js';
import { NOW, call, login, search, searchAll, startCrm } from './crm.js';

let emu: TestEmulator;
let token: string;
beforeAll(async () => {
  emu = await startCrm();
});
afterAll(() => emu.close());
beforeEach(async () => {
  await emu.reset();
  token = await login(emu);
});

const w = testWorld;
const customer = w.customerId(321);
const post = (path: string, body: unknown) => call(emu, 'POST', `/crm/v1/data/${path}`, { token, body });
const newTicket = (extra: Record<string, unknown> = {}) =>
  post('ServiceRequest', { 'Customer Id': customer, Type: 'Complaint', Abstract: '话费账单金额有异议', ...extra });

/** A generated ticket of some customer in the given status. */
async function generatedTicket(status: string, extra = (_t: any) => true): Promise<any> {
  for (let g = 0; g < 40; g++) {
    const customerIds = Array.from({ length: 50 }, (_, k) => w.customerId(g * 50 + k));
    const r = await call(emu, 'POST', '/crm/v1/data/ServiceRequest:byCustomer', { token, body: { customerIds, searchspec: `[Status]='${status}'` } });
    const t = r.body.items.find(extra);
    if (t) return t;
  }
  throw new Error(`no ${status} ticket`);
}

describe('CRM writes (contract §3)', () => {
  it('creates an Open service request that every read then shows', async () => {
    const r = await newTicket({ Priority: '2-High', Source: 'Phone', 'Related Service Number': w.lines(321)[0]!.serviceNumber, 'External Ref': 'GW-0001' });
    expect(r.status).toBe(201);
    const t = r.body;
    expect(t).toMatchObject({
      'Customer Id': customer,
      Type: 'Complaint',
      Status: 'Open',
      Priority: '2-High',
      Source: 'Phone',
      Province: w.customer(321).province,
      'Local Network': w.customer(321).localNetwork,
      Opened: '11/24/2026 10:00:00',
      Closed: '',
      'Resolution Code': '',
      'Commit Time': '11/25/2026 10:00:00',
      'External Ref': 'GW-0001',
    });
    expect(t['SR Number']).toMatch(/^1-\d{9}$/);
    expect((await search(emu, token, 'ServiceRequest', { searchspec: `[SR Number]='${t['SR Number']}'` })).body.items).toEqual([t]);
    const mine = await searchAll(emu, token, 'ServiceRequest', `[Customer Id]='${customer}'`);
    expect(mine[0]).toEqual(t); // newest first
    const open = await searchAll(emu, token, 'ServiceRequest', `[Local Network]='${t['Local Network']}' AND [Status]='Open'`);
    expect(open.map((x) => x['SR Number'])).toContain(t['SR Number']);
    const batch = await post('ServiceRequest:byCustomer', { customerIds: [customer], limitPerCustomer: 1 });
    expect(batch.body.items).toEqual([t]);
  });

  it("answers a repeated External Ref with 409 and the existing request's SR Number, creating nothing", async () => {
    const first = await newTicket({ 'External Ref': 'GW-42' });
    const again = await newTicket({ 'External Ref': 'GW-42' });
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ ErrorCode: 'SBL-ODS-50006', ErrorMsg: expect.any(String), 'SR Number': first.body['SR Number'] });
    const mine = await searchAll(emu, token, 'ServiceRequest', `[Customer Id]='${customer}' AND [External Ref]='GW-42'`);
    expect(mine).toHaveLength(1);
    // Generated web tickets carry an External Ref too.
    const web = await generatedTicket('Closed', (t) => t['External Ref'] !== '');
    const dup = await post('ServiceRequest', { 'Customer Id': web['Customer Id'], Type: 'Request', Abstract: 'x', 'External Ref': web['External Ref'] });
    expect(dup.status).toBe(409);
    expect(dup.body['SR Number']).toBe(web['SR Number']);
  });

  it('validates a new request: required fields, pick lists, unknown and read-only fields, unknown customer', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ 'Customer Id': customer, Type: 'Complaint' }, 'SBL-DAT-00498'],
      [{ 'Customer Id': customer, Abstract: 'x' }, 'SBL-DAT-00498'],
      [{ Type: 'Complaint', Abstract: 'x' }, 'SBL-DAT-00498'],
      [{ 'Customer Id': customer, Type: 'Praise', Abstract: 'x' }, 'SBL-DAT-00225'],
      [{ 'Customer Id': customer, Type: 'Request', Abstract: 'x', Priority: 'Urgent' }, 'SBL-DAT-00225'],
      [{ 'Customer Id': '1-ZZZZZZ', Type: 'Request', Abstract: 'x' }, 'SBL-DAT-00225'],
      [{ 'Customer Id': customer, Type: 'Request', Abstract: 'x', Mood: 'angry' }, 'SBL-DAT-00398'],
      [{ 'Customer Id': customer, Type: 'Request', Abstract: 'x', Status: 'Closed' }, 'SBL-DAT-00427'],
      [{ 'Customer Id': customer, Type: 'Request', Abstract: 42 }, 'SBL-ODU-00271'],
    ];
    for (const [body, code] of cases) {
      const r = await post('ServiceRequest', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.ErrorCode, JSON.stringify(body)).toBe(code);
    }
    const broken = await call(emu, 'POST', '/crm/v1/data/ServiceRequest', { token, rawBody: '{"Customer Id": ' });
    expect(broken.status).toBe(400);
    expect(broken.body.ErrorCode).toBe('SBL-EAI-04401');
  });

  it('adds notes to an open request, answers 409 on a closed or cancelled one, 404 on an unknown one', async () => {
    const created = (await newTicket()).body;
    const note = await post(`ServiceRequest/${created['SR Number']}/notes`, { Note: '已回电客户，等待核实' });
    expect(note.status).toBe(201);
    expect(note.body).toEqual({ 'Note Id': expect.stringMatching(/^1-N\d{7}$/), 'SR Number': created['SR Number'], 'Note Type': 'Note', Note: '已回电客户，等待核实', Created: '11/24/2026 10:00:00' });
    const open = await generatedTicket('Pending');
    expect((await post(`ServiceRequest/${open['SR Number']}/notes`, { Note: 'x' })).status).toBe(201);
    for (const status of ['Closed', 'Cancelled']) {
      const t = await generatedTicket(status);
      const r = await post(`ServiceRequest/${t['SR Number']}/notes`, { Note: 'too late' });
      expect(r.status).toBe(409);
      expect(r.body.ErrorCode).toBe('SBL-DAT-00402');
      expect(r.body.ErrorMsg).toContain('read-only');
    }
    const unknown = await post('ServiceRequest/1-000000000/notes', { Note: 'x' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.ErrorCode).toBe('SBL-ODU-57081');
    expect((await post(`ServiceRequest/${created['SR Number']}/notes`, {})).body.ErrorCode).toBe('SBL-DAT-00498');
  });

  it('creates an activity that reads then show', async () => {
    const r = await post('Activity', { 'Customer Id': customer, Direction: 'Outbound', Channel: 'Phone', Reason: '投诉处理回访', Agent: 'GW-bot' });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({
      'Activity Id': expect.stringMatching(/^1-[0-9A-Z]{8}$/),
      'Customer Id': customer,
      Direction: 'Outbound',
      Channel: 'Phone',
      Reason: '投诉处理回访',
      Start: '11/24/2026 10:00:00',
      Agent: 'GW-bot',
      Status: 'Done',
    });
    expect((await search(emu, token, 'Activity', { searchspec: `[Activity Id]='${r.body['Activity Id']}'` })).body.items).toEqual([r.body]);
    const batch = await post('Activity:byCustomer', { customerIds: [customer], limitPerCustomer: 1 });
    expect(batch.body.items).toEqual([r.body]);
    const bad = await post('Activity', { 'Customer Id': customer, Direction: 'Sideways', Channel: 'Phone' });
    expect(bad.body.ErrorCode).toBe('SBL-DAT-00225');
    const badStart = await post('Activity', { 'Customer Id': customer, Direction: 'Inbound', Channel: 'Phone', Start: '2026-11-24 10:00' });
    expect(badStart.status).toBe(400);
  });

  it('answers writes with 503 and Retry-After during the bulkLoad window, while reads still work', async () => {
    const created = (await newTicket()).body;
    await emu.faults({ window: 'bulkLoad' });
    for (const [path, body] of [
      ['ServiceRequest', { 'Customer Id': customer, Type: 'Request', Abstract: 'x' }],
      [`ServiceRequest/${created['SR Number']}/notes`, { Note: 'x' }],
      ['Activity', { 'Customer Id': customer, Direction: 'Inbound', Channel: 'Phone' }],
    ] as const) {
      const r = await post(path, body);
      expect(r.status, path).toBe(503);
      expect(r.headers.get('retry-after')).toBe('300');
      expect(r.body.ErrorCode).toBe('SBL-EIM-00205');
    }
    expect((await search(emu, token, 'Customer', { searchspec: `[Row Id]='${customer}'` })).status).toBe(200);
    expect((await post('ServiceRequest:byCustomer', { customerIds: [customer] })).status).toBe(200);
    expect((await call(emu, 'POST', '/crm/v1/customers:lookup', { token, body: { ids: [customer] } })).status).toBe(200);
  });

  it('forgets writes on reset', async () => {
    const created = (await newTicket({ 'External Ref': 'GW-reset' })).body;
    await emu.reset();
    token = await login(emu);
    expect((await search(emu, token, 'ServiceRequest', { searchspec: `[SR Number]='${created['SR Number']}'` })).body.items).toEqual([]);
    expect((await newTicket({ 'External Ref': 'GW-reset' })).status).toBe(201);
  });

  it('answers writes with 503 and Retry-After once the overlay holds 100 000 records', () => {
    const model = new CrmModel(w);
    for (let k = 0; k < OVERLAY_CAP; k++) model.overlay.notes.push({ id: `n${k}`, sr: '1-000000001', text: 'x', type: 'Note', created: NOW });
    let failure: unknown;
    try {
      model.createTicket({ 'Customer Id': customer, Type: 'Request', Abstract: 'x' }, NOW);
    } catch (e) {
      failure = e;
    }
    expect(failure).toBeInstanceOf(SblFailure);
    const res = (failure as SblFailure).response;
    expect(res.status).toBe(503);
    expect(res.headers?.['retry-after']).toBe('60');
    expect(JSON.parse(String(res.body)).ErrorCode).toBe('SBL-DBC-00105');
  });
});
