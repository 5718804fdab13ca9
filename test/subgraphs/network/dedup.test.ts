import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ProductError } from '../../../lib/errors.js';
import { UNRESTRICTED_VIEWER } from '../../../subgraphs/shared/auth.js';
import type { RequestScope } from '../../../subgraphs/shared/server.js';
import { jsonHeaders, listBody, nms, silentLogger, testClient, wireService } from './fixtures.js';

/**
 * Issue 4 in a client: identical NMS reads of two requests in flight at once share one call
 * (subgraphs/shared/inflight.ts) — within one viewer scope only, while in flight only, and each
 * request gets its own domain values.
 */

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending, 'every mocked NMS call was made').toEqual([]);
});
afterAll(() => nock.enableNetConnect());

const scope = (scopeKey: string | undefined, requestId = 'r1'): RequestScope => ({ requestId, logger: silentLogger, viewer: UNRESTRICTED_VIEWER, ...(scopeKey === undefined ? {} : { scopeKey }) });
const N = '13812345678';

describe('HttpNetworkClient in-flight deduplication', () => {
  it('two requests reading the same services at once make one call; each gets its own values', async () => {
    nms().post('/nms/rest/services/_batch', { serviceNumbers: [N] }).delay(50).once().reply(200, listBody('service', [wireService(N)]), jsonHeaders);
    const client = testClient();
    const [a, b] = await Promise.all([client.forRequest(scope('*', 'r1')).servicesByNumbers([N]), client.forRequest(scope('*', 'r2')).servicesByNumbers([N])]);
    expect(a).toEqual(b);
    expect(a[0]).not.toBe(b[0]);
    client.close();
  });

  it('two scopes never share a call', async () => {
    nms().post('/nms/rest/services/_batch', { serviceNumbers: [N] }).delay(50).times(2).reply(200, listBody('service', [wireService(N)]), jsonHeaders);
    const client = testClient();
    await Promise.all([client.forRequest(scope('GD')).servicesByNumbers([N]), client.forRequest(scope('ZJ')).servicesByNumbers([N])]);
    client.close();
  });

  it('a failure reaches every waiter of the shared call', async () => {
    nms().post('/nms/rest/services/_batch').delay(50).once().reply(400, { status: 400, code: 'BAD_REQUEST', message: 'bad' }, jsonHeaders);
    const client = testClient();
    const results = await Promise.allSettled([client.forRequest(scope('*')).servicesByNumbers([N]), client.forRequest(scope('*')).servicesByNumbers([N])]);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(ProductError);
    }
    client.close();
  });

  it('nothing is kept after the call: the same read later goes out again', async () => {
    nms().post('/nms/rest/services/_batch', { serviceNumbers: [N] }).times(2).reply(200, listBody('service', [wireService(N)]), jsonHeaders);
    const client = testClient();
    await client.forRequest(scope('*')).servicesByNumbers([N]);
    await client.forRequest(scope('*')).servicesByNumbers([N]);
    client.close();
  });

  it('NETWORK_DEDUP off: every read makes its own call', async () => {
    nms().post('/nms/rest/services/_batch', { serviceNumbers: [N] }).delay(50).times(2).reply(200, listBody('service', [wireService(N)]), jsonHeaders);
    const client = testClient({ dedup: false });
    await Promise.all([client.forRequest(scope('*')).servicesByNumbers([N]), client.forRequest(scope('*')).servicesByNumbers([N])]);
    client.close();
  });
});
