import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TestEmulator } from '../../helpers/emulators.js';
import { testWorld } from '../../helpers/emulators.js';
import { NOW, call, login, search, startCrm } from './crm.js';

let emu: TestEmulator;
beforeAll(async () => {
  emu = await startCrm();
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

const rowIdSpec = (i: number) => `[Row Id]='${testWorld.customerId(i)}'`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('CRM sessions (contract §3)', () => {
  it('logs in with the configured credentials and answers calls that carry the token as a Bearer header', async () => {
    const r = await call(emu, 'POST', '/crm/v1/session', { body: { user: 'gateway', password: 'gateway-dev' } });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ token: expect.any(String), expiresIn: 900 });
    const found = await search(emu, r.body.token, 'Customer', { searchspec: rowIdSpec(3) });
    expect(found.status).toBe(200);
    expect(found.body.items.map((c: any) => c['Row Id'])).toEqual([testWorld.customerId(3)]);
  });

  it('rejects wrong credentials with 401 and an SBL error', async () => {
    const r = await call(emu, 'POST', '/crm/v1/session', { body: { user: 'gateway', password: 'nope' } });
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ ErrorCode: 'SBL-SEC-10018', ErrorMsg: expect.any(String) });
    const missing = await call(emu, 'POST', '/crm/v1/session', { body: { user: 'gateway' } });
    expect(missing.status).toBe(400);
    expect(missing.body.ErrorCode).toBe('SBL-DAT-00498');
  });

  it('answers 401 without a token, and SBL-DAT-00175 for a token it does not know', async () => {
    const none = await search(emu, '', 'Customer', { searchspec: rowIdSpec(1) });
    expect(none.status).toBe(401);
    expect(none.body.ErrorCode).toBe('SBL-SEC-10007');
    const unknown = await search(emu, 'not-a-session', 'Customer', { searchspec: rowIdSpec(1) });
    expect(unknown.status).toBe(401);
    expect(unknown.body.ErrorCode).toBe('SBL-DAT-00175');
  });

  it('expires a session idle longer than 15 minutes by the emulator clock; each call restarts the idle timer; logging in again works', async () => {
    const token = await login(emu);
    const at = (minutes: number) => emu.clock(new Date(NOW + minutes * 60_000).toISOString());
    await at(14);
    expect((await search(emu, token, 'Customer', { searchspec: rowIdSpec(1) })).status).toBe(200);
    await at(28); // 14 idle minutes since the last call
    expect((await search(emu, token, 'Customer', { searchspec: rowIdSpec(1) })).status).toBe(200);
    await at(43.5); // 15.5 idle minutes
    const expired = await search(emu, token, 'Customer', { searchspec: rowIdSpec(1) });
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual({ ErrorCode: 'SBL-DAT-00175', ErrorMsg: 'Your session has expired. Please log in again.' });
    // Still expired when the clock goes back: an expired session stays expired.
    await at(30);
    expect((await search(emu, token, 'Customer', { searchspec: rowIdSpec(1) })).status).toBe(401);
    const fresh = await login(emu);
    expect((await search(emu, fresh, 'Customer', { searchspec: rowIdSpec(1) })).status).toBe(200);
  });

  it('expires every existing session when the expireSessions fault is set, while new logins work', async () => {
    const a = await login(emu);
    const b = await login(emu);
    await emu.faults({ expireSessions: true });
    for (const t of [a, b]) {
      const r = await search(emu, t, 'Customer', { searchspec: rowIdSpec(2) });
      expect(r.status).toBe(401);
      expect(r.body.ErrorCode).toBe('SBL-DAT-00175');
    }
    const c = await login(emu);
    expect((await search(emu, c, 'Customer', { searchspec: rowIdSpec(2) })).status).toBe(200);
  });
});

describe('CRM per-session concurrency limit (contract §3: more than 5 concurrent calls per session answer 429)', () => {
  it('answers the sixth concurrent call on one session with 429 and Retry-After, while another session still works', async () => {
    const a = await login(emu);
    const b = await login(emu);
    await emu.faults({ latencyMs: { p50: 600, p99: 600 } });
    const held = Array.from({ length: 5 }, (_, k) => search(emu, a, 'Customer', { searchspec: rowIdSpec(k) }));
    await sleep(100);
    const sixth = await search(emu, a, 'Customer', { searchspec: rowIdSpec(9) });
    expect(sixth.status).toBe(429);
    expect(sixth.headers.get('retry-after')).toBe('1');
    expect(sixth.body.ErrorCode).toBe('SBL-SMI-00126');
    expect(sixth.ms).toBeLessThan(400); // rejected at arrival, not after the latency
    const other = await search(emu, b, 'Customer', { searchspec: rowIdSpec(9) });
    expect(other.status).toBe(200);
    expect((await Promise.all(held)).map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    // Once they are answered the session has all its slots again.
    await emu.faults({});
    const again = await Promise.all(Array.from({ length: 5 }, (_, k) => search(emu, a, 'Customer', { searchspec: rowIdSpec(k) })));
    expect(again.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
  });

  it('follows the maxConcurrency fault setting', async () => {
    const a = await login(emu);
    await emu.faults({ latencyMs: { p50: 400, p99: 400 }, maxConcurrency: 2 });
    const held = [0, 1].map((k) => search(emu, a, 'Customer', { searchspec: rowIdSpec(k) }));
    await sleep(80);
    expect((await search(emu, a, 'Customer', { searchspec: rowIdSpec(2) })).status).toBe(429);
    expect((await Promise.all(held)).map((r) => r.status)).toEqual([200, 200]);
  });

  it('does not leak slots when callers abort during the latency or the call hangs', async () => {
    const a = await login(emu);
    // Five calls abandoned by their callers while they wait out the latency.
    await emu.faults({ latencyMs: { p50: 300, p99: 300 } });
    const aborted = Array.from({ length: 5 }, (_, k) => {
      const ctl = new AbortController();
      setTimeout(() => ctl.abort(), 50);
      return search(emu, a, 'Customer', { searchspec: rowIdSpec(k) }, ctl.signal).catch(() => 'aborted');
    });
    // Five more that the system leaves hanging (hangRate), abandoned later.
    await Promise.all(aborted);
    await sleep(300 + 1000 + 150); // the longest latency plus the slot grace
    await emu.faults({ latencyMs: { p50: 20, p99: 20 }, hangRate: 1 });
    const hung = Array.from({ length: 5 }, (_, k) => {
      const ctl = new AbortController();
      setTimeout(() => ctl.abort(), 200);
      return search(emu, a, 'Customer', { searchspec: rowIdSpec(k) }, ctl.signal).catch(() => 'aborted');
    });
    expect(await Promise.all(hung)).toEqual(['aborted', 'aborted', 'aborted', 'aborted', 'aborted']);
    await emu.faults({});
    await sleep(20 + 1000 + 150);
    const after = await Promise.all(Array.from({ length: 5 }, (_, k) => search(emu, a, 'Customer', { searchspec: rowIdSpec(k) })));
    expect(after.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect((await emu.stats()).concurrency.current).toBe(0);
  });
});
