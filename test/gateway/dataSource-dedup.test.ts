import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '../../gateway/config.js';
import type { GatewayContext } from '../../gateway/context.js';
import { SubgraphDataSource } from '../../gateway/dataSource.js';

/**
 * Issue 4: identical subgraph queries in flight at once share one HTTP call at the gateway (same
 * subgraph, query text, variables, viewer scope); never a mutation; an error reaches every waiter;
 * nothing is kept after the call settles. Against a tiny subgraph stand-in that holds its answers
 * until the test releases them.
 */

let server: http.Server;
let url: string;
let received: { body: any; headers: http.IncomingHttpHeaders; answer: (status: number, json: unknown, contentType?: string) => void }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      received.push({
        body: JSON.parse(text),
        headers: req.headers,
        answer: (status, json, contentType = 'application/json') => {
          res.writeHead(status, { 'content-type': contentType });
          res.end(typeof json === 'string' ? json : JSON.stringify(json));
        },
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

beforeEach(() => {
  received = [];
});

const logger = pino({ level: 'silent' });

/** `null`: a context without a scope (built elsewhere), which shares nothing. */
function context(scopeKey: string | null = '*'): GatewayContext {
  return { requestId: 'r', logger, subgraphExtensions: [], ...(scopeKey === null ? {} : { scopeKey }) };
}

function call(ds: SubgraphDataSource, query: string, variables: Record<string, unknown>, ctx: GatewayContext, operation: 'query' | 'mutation' = 'query') {
  return ds.process({
    kind: 'incoming operation',
    request: { query, variables },
    context: ctx,
    incomingRequestContext: { operation: { operation }, context: ctx },
  } as never);
}

/** Waits until the stand-in has received `n` calls (and a little longer, to see no more come). */
async function receivedCalls(n: number): Promise<number> {
  for (let i = 0; i < 200 && received.length < n; i++) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, 30));
  return received.length;
}

const Q = 'query Q__billing__0($representations:[_Any!]!){_entities(representations:$representations){...on Customer{balance{amount}}}}';
const vars = { representations: [{ __typename: 'Customer', id: '1-ABC123' }] };

describe('SubgraphDataSource in-flight deduplication', () => {
  it('two identical concurrent queries make one HTTP call; each caller gets its own copy', async () => {
    const ds = new SubgraphDataSource({ name: 'billing', url, timeoutMs: 5000, maxSockets: 4 });
    const c1 = context();
    const c2 = context();
    const a = call(ds, Q, vars, c1);
    const b = call(ds, Q, vars, c2);
    expect(await receivedCalls(1)).toBe(1);
    received[0]!.answer(200, { data: { _entities: [{ balance: { amount: '1.00' } }] }, extensions: { stale: ['x'] } });
    const [ra, rb] = await Promise.all([a, b]);
    expect(ra.data).toEqual({ _entities: [{ balance: { amount: '1.00' } }] });
    expect(rb.data).toEqual(ra.data);
    expect(rb.data).not.toBe(ra.data);
    // Both requests carry the subgraph's extensions (forwarded to their own clients).
    expect(c1.subgraphExtensions).toEqual([{ stale: ['x'] }]);
    expect(c2.subgraphExtensions).toEqual([{ stale: ['x'] }]);
    expect(ds.inflightCount).toBe(0);
  });

  it('different scopes, variables or queries do not share', async () => {
    const ds = new SubgraphDataSource({ name: 'billing', url, timeoutMs: 5000, maxSockets: 8 });
    const calls = [
      call(ds, Q, vars, context('GD')),
      call(ds, Q, vars, context('ZJ')),
      call(ds, Q, { representations: [{ __typename: 'Customer', id: '1-OTHER1' }] }, context('GD')),
      call(ds, Q.replace('amount', 'currency'), vars, context('GD')),
      call(ds, Q, vars, context(null)),
      call(ds, Q, vars, context(null)),
    ];
    expect(await receivedCalls(6)).toBe(6);
    for (const r of received) r.answer(200, { data: { _entities: [null] } });
    await Promise.all(calls);
  });

  it('a mutation is never shared', async () => {
    const ds = new SubgraphDataSource({ name: 'customer-service', url, timeoutMs: 5000, maxSockets: 4 });
    const M = 'mutation M__customer_service__0{openTicket(customerId:"1-ABC123"){id}}';
    const a = call(ds, M, {}, context(), 'mutation');
    const b = call(ds, M, {}, context(), 'mutation');
    expect(await receivedCalls(2)).toBe(2);
    for (const r of received) r.answer(200, { data: { openTicket: { id: '1' } } });
    await Promise.all([a, b]);
  });

  it('an error reaches every waiter', async () => {
    const ds = new SubgraphDataSource({ name: 'billing', url, timeoutMs: 5000, maxSockets: 4 });
    const a = call(ds, Q, vars, context());
    const b = call(ds, Q, vars, context());
    expect(await receivedCalls(1)).toBe(1);
    received[0]!.answer(502, { message: 'bad gateway' });
    const [ra, rb] = await Promise.allSettled([a, b]);
    expect(ra.status).toBe('rejected');
    expect(rb.status).toBe('rejected');
    expect((ra as PromiseRejectedResult).reason.extensions.code).toBe('SUBGRAPH_UNAVAILABLE');
    expect((rb as PromiseRejectedResult).reason.extensions.code).toBe('SUBGRAPH_UNAVAILABLE');
    expect(ds.inflightCount).toBe(0);
  });

  it('keeps nothing after completion: the same query later makes a new call', async () => {
    const ds = new SubgraphDataSource({ name: 'billing', url, timeoutMs: 5000, maxSockets: 4 });
    const first = call(ds, Q, vars, context());
    expect(await receivedCalls(1)).toBe(1);
    received[0]!.answer(200, { data: { _entities: [null] } });
    await first;
    const second = call(ds, Q, vars, context());
    expect(await receivedCalls(2)).toBe(2);
    received[1]!.answer(200, { data: { _entities: [null] } });
    await second;
  });

  it('SUBGRAPH_DEDUP=false: every query makes its own call', async () => {
    const ds = new SubgraphDataSource({ name: 'billing', url, timeoutMs: 5000, maxSockets: 4, dedup: false });
    const a = call(ds, Q, vars, context());
    const b = call(ds, Q, vars, context());
    expect(await receivedCalls(2)).toBe(2);
    for (const r of received) r.answer(200, { data: { _entities: [null] } });
    await Promise.all([a, b]);
  });
});

describe('SUBGRAPH_DEDUP', () => {
  it('defaults to true; false turns the gateway deduplication off', () => {
    expect(loadGatewayConfig({ AUTH_DISABLED: 'true' }).subgraphDedup).toBe(true);
    expect(loadGatewayConfig({ AUTH_DISABLED: 'true', SUBGRAPH_DEDUP: 'false' }).subgraphDedup).toBe(false);
  });
});

describe('SubgraphDataSource time budget and viewer', () => {
  it('gives up on a subgraph that does not answer within timeoutMs: SUBGRAPH_UNAVAILABLE naming it, retryable', async () => {
    const ds = new SubgraphDataSource({ name: 'billing', url, timeoutMs: 150, maxSockets: 4, dedup: false });
    const started = Date.now();
    const err = await call(ds, Q, vars, context()).then(
      () => undefined,
      (e: unknown) => e as { extensions?: Record<string, unknown>; message: string },
    );
    const took = Date.now() - started;
    expect(err?.extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', system: 'billing', retryable: true });
    expect(err?.message).toMatch(/billing subgraph could not be reached/);
    expect(took).toBeGreaterThanOrEqual(140);
    expect(took).toBeLessThan(2000);
    expect(received).toHaveLength(1);
  });

  it("sends the request id and the gateway-signed viewer token with every call", async () => {
    const ds = new SubgraphDataSource({ name: 'billing', url, timeoutMs: 5000, maxSockets: 4 });
    const pending = call(ds, Q, vars, { ...context(), requestId: 'req-7', viewerToken: 'header.payload.signature' });
    expect(await receivedCalls(1)).toBe(1);
    expect(received[0]!.headers['x-request-id']).toBe('req-7');
    expect(received[0]!.headers['x-viewer']).toBe('header.payload.signature');
    received[0]!.answer(200, { data: { _entities: [null] } });
    await pending;
  });

  it('an answer that is not a GraphQL JSON body, or an HTTP error, is SUBGRAPH_UNAVAILABLE naming the subgraph', async () => {
    const ds = new SubgraphDataSource({ name: 'billing', url, timeoutMs: 5000, maxSockets: 4, dedup: false });
    const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as { extensions?: Record<string, unknown>; message: string });

    const html = failure(call(ds, Q, vars, context()));
    expect(await receivedCalls(1)).toBe(1);
    received[0]!.answer(200, '<html>maintenance</html>', 'text/html');
    const e1 = await html;
    expect(e1?.extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', system: 'billing', retryable: true });
    expect(e1?.message).toMatch(/billing subgraph could not be reached: Expected JSON response body, but received: <html>maintenance/);

    const bad = failure(call(ds, Q, vars, context()));
    expect(await receivedCalls(2)).toBe(2);
    received[1]!.answer(502, 'upstream gone', 'text/plain');
    const e2 = await bad;
    expect(e2?.extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', system: 'billing' });
    expect(e2?.message).toMatch(/billing subgraph could not be reached: 502/);
  });

  it('a 401 from a subgraph stays UNAUTHENTICATED', async () => {
    const ds = new SubgraphDataSource({ name: 'billing', url, timeoutMs: 5000, maxSockets: 4, dedup: false });
    const pending = call(ds, Q, vars, context()).then(() => undefined, (e: unknown) => e as { extensions?: Record<string, unknown> });
    expect(await receivedCalls(1)).toBe(1);
    received[0]!.answer(401, { errors: [{ message: 'no viewer' }] });
    expect((await pending)?.extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});
