import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLoyaltyEmulator } from '../../emulators/loyalty/index.js';
import { BATCH_LIMIT, LoyaltyModel, quarterEnd, tierOf, TIER_MULTIPLIER } from '../../emulators/loyalty/model.js';
import { startTestEmulator, testWorld as w, TEST_NOW, type TestEmulator } from '../helpers/emulators.js';

/** Contract tests of the loyalty points-ledger emulator (docs/legacy-systems.md, "Loyalty"), clock pinned. */

const NOW = Date.parse(TEST_NOW);
const AUTH = `Basic ${Buffer.from('gateway:gateway-dev').toString('base64')}`;
const model = new LoyaltyModel(w);

let em: TestEmulator;
beforeAll(async () => {
  em = await startTestEmulator('loyalty', startLoyaltyEmulator);
});
afterAll(() => em.close());
beforeEach(() => em.reset());

const firstCustomers = (pred: (i: number) => boolean, n: number) => {
  const out: number[] = [];
  for (let i = 0; i < w.customerCount && out.length < n; i++) if (pred(i)) out.push(i);
  return out;
};
const enrolled = (n: number) => firstCustomers((i) => w.customer(i).starLevel !== null, n).map((i) => w.customerId(i));

async function balance(customers: string, headers: Record<string, string> = { authorization: AUTH }) {
  const r = await fetch(`${em.url}/loyalty/balance?customers=${encodeURIComponent(customers)}`, { headers });
  return { status: r.status, headers: r.headers, text: await r.text() };
}

describe('loyalty ledger model', () => {
  it('maps star levels to tiers and earns faster in higher tiers', () => {
    expect(['Near Star', '1 Star', '2 Star', '3 Star', '4 Star', '5 Star Silver', '5 Star Diamond'].map(tierOf)).toEqual(['B', 'B', 'S', 'S', 'G', 'P', 'P']);
    expect(TIER_MULTIPLIER.P).toBeGreaterThan(TIER_MULTIPLIER.G);
  });

  it('expires points at the end of the current quarter, Shanghai calendar', () => {
    expect(quarterEnd(NOW)).toBe('20261231');
    expect(quarterEnd(Date.parse('2026-03-31T23:30:00+08:00'))).toBe('20260331');
    expect(quarterEnd(Date.parse('2026-04-01T00:00:00+08:00'))).toBe('20260630');
  });

  it('enrols individuals with a star level, with the tier of their star level; organisations are unknown', () => {
    const [person] = firstCustomers((i) => w.customer(i).starLevel !== null, 1);
    const [org] = firstCustomers((i) => w.customer(i).starLevel === null, 1);
    const b = model.balance(w.customerId(person!), NOW)!;
    expect(b.tier).toBe(tierOf(w.customer(person!).starLevel!));
    expect(b.expiringPoints).toBeLessThanOrEqual(b.points);
    expect(model.balance(w.customerId(org!), NOW)).toBeUndefined();
    expect(model.balance('1-000000', NOW)).toBeUndefined();
  });
});

describe('GET /loyalty/balance', () => {
  it('answers CSV with a header line, CRLF, one line per known customer in the order asked, from the world', async () => {
    const ids = enrolled(3);
    const r = await balance([ids[2], '1-NOPE00', ids[0], ids[1]].join(','));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(r.text.endsWith('\r\n')).toBe(true);
    const lines = r.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('customerId,points,tier,expiringPoints,expiryDate');
    const expected = [ids[2]!, ids[0]!, ids[1]!].map((id) => {
      const b = model.balance(id, NOW)!;
      return `${id},${b.points},${b.tier},${b.expiringPoints},${b.expiringPoints > 0 ? '20261231' : ''}`;
    });
    expect(lines.slice(1)).toEqual(expected);
  });

  it(`takes at most ${BATCH_LIMIT} customers a call: more answer 400 BATCH_TOO_LARGE`, async () => {
    const ids = enrolled(BATCH_LIMIT + 1);
    expect((await balance(ids.slice(0, BATCH_LIMIT).join(','))).status).toBe(200);
    const r = await balance(ids.join(','));
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/^ERR,BATCH_TOO_LARGE,/);
  });

  it('refuses a call without customers (400) and without its credentials (401)', async () => {
    expect((await balance('')).text).toMatch(/^ERR,BAD_REQUEST,/);
    const r = await balance(enrolled(1)[0]!, { authorization: `Basic ${Buffer.from('gateway:wrong').toString('base64')}` });
    expect(r.status).toBe(401);
    expect(r.text).toMatch(/^ERR,UNAUTHORIZED,/);
  });

  it('accepts its own credentials from config', async () => {
    const other = await startTestEmulator('loyalty', startLoyaltyEmulator, { user: 'crm-sync', password: 's3cret' });
    try {
      const r = await fetch(`${other.url}/loyalty/balance?customers=${enrolled(1)[0]}`, { headers: { authorization: `Basic ${Buffer.from('crm-sync:s3cret').toString('base64')}` } });
      expect(r.status).toBe(200);
      expect((await fetch(`${other.url}/loyalty/balance?customers=${enrolled(1)[0]}`, { headers: { authorization: AUTH } })).status).toBe(401);
    } finally {
      await other.close();
    }
  });

  it('answers 503 POSTING with Retry-After during the postingRun window, 500 at errorRate 1, and counts its calls', async () => {
    await em.faults({ window: 'postingRun' });
    const r = await balance(enrolled(1)[0]!);
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe('60');
    expect(r.text).toMatch(/^ERR,POSTING,/);
    await em.faults({ errorRate: 1 });
    expect((await balance(enrolled(1)[0]!)).status).toBe(500);
    expect((await em.stats()).operations['GET /loyalty/balance']).toBe(2);
  });

  it('cuts the answer off part way at malformedRate 1, still 200', async () => {
    await em.faults({ malformedRate: 1 });
    const r = await balance(enrolled(10).join(','));
    expect(r.status).toBe(200);
    expect(r.text.endsWith('\r\n')).toBe(false);
  });
});
