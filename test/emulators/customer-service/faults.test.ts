import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TestEmulator } from '../../helpers/emulators.js';
import { testWorld } from '../../helpers/emulators.js';
import { call, login, search, startCrm } from './crm.js';

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
const spec = `[Row Id]='${w.customerId(1)}'`;

describe('CRM faults and errors (contract §0, §3)', () => {
  it('answers errorRate with HTTP 500 and an SBL error body', async () => {
    await emu.faults({ errorRate: 1 });
    const r = await search(emu, token, 'Customer', { searchspec: spec });
    expect(r.status).toBe(500);
    expect(r.headers.get('content-type')).toMatch(/application\/json/);
    expect(r.body).toEqual({ ErrorCode: 'SBL-SVR-01042', ErrorMsg: expect.any(String) });
    const lookup = await call(emu, 'POST', '/crm/v1/customers:lookup', { token, body: { ids: [w.customerId(1)] } });
    expect(lookup.status).toBe(500);
  });

  it('answers malformedRate with a 200 whose JSON is cut short', async () => {
    await emu.faults({ malformedRate: 1 });
    const r = await search(emu, token, 'Customer', { searchspec: spec });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/application\/json/);
    expect(r.text.length).toBeGreaterThan(0);
    expect(() => JSON.parse(r.text)).toThrow();
    expect(r.text.startsWith('{"items":[{"Row Id":')).toBe(true);
  });

  it('closes the connection with no answer while down', async () => {
    await emu.faults({ down: true });
    await expect(search(emu, token, 'Customer', { searchspec: spec })).rejects.toThrow();
  });

  it('answers an unknown route or business component with 404 and an SBL error', async () => {
    for (const [method, path] of [
      ['GET', '/crm/v1/data/Opportunity'],
      ['GET', '/crm/v1/nothing'],
      ['DELETE', '/crm/v1/session'],
      ['POST', '/crm/v1/data/Customer:byCustomer'],
      ['GET', '/'],
    ] as const) {
      const r = await call(emu, method, path, { token });
      expect(r.status, path).toBe(404);
      expect(r.body.ErrorCode).toMatch(/^SBL-/);
    }
  });

  it('answers a malformed JSON body with 400 SBL-EAI-04401', async () => {
    for (const path of ['/crm/v1/session', '/crm/v1/customers:lookup', '/crm/v1/data/Activity:byCustomer']) {
      const r = await call(emu, 'POST', path, { token, rawBody: '{"ids": [' });
      expect(r.status, path).toBe(400);
      expect(r.body.ErrorCode).toBe('SBL-EAI-04401');
    }
    const notObject = await call(emu, 'POST', '/crm/v1/customers:lookup', { token, rawBody: '[1,2]' });
    expect(notObject.body.ErrorCode).toBe('SBL-EAI-04401');
  });

  it('accepts its own window name and refuses another system’s', async () => {
    await emu.faults({ window: 'bulkLoad' });
    await expect(emu.faults({ window: 'billRun' })).rejects.toThrow(/400/);
  });

  it('accepts a percent-encoded colon in customers:lookup', async () => {
    const r = await call(emu, 'POST', '/crm/v1/customers%3Alookup', { token, body: { ids: [w.customerId(1)] } });
    expect(r.status).toBe(200);
    expect(r.body.items[0]['Row Id']).toBe(w.customerId(1));
  });

  it('logs each call with the CRM operation and the keys asked for', async () => {
    const { last } = await emu.requests();
    const ids = [w.customerId(4), w.customerId(5)];
    await login(emu);
    await search(emu, token, 'Customer', { searchspec: spec });
    await call(emu, 'POST', '/crm/v1/customers:lookup', { token, body: { ids } });
    await call(emu, 'POST', '/crm/v1/customers:lookup', { token, body: { serviceNumbers: ['13800000000'] } });
    await call(emu, 'POST', '/crm/v1/data/ServiceRequest:byCustomer', { token, body: { customerIds: ids } });
    await call(emu, 'POST', '/crm/v1/data/ServiceRequest', { token, body: { 'Customer Id': ids[0], Type: 'Request', Abstract: 'x', 'External Ref': 'R-1' } });
    await call(emu, 'POST', '/crm/v1/data/Activity', { token, body: { 'Customer Id': ids[1], Direction: 'Inbound', Channel: 'Phone' } });
    await search(emu, 'bad-token', 'Survey', { searchspec: `[Customer Id]='${ids[0]}'` });
    const log = (await emu.requests(last)).items.map((e) => [e.operation, e.keys, e.status]);
    expect(log).toEqual([
      ['POST session', ['gateway'], 200],
      ['GET Customer', [spec], 200],
      ['POST customers:lookup', ids, 200],
      ['POST customers:lookup', ['13800000000'], 200],
      ['POST ServiceRequest:byCustomer', ids, 200],
      ['POST ServiceRequest', [ids[0], 'R-1'], 201],
      ['POST Activity', [ids[1]], 201],
      ['GET Survey', [`[Customer Id]='${ids[0]}'`], 401],
    ]);
    const stats = await emu.stats();
    expect(stats.operations['GET Customer']).toBe(1);
    expect(stats.operations['POST customers:lookup']).toBe(2);
  });
});
