import nock from 'nock';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UNRESTRICTED_VIEWER } from '../../../subgraphs/shared/auth.js';
import { ProductError } from '../../../lib/errors.js';
import { HttpLoyaltyClient, type HttpLoyaltyClientOptions } from '../../../subgraphs/loyalty/client/LoyaltyClient.js';
import { expiryDate, tierFromCode } from '../../../subgraphs/loyalty/client/normalize.js';

/** The loyalty ledger client against nock: its CSV, the normalisation and every error path. */

const BASE = 'http://ledger.test';
const BASIC = `Basic ${Buffer.from('gateway:gateway-dev').toString('base64')}`;
const CSV = { 'content-type': 'text/csv; charset=utf-8' };
const HEADER = 'customerId,points,tier,expiringPoints,expiryDate';
const silentLogger = pino({ level: 'silent' });
const csv = (...lines: string[]) => `${[HEADER, ...lines].join('\r\n')}\r\n`;

function testOptions(overrides: Partial<HttpLoyaltyClientOptions> = {}): HttpLoyaltyClientOptions {
  return { baseUrl: BASE, user: 'gateway', password: 'gateway-dev', timeoutMs: 2000, connectTimeoutMs: 1000, maxConcurrency: 8, maxQueue: 1000, batchSize: 50, logger: silentLogger, ...overrides };
}
const testClient = (overrides: Partial<HttpLoyaltyClientOptions> = {}) => HttpLoyaltyClient.create(testOptions(overrides));
const ledger = () => nock(BASE, { reqheaders: { authorization: BASIC } });

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending, 'every mocked ledger call was made').toEqual([]);
});
afterAll(() => nock.enableNetConnect());

async function productError(fn: () => Promise<unknown>): Promise<ProductError> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ProductError);
    return e as ProductError;
  }
  throw new Error('expected a ProductError');
}

describe('HttpLoyaltyClient', () => {
  it('calls GET /loyalty/balance with Basic auth and the request id, and normalises the CSV lines', async () => {
    nock(BASE, { reqheaders: { authorization: BASIC, 'x-request-id': 'req-42' } })
      .get('/loyalty/balance')
      .query({ customers: '1-ABC123,1-DEF456,1-GHI789' })
      .reply(200, csv('1-ABC123,12500,G,1375,20261231', '1-DEF456,300,B,0,'), CSV);
    const client = testClient().forRequest({ requestId: 'req-42', logger: silentLogger, viewer: UNRESTRICTED_VIEWER });
    expect(await client.accountsByCustomerIds(['1-ABC123', '1-DEF456', '1-GHI789'])).toEqual([
      { customerId: '1-ABC123', points: 12500, tier: 'GOLD', expiringPoints: 1375, expiresOn: '2026-12-31' },
      { customerId: '1-DEF456', points: 300, tier: 'BRONZE', expiringPoints: 0, expiresOn: null },
    ]);
  });

  it('maps the ledger tier codes B, S, G, P and dates yyyyMMdd', () => {
    expect(['B', 'S', 'G', 'P', ' g '].map(tierFromCode)).toEqual(['BRONZE', 'SILVER', 'GOLD', 'PLATINUM', 'GOLD']);
    expect(() => tierFromCode('X')).toThrow(/tier "X"/);
    expect(expiryDate('20260331')).toBe('2026-03-31');
    expect(expiryDate('')).toBeNull();
    expect(() => expiryDate('20260231')).toThrow(/yyyyMMdd/);
  });

  it('asks for each customer once, in chunks of at most 50 (the ledger refuses 51)', async () => {
    const ids = Array.from({ length: 60 }, (_, k) => `1-A${String(k).padStart(5, '0')}`);
    ledger().get('/loyalty/balance').query({ customers: ids.slice(0, 50).join(',') }).reply(200, csv(), CSV);
    ledger().get('/loyalty/balance').query({ customers: ids.slice(50).join(',') }).reply(200, csv(), CSV);
    expect(await testClient({ batchSize: 500 }).accountsByCustomerIds([...ids, ...ids])).toEqual([]);
  });

  it('maps 503 POSTING to LEGACY_UNAVAILABLE, retryable, with Retry-After', async () => {
    ledger().get('/loyalty/balance').query(true).reply(503, 'ERR,POSTING,points posting in progress\r\n', { ...CSV, 'retry-after': '60' });
    const e = await productError(() => testClient().accountsByCustomerIds(['1-ABC123']));
    expect(e).toMatchObject({ code: 'LEGACY_UNAVAILABLE', system: 'loyalty', retryable: true, retryAfterSeconds: 60 });
    expect(e.message).toMatch(/ERR,POSTING/);
  });

  it('maps 401 to LEGACY_UNAVAILABLE, not retryable, naming LOYALTY_USER and LOYALTY_PASSWORD', async () => {
    ledger().get('/loyalty/balance').query(true).reply(401, 'ERR,UNAUTHORIZED,wrong or missing credentials\r\n', CSV);
    const e = await productError(() => testClient().accountsByCustomerIds(['1-ABC123']));
    expect(e).toMatchObject({ code: 'LEGACY_UNAVAILABLE', retryable: false });
    expect(e.message).toMatch(/LOYALTY_USER and LOYALTY_PASSWORD/);
  });

  it('maps 400 BATCH_TOO_LARGE to LEGACY_REJECTED', async () => {
    ledger().get('/loyalty/balance').query(true).reply(400, 'ERR,BATCH_TOO_LARGE,at most 50 customers per call\r\n', CSV);
    expect(await productError(() => testClient().accountsByCustomerIds(['1-ABC123']))).toMatchObject({ code: 'LEGACY_REJECTED', retryable: false });
  });

  it.each([
    ['an answer cut off part way (no final line break)', `${HEADER}\r\n1-ABC123,125`],
    ['a line with a missing field', csv('1-ABC123,12500,G,1375')],
    ['an unknown tier code', csv('1-ABC123,12500,X,0,')],
    ['points that are not a number', csv('1-ABC123,12.5k,G,0,')],
    ['another header', 'id,balance\r\n'],
  ])('maps %s to LEGACY_BAD_RESPONSE', async (_what, body) => {
    ledger().get('/loyalty/balance').query(true).reply(200, body, CSV);
    expect(await productError(() => testClient().accountsByCustomerIds(['1-ABC123']))).toMatchObject({ code: 'LEGACY_BAD_RESPONSE', retryable: false });
  });

  it('maps an answer that is not CSV to LEGACY_BAD_RESPONSE', async () => {
    ledger().get('/loyalty/balance').query(true).reply(200, '<html>maintenance</html>', { 'content-type': 'text/html' });
    expect(await productError(() => testClient().accountsByCustomerIds(['1-ABC123']))).toMatchObject({ code: 'LEGACY_BAD_RESPONSE' });
  });

  it('maps a refused connection to LEGACY_UNAVAILABLE, retryable', async () => {
    const e = await productError(() => testClient({ baseUrl: 'http://127.0.0.1:1' }).accountsByCustomerIds(['1-ABC123']));
    expect(e).toMatchObject({ code: 'LEGACY_UNAVAILABLE', retryable: true });
  });
});

describe('HttpLoyaltyClient resilience (subgraphs/shared/resilience.ts, LOYALTY_* settings)', () => {
  const policy = { budgetMs: 2000, retryAttempts: 2, retryBaseMs: 1, breakerThreshold: 0, breakerHalfOpenAfterMs: 1000 };

  it('retries a read that failed for a passing reason, and answers', async () => {
    ledger().get('/loyalty/balance').query(true).reply(502, 'bad gateway').get('/loyalty/balance').query(true).reply(200, csv('1-ABC123,300,B,0,'), CSV);
    expect(await testClient({ resilience: policy }).accountsByCustomerIds(['1-ABC123'])).toEqual([{ customerId: '1-ABC123', points: 300, tier: 'BRONZE', expiringPoints: 0, expiresOn: null }]);
  });

  it('gives up with LEGACY_TIMEOUT when the budget is spent', async () => {
    ledger().get('/loyalty/balance').query(true).delay(1000).reply(200, csv('1-ABC123,300,B,0,'), CSV);
    const e = await productError(() => testClient({ resilience: { ...policy, budgetMs: 100 } }).accountsByCustomerIds(['1-ABC123']));
    expect(e).toMatchObject({ code: 'LEGACY_TIMEOUT', system: 'loyalty', retryable: true });
  });

  it('opens the breaker after consecutive failures: then fails at once, without calling the ledger', async () => {
    ledger().get('/loyalty/balance').query(true).times(2).reply(502, 'bad gateway');
    const client = testClient({ resilience: { ...policy, retryAttempts: 0, breakerThreshold: 2 } });
    await productError(() => client.accountsByCustomerIds(['1-ABC123']));
    await productError(() => client.accountsByCustomerIds(['1-ABC123']));
    const e = await productError(() => client.accountsByCustomerIds(['1-ABC123']));
    expect(e).toMatchObject({ code: 'LEGACY_UNAVAILABLE', system: 'loyalty', retryable: true });
    expect(e.message).toMatch(/circuit open/);
    expect(client.resilienceState()).toMatchObject({ state: 'down', breaker: 'open' });
  });

  it('leaves the ledger alone during its posting run (503 ERR,POSTING with Retry-After)', async () => {
    ledger().get('/loyalty/balance').query(true).reply(503, 'ERR,POSTING,points posting in progress\r\n', { ...CSV, 'retry-after': '60' });
    const client = testClient({ resilience: policy });
    expect(await productError(() => client.accountsByCustomerIds(['1-ABC123']))).toMatchObject({ code: 'LEGACY_UNAVAILABLE', retryAfterSeconds: 60 });
    // No second HTTP call (nock would refuse it): answered from the window.
    const e = await productError(() => client.accountsByCustomerIds(['1-ABC123']));
    expect(e).toMatchObject({ code: 'LEGACY_UNAVAILABLE', system: 'loyalty', retryable: true });
    expect(e.retryAfterSeconds).toBeGreaterThan(50);
    expect(client.resilienceState()).toMatchObject({ state: 'degraded', window: { calls: ['GET /loyalty/balance'] } });
  });
});
