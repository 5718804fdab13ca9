import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { compareAlarms, fromWorld } from '../../../emulators/network/alarm-record.js';
import { startNetworkEmulator } from '../../../emulators/network/index.js';
import { formatLocal } from '../../../emulators/shared/time.js';
import { viewerFromClaims, type Viewer } from '../../../lib/viewer.js';
import { generateEd25519Pem, loadKey, VIEWER_HEADER, ViewerSigner } from '../../../lib/viewerToken.js';
import { World, type Line } from '../../../emulators/shared/world.js';
import type { RunningSubgraph } from '../../../subgraphs/shared/server.js';
import { loadNetworkConfig } from '../../../subgraphs/network/config.js';
import { startNetworkSubgraph } from '../../../subgraphs/network/server.js';
import { startTestEmulator, testWorld, TEST_NOW, type TestEmulator } from '../../helpers/emulators.js';
import { silentLogger } from './fixtures.js';

/** The network subgraph in-process against the real NMS emulator (clock pinned, dynamics off), checked against the world. */

const NOW = Date.parse(TEST_NOW);
const w = testWorld;
const iso = (ms: number) => formatLocal(ms, 'yyyy-MM-dd HH:mm:ss').replace(' ', 'T') + '+08:00';
const RANK = ['CRITICAL', 'MAJOR', 'MINOR', 'WARNING', 'INDETERMINATE'];

let em: TestEmulator;
let subgraph: RunningSubgraph;

/** The gateway's viewer key pair of this test: the subgraph verifies with the public half. */
const gatewayKeys = generateEd25519Pem();
const signer = new ViewerSigner(loadKey(gatewayKeys.privateKey, 'private', 'VIEWER_SIGNING_KEY'));
const HQ_ADMIN = viewerFromClaims({ sub: 'hq.admin', roles: ['admin'], region: {} });

async function start(env: Record<string, string> = {}) {
  return startNetworkSubgraph(loadNetworkConfig({ NETWORK_URL: em.url, NETWORK_SUBGRAPH_PORT: '0', LOG_LEVEL: 'silent', VIEWER_VERIFY_KEY: gatewayKeys.publicKey, ...env }), silentLogger);
}

beforeAll(async () => {
  em = await startTestEmulator('network', startNetworkEmulator);
  subgraph = await start();
});
afterAll(async () => {
  await subgraph?.close();
  await em?.close();
});
beforeEach(() => em.reset());

async function query(query: string, variables: Record<string, unknown> = {}, target = subgraph, requestId = 'it-request', viewer: Viewer = HQ_ADMIN) {
  const res = await fetch(target.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': requestId, [VIEWER_HEADER]: await signer.sign(viewer) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: any; errors?: any[] };
}

const lineRefs = (lines: readonly Line[]) => lines.map((l) => ({ __typename: 'ServiceLine', serviceNumber: l.serviceNumber }));
const LINES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on ServiceLine {
  serviceNumber networkStatus { operState adminState affected } accessElement { id kind parent { id } } activeAlarms(first: 100) { id severity probableCause raisedAt clearedAt acknowledged }
} } }`;

/** The active alarms of at least MINOR the NMS shows on a line's elements, in its order. */
function expectedAlarms(line: Line) {
  return line.supporting
    .flatMap((e) => w.alarmsOnElement(e, NOW))
    .filter((a) => World.isActive(a, NOW) && RANK.indexOf(a.severity) <= RANK.indexOf('MINOR'))
    .map((a) => fromWorld(a, NOW))
    .sort(compareAlarms)
    .map((a) => String(a.id));
}

describe('network subgraph against the NMS emulator', () => {
  it('lists outages of a province as the world has them, newest first, with root causes and counts', async () => {
    const { data, errors } = await query('{ outages(province: "GD") { id status startedAt region { province localNetwork } affectedServiceCount rootCauseAlarms { id severity probableCause element { id kind } } } }');
    expect(errors).toBeUndefined();
    const expected = w.outages('GD', NOW).sort((a, b) => b.startedAt - a.startedAt || (a.id < b.id ? -1 : 1));
    expect(data.outages.length).toBeGreaterThan(1);
    expect(data.outages).toEqual(
      expected.map((o) => ({
        id: o.id,
        status: World.isOpen(o, NOW) ? 'open' : 'cleared',
        startedAt: iso(o.startedAt),
        region: { province: 'GD', localNetwork: o.localNetwork },
        affectedServiceCount: w.linesOnAggregation(o.aggregation).length,
        rootCauseAlarms: [
          { id: String(o.rootCauseAlarmId), severity: World.isOpen(o, NOW) ? 'CRITICAL' : 'CLEARED', probableCause: 'lossOfSignal', element: { id: w.elements[o.aggregation]!.id, kind: 'AGGREGATION' } },
        ],
      })),
    );
  });

  it('answers ServiceLine entities with the world’s network state, access element and active alarms', async () => {
    // Some ordinary lines, and the lines of a customer hit by an open outage (critical alarm upstream).
    const open = w.outages('GD', NOW).find((o) => World.isOpen(o, NOW))!;
    let hit = 0;
    while (!w.lines(hit).some((l) => l.supporting[1] === open.aggregation)) hit++;
    const lines = [0, 1, 2, 3, 4, hit].flatMap((i) => w.lines(i));
    expect(lines.filter((l) => expectedAlarms(l).length > 0).length).toBeGreaterThanOrEqual(2);
    expect(lines.some((l) => w.lineNetworkState(l, NOW).affected)).toBe(true);
    const { data, errors } = await query(LINES, { r: [...lineRefs(lines), { __typename: 'ServiceLine', serviceNumber: '13000000000' }] });
    expect(errors).toBeUndefined();
    lines.forEach((line, k) => {
      const st = w.lineNetworkState(line, NOW);
      const got = data._entities[k];
      expect(got.networkStatus).toEqual({ operState: st.operState, adminState: st.adminState, affected: st.affected });
      expect(got.accessElement).toEqual({ id: w.elements[line.supporting[0]]!.id, kind: 'ACCESS', parent: { id: w.elements[line.supporting[1]]!.id } });
      expect(got.activeAlarms.map((a: any) => a.id)).toEqual(expectedAlarms(line));
      for (const a of got.activeAlarms) expect(a.raisedAt).toMatch(/\+08:00$/);
    });
    expect(data._entities.at(-1)).toEqual({ serviceNumber: '13000000000', networkStatus: null, accessElement: null, activeAlarms: [] });
  });

  it('costs one _batch and one _query for the network state and alarms of many lines, forwarding the request id', async () => {
    const since = (await em.requests()).last;
    const lines = Array.from({ length: 30 }, (_, i) => w.lines(100 + i)).flat().slice(0, 60);
    const { errors } = await query(LINES, { r: lineRefs(lines) }, subgraph, 'count-me');
    expect(errors).toBeUndefined();
    const log = (await em.requests(since)).items;
    const ops = log.map((r) => r.operation);
    const distinct = new Set(lines.flatMap((l) => l.supporting));
    expect(ops.filter((o) => o === 'POST /services/_batch')).toHaveLength(1);
    expect(ops.filter((o) => o === 'POST /alarms/_query')).toHaveLength(Math.ceil(distinct.size / 100));
    expect(log.every((r) => r.requestId === 'count-me' && r.status === 200)).toBe(true);
  });

  it('lists the open outages affecting a customer from the lines billing gives', async () => {
    const open = w.outages('SH', NOW).find((o) => World.isOpen(o, NOW))!;
    let customer = -1;
    for (let i = 0; i < w.customerCount && customer < 0; i++) if (w.lines(i).some((l) => l.supporting[1] === open.aggregation)) customer = i;
    const lines = w.lines(customer);
    const { data, errors } = await query(`query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { id affectingOutages { id status } } } }`, {
      r: [{ __typename: 'Customer', id: w.customerId(customer), serviceLines: lines.map((l) => ({ serviceNumber: l.serviceNumber })) }],
    });
    expect(errors).toBeUndefined();
    const expected = [...new Set(lines.flatMap((l) => w.outagesOfLine(l, NOW).map((o) => o.id)))];
    expect(data._entities[0].affectingOutages.map((o: any) => o.id).sort()).toEqual(expected.sort());
    expect(expected).toContain(open.id);
  });

  it("pages an outage's affected lines to the end, as many as affectedServiceCount", async () => {
    const open = w.outages('BJ', NOW).find((o) => World.isOpen(o, NOW))!;
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const { data, errors }: { data?: any; errors?: any[] } = await query(
        `query($id: ID!, $after: String) { outage(id: $id) { affectedServiceCount affectedServiceLines(first: 100, after: $after) { edges { node { serviceNumber networkStatus { affected } } } pageInfo { hasNextPage endCursor } } } }`,
        { id: open.id, after },
      );
      expect(errors).toBeUndefined();
      const conn = data.outage.affectedServiceLines;
      for (const e of conn.edges) {
        seen.push(e.node.serviceNumber);
        expect(e.node.networkStatus.affected).toBe(true);
      }
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    const expected = w.linesOnAggregation(open.aggregation).map((l) => l.serviceNumber);
    expect(seen).toHaveLength(expected.length);
    expect(new Set(seen)).toEqual(new Set(expected));
  });

  it('stays within the NMS’s 10 calls in flight when a request needs many batches', async () => {
    await em.faults({ latencyMs: { p50: 20, p99: 20 } });
    const lines = Array.from({ length: 500 }, (_, i) => w.lines(1000 + i)).flat().slice(0, 1200);
    const { data, errors } = await query('query($r: [_Any!]!) { _entities(representations: $r) { ... on ServiceLine { networkStatus { affected } } } }', { r: lineRefs(lines) });
    expect(errors).toBeUndefined();
    expect(data._entities.every((e: any) => e.networkStatus !== null)).toBe(true);
    const stats = await em.stats();
    expect(stats.operations['POST /services/_batch']).toBe(12);
    expect(stats.concurrency.peak).toBeLessThanOrEqual(10);
  });
});

describe('network subgraph under NMS faults', () => {
  const LINE = (n: string) => `{ _entities(representations: [{ __typename: "ServiceLine", serviceNumber: "${n}" }]) { ... on ServiceLine { serviceNumber networkStatus { affected } } } }`;
  const number = () => w.lines(7)[0]!.serviceNumber;

  it('answers the topologySync window with LEGACY_UNAVAILABLE and Retry-After on inventory fields, while outages still work', async () => {
    await em.faults({ window: 'topologySync' });
    const { data, errors } = await query(`${LINE(number()).slice(0, -1)} outages(province: "BJ") { id } }`);
    expect(data._entities[0]).toEqual({ serviceNumber: number(), networkStatus: null });
    expect(data.outages.length).toBeGreaterThan(0);
    expect(errors).toHaveLength(1);
    expect(errors![0]).toMatchObject({ path: ['_entities', 0, 'networkStatus'], extensions: { code: 'LEGACY_UNAVAILABLE', system: 'network', retryable: true, retryAfterSeconds: 30 } });
  });

  it("answers the proxy's 502 with LEGACY_UNAVAILABLE and a cut-off body with LEGACY_BAD_RESPONSE", async () => {
    await em.faults({ errorRate: 1 });
    const bad = await query('{ outages { id } }');
    expect(bad.errors![0].extensions).toMatchObject({ code: 'LEGACY_UNAVAILABLE', retryable: true });
    await em.faults({ malformedRate: 1 });
    const cut = await query('{ outages { id } }');
    expect(cut.data.outages).toBeNull();
    expect(cut.errors![0].extensions).toEqual({ code: 'LEGACY_BAD_RESPONSE', system: 'network', retryable: false });
  });

  it('answers a down NMS with LEGACY_UNAVAILABLE, retryable', async () => {
    await em.faults({ down: true });
    const { errors } = await query('{ outage(id: "OUT-GD-SZ-0007") { id } }');
    expect(errors![0].extensions).toMatchObject({ code: 'LEGACY_UNAVAILABLE', system: 'network', retryable: true });
  });

  it('answers wrong credentials with LEGACY_UNAVAILABLE, not retryable', async () => {
    const wrong = await start({ NETWORK_PASSWORD: 'not-the-password' });
    try {
      const { errors } = await query('{ outages { id } }', {}, wrong);
      expect(errors![0].extensions).toEqual({ code: 'LEGACY_UNAVAILABLE', system: 'network', retryable: false });
      expect(errors![0].message).toContain('NETWORK_PASSWORD');
    } finally {
      await wrong.close();
    }
  });

  it('reports the NMS on /health/ready', async () => {
    const ready = await fetch(subgraph.url.replace('/graphql', '/health/ready'));
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as any).systems.network.state).toMatch(/^(up|degraded|down)$/);
  });

  it('serves a local-network viewer its own outages only, and another province’s outage as null with FORBIDDEN', async () => {
    const all = w.outages('GD', NOW);
    const mine = all.find((o) => o.localNetwork !== null)!;
    const ln = mine.localNetwork!;
    const viewer = viewerFromClaims({ sub: 'noc.local', roles: ['noc'], region: { province: 'GD', localNetwork: ln } });
    const elsewhere = w.outages('BJ', NOW)[0]!;
    const { data, errors } = await query('query($id: ID!) { outages { id region { province localNetwork } } other: outage(id: $id) { id } }', { id: elsewhere.id }, subgraph, 'scope', viewer);
    expect(data.outages.map((o: any) => o.id).sort()).toEqual(all.filter((o) => o.localNetwork === ln).map((o) => o.id).sort());
    expect(data.outages.every((o: any) => o.region.province === 'GD' && o.region.localNetwork === ln)).toBe(true);
    expect(data.other).toBeNull();
    expect(errors?.map((e: any) => [e.path, e.extensions.code, e.extensions.outageId])).toEqual([[['other'], 'FORBIDDEN', elsewhere.id]]);
  });
});
