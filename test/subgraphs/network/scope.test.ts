import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApolloServer } from '@apollo/server';
import { scopeKeyOf, viewerFromClaims, type Viewer } from '../../../lib/viewer.js';
import { testViewer } from '../../helpers/viewers.js';
import { FakeNetworkClient } from '../../../subgraphs/network/client/FakeNetworkClient.js';
import { createContextFactory, type Context } from '../../../subgraphs/network/context.js';
import type { Outage } from '../../../subgraphs/network/domain.js';
import { buildNetworkSchema } from '../../../subgraphs/network/server.js';
import { formatSubgraphError, type RequestScope } from '../../../subgraphs/shared/server.js';
import { StaleCache } from '../../../subgraphs/shared/staleCache.js';
import { testServer } from './server.js';
import { alarm, element, jsonHeaders, listBody, nms, outage, service, silentLogger, testClient, wireOutage, wireService } from './fixtures.js';

/**
 * Issue 6 in the network subgraph: every service, element, alarm (by its element) and outage
 * checked against the region the NMS records for it; `outages` narrowed to the viewer's region at
 * the NMS; malformed ids refused before the NMS; caches and in-flight calls never shared across
 * viewer scopes.
 */

const server = testServer();
const v = testViewer;
const SZ_AGENT = v(['agent'], 'GD', 'SZ');
const GD_AGENT = v(['agent'], 'GD');
const HQ_ADMIN = v(['admin']);

const SZ_LINE = '13800000001';
const GZ_LINE = '13800000002';
const BJ_LINE = '13800000003';
const GD = (localNetwork: string | null) => ({ province: 'GD', localNetwork });
const BJ = { province: 'BJ', localNetwork: 'BJ' };

const outages: Outage[] = [
  outage('OUT-GD-SZ-0001', { rootCauseAlarmIds: ['101', '102'], startedAt: '2026-11-24T08:00:00+08:00' }),
  outage('OUT-GD-GZ-0002', { region: GD('GZ'), rootCauseAlarmIds: ['103'], startedAt: '2026-11-24T07:00:00+08:00' }),
  outage('OUT-BJ-BJ-0003', { region: BJ, rootCauseAlarmIds: ['104'], startedAt: '2026-11-24T06:00:00+08:00' }),
];

/** Lines in Shenzhen, Guangzhou and Beijing, each riding on its own access and aggregation element and its province's core. */
const world = () =>
  new FakeNetworkClient({
    services: [
      service(SZ_LINE, { outageIds: ['OUT-GD-SZ-0001'] }),
      service(GZ_LINE, { region: GD('GZ'), accessElementId: 'GZ-BTS-0101', supportingElementIds: ['GZ-BTS-0101', 'GZ-AGG-01', 'GD-CORE-01'], outageIds: ['OUT-GD-GZ-0002'] }),
      service(BJ_LINE, { region: BJ, accessElementId: 'BJ-BTS-0001', supportingElementIds: ['BJ-BTS-0001', 'BJ-CORE-01'], outageIds: ['OUT-BJ-BJ-0003'] }),
    ],
    elements: [
      element('SZ-BTS-0312', { parentId: 'SZ-AGG-03' }),
      element('SZ-AGG-03', { kind: 'AGGREGATION', parentId: 'GD-CORE-01' }),
      element('GD-CORE-01', { kind: 'CORE', region: GD(null) }),
      element('GZ-BTS-0101', { region: GD('GZ'), parentId: 'GZ-AGG-01' }),
      element('GZ-AGG-01', { kind: 'AGGREGATION', region: GD('GZ'), parentId: 'GD-CORE-01' }),
      element('BJ-BTS-0001', { region: BJ, parentId: 'BJ-CORE-01' }),
      element('BJ-CORE-01', { kind: 'CORE', region: { province: 'BJ', localNetwork: null } }),
    ],
    alarms: [
      alarm('101', { elementId: 'SZ-BTS-0312', severity: 'MAJOR' }),
      alarm('102', { elementId: 'GD-CORE-01', severity: 'CRITICAL' }),
      alarm('103', { elementId: 'GZ-BTS-0101' }),
      alarm('104', { elementId: 'BJ-BTS-0001' }),
    ],
    outages,
    // An inconsistency on purpose: the NMS lists a Guangzhou line under a Shenzhen outage.
    outageServices: { 'OUT-GD-SZ-0001': [SZ_LINE, GZ_LINE] },
  });

type Errors = readonly { message: string; path?: readonly (string | number)[]; extensions?: Record<string, unknown> }[] | undefined;
/** [path, code, the key extension] of each error, in path order. */
const summary = (errors: Errors, key: string) =>
  [...(errors ?? [])].sort((a, b) => JSON.stringify(a.path).localeCompare(JSON.stringify(b.path))).map((e) => [e.path, e.extensions?.code, e.extensions?.[key]]);

describe('service lines', () => {
  const LINES = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on ServiceLine { serviceNumber networkStatus { operState } accessElement { id parent { id } } activeAlarms { id } } } }';
  const reps = [SZ_LINE, GZ_LINE, BJ_LINE].map((serviceNumber) => ({ __typename: 'ServiceLine', serviceNumber }));

  it('a line the NMS records outside the viewer’s region keeps its key; each of its network fields is null with FORBIDDEN', async () => {
    const { data, errors } = await server.run(world(), LINES, { r: reps }, SZ_AGENT);
    expect(data?._entities).toEqual([
      // The core router is the province's, not Shenzhen's: its alarm (102) is left out, the parent link is FORBIDDEN.
      { serviceNumber: SZ_LINE, networkStatus: { operState: 'ENABLED' }, accessElement: { id: 'SZ-BTS-0312', parent: { id: 'SZ-AGG-03' } }, activeAlarms: [{ id: '101' }] },
      { serviceNumber: GZ_LINE, networkStatus: null, accessElement: null, activeAlarms: null },
      { serviceNumber: BJ_LINE, networkStatus: null, accessElement: null, activeAlarms: null },
    ]);
    expect(summary(errors, 'serviceNumber')).toEqual([
      [['_entities', 1, 'accessElement'], 'FORBIDDEN', GZ_LINE],
      [['_entities', 1, 'activeAlarms'], 'FORBIDDEN', GZ_LINE],
      [['_entities', 1, 'networkStatus'], 'FORBIDDEN', GZ_LINE],
      [['_entities', 2, 'accessElement'], 'FORBIDDEN', BJ_LINE],
      [['_entities', 2, 'activeAlarms'], 'FORBIDDEN', BJ_LINE],
      [['_entities', 2, 'networkStatus'], 'FORBIDDEN', BJ_LINE],
    ]);
    expect(errors?.[0]?.message).toBe(`Service line ${GZ_LINE} is outside your scope (GD/SZ).`);
  });

  it('a province viewer sees its province’s lines with the core’s alarms; headquarters everything, reading no element for the alarms', async () => {
    const gd = await server.run(world(), LINES, { r: reps.slice(0, 2) }, GD_AGENT);
    expect(gd.errors).toBeUndefined();
    expect(gd.data?._entities.map((l: any) => l.activeAlarms)).toEqual([[{ id: '102' }, { id: '101' }], [{ id: '102' }, { id: '103' }]]);
    const fake = world();
    const hq = await server.data(fake, 'query($r: [_Any!]!) { _entities(representations: $r) { ... on ServiceLine { activeAlarms { id } } } }', { r: reps });
    expect(hq._entities.map((l: any) => l.activeAlarms.map((a: any) => a.id))).toEqual([['102', '101'], ['102', '103'], ['104']]);
    expect(fake.count('elementsByIds')).toBe(0);
  });
});

describe('elements and alarms', () => {
  it('_entities: an element outside the region (a local network’s core router included) is null with FORBIDDEN', async () => {
    const q = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on NetworkElement { id kind region { province localNetwork } } } }';
    const r = ['SZ-BTS-0312', 'GZ-BTS-0101', 'GD-CORE-01'].map((id) => ({ __typename: 'NetworkElement', id }));
    const sz = await server.run(world(), q, { r }, SZ_AGENT);
    expect(sz.data?._entities).toEqual([{ id: 'SZ-BTS-0312', kind: 'ACCESS', region: { province: 'GD', localNetwork: 'SZ' } }, null, null]);
    expect(summary(sz.errors, 'elementId')).toEqual([
      [['_entities', 1], 'FORBIDDEN', 'GZ-BTS-0101'],
      [['_entities', 2], 'FORBIDDEN', 'GD-CORE-01'],
    ]);
    const gd = await server.run(world(), q, { r }, GD_AGENT);
    expect(gd.errors).toBeUndefined();
    expect(gd.data?._entities.map((e: any) => e.id)).toEqual(['SZ-BTS-0312', 'GZ-BTS-0101', 'GD-CORE-01']);
  });

  it('an alarm is in scope by its element: another region’s is null with FORBIDDEN; alarm.element is checked in its own right', async () => {
    const q = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Alarm { id severity element { id } } } }';
    const r = ['101', '102', '103'].map((id) => ({ __typename: 'Alarm', id }));
    const sz = await server.run(world(), q, { r }, SZ_AGENT);
    expect(sz.data?._entities).toEqual([{ id: '101', severity: 'MAJOR', element: { id: 'SZ-BTS-0312' } }, null, null]);
    expect(summary(sz.errors, 'alarmId')).toEqual([
      [['_entities', 1], 'FORBIDDEN', '102'],
      [['_entities', 2], 'FORBIDDEN', '103'],
    ]);
    expect(sz.errors?.[0]?.message).toMatch(/^Alarm 10[23] is outside your scope \(GD\/SZ\)\.$/);
  });
});

describe('outages', () => {
  const LIST = '{ outages { id } }';

  it('outage(id) outside the region is null with FORBIDDEN; inside it, the root causes and lines the viewer may not see are left out', async () => {
    const q = '{ a: outage(id: "OUT-GD-SZ-0001") { id rootCauseAlarms { id } affectedServiceLines(first: 10) { edges { node { serviceNumber } } pageInfo { hasNextPage } } } b: outage(id: "OUT-GD-GZ-0002") { id } }';
    const sz = await server.run(world(), q, {}, SZ_AGENT);
    expect(sz.data).toEqual({
      a: { id: 'OUT-GD-SZ-0001', rootCauseAlarms: [{ id: '101' }], affectedServiceLines: { edges: [{ node: { serviceNumber: SZ_LINE } }], pageInfo: { hasNextPage: false } } },
      b: null,
    });
    expect(summary(sz.errors, 'outageId')).toEqual([[['b'], 'FORBIDDEN', 'OUT-GD-GZ-0002']]);
    const hq = await server.data(world(), q, {}, HQ_ADMIN);
    expect(hq.a.rootCauseAlarms).toEqual([{ id: '101' }, { id: '102' }]);
    expect(hq.a.affectedServiceLines.edges.map((e: any) => e.node.serviceNumber)).toEqual([SZ_LINE, GZ_LINE]);
  });

  it('outages() asks the NMS for the viewer’s region only; headquarters with no arguments asks for everything', async () => {
    const hq = world();
    expect((await server.data(hq, LIST, {}, HQ_ADMIN)).outages.map((o: any) => o.id)).toEqual(['OUT-GD-SZ-0001', 'OUT-GD-GZ-0002', 'OUT-BJ-BJ-0003']);
    expect(hq.calls.map((c) => c.args[0])).toEqual([{ province: undefined, localNetwork: undefined }]);

    const sz = world();
    expect(await server.run(sz, LIST, {}, SZ_AGENT)).toEqual({ data: { outages: [{ id: 'OUT-GD-SZ-0001' }] }, errors: undefined });
    expect(sz.calls.map((c) => c.args[0])).toEqual([{ province: 'GD', localNetwork: 'SZ' }]);

    const gd = world();
    expect((await server.run(gd, '{ outages(localNetwork: "gz") { id } }', {}, GD_AGENT)).data).toEqual({ outages: [{ id: 'OUT-GD-GZ-0002' }] });
    expect(gd.calls.map((c) => c.args[0])).toEqual([{ province: 'GD', localNetwork: 'GZ' }]);
  });

  it.each([
    ['province: "BJ"', SZ_AGENT],
    ['province: "GD", localNetwork: "GZ"', SZ_AGENT],
    ['localNetwork: "GZ"', SZ_AGENT],
    ['province: "ZJ"', GD_AGENT],
  ])('outages(%s) outside the viewer’s region is an empty list, without an NMS call', async (args, viewer) => {
    const fake = world();
    expect(await server.run(fake, `{ outages(${args}) { id } }`, {}, viewer)).toEqual({ data: { outages: [] }, errors: undefined });
    expect(fake.calls).toEqual([]);
  });

  it('filters the NMS’s answer again, should its own filter disagree with ours', async () => {
    // An NMS that ignores the region filter.
    const lax = world();
    lax.outages = async (filter) => {
      lax.calls.push({ method: 'outages', args: [filter] });
      return outages;
    };
    expect((await server.run(lax, LIST, {}, SZ_AGENT)).data).toEqual({ outages: [{ id: 'OUT-GD-SZ-0001' }] });
    expect((await server.run(lax, LIST, {}, GD_AGENT)).data).toEqual({ outages: [{ id: 'OUT-GD-SZ-0001' }, { id: 'OUT-GD-GZ-0002' }] });
  });

  it('Customer.affectingOutages leaves out the outages outside the viewer’s region', async () => {
    const q = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { affectingOutages { id } } } }';
    const r = [{ __typename: 'Customer', id: '1-7QX3KD', serviceLines: [SZ_LINE, GZ_LINE, BJ_LINE].map((serviceNumber) => ({ serviceNumber })) }];
    const ids = async (viewer: Viewer) => (await server.data(world(), q, { r }, viewer))._entities[0].affectingOutages.map((o: any) => o.id);
    expect(await ids(SZ_AGENT)).toEqual(['OUT-GD-SZ-0001']);
    expect(await ids(GD_AGENT)).toEqual(['OUT-GD-SZ-0001', 'OUT-GD-GZ-0002']);
    expect(await ids(HQ_ADMIN)).toEqual(['OUT-GD-SZ-0001', 'OUT-GD-GZ-0002', 'OUT-BJ-BJ-0003']);
  });
});

describe('areas (design.md’s permission matrix)', () => {
  it.each(['agent', 'billing', 'noc', 'analyst', 'admin'])('%s reads the network', async (role) => {
    const data = await server.data(world(), `{ outage(id: "OUT-GD-SZ-0001") { id region { province } rootCauseAlarms { id element { id kind } } } }`, {}, v([role]));
    expect(data.outage).toEqual({ id: 'OUT-GD-SZ-0001', region: { province: 'GD' }, rootCauseAlarms: [{ id: '101', element: { id: 'SZ-BTS-0312', kind: 'ACCESS' } }, { id: '102', element: { id: 'GD-CORE-01', kind: 'CORE' } }] });
  });
});

describe('injection at the NMS boundary', () => {
  it.each([
    ['outage(id: "x&province=BJ") { id }', 'id', 'an outage id such as OUT-GD-SZ-0007'],
    ['outage(id: "OUT-GD-SZ-0001/../../nes/GD-CORE-01") { id }', 'id', 'an outage id such as OUT-GD-SZ-0007'],
    ['outages(province: "GD&localNetwork=SZ") { id }', 'province', 'two upper-case letters such as GD'],
    ['outages(localNetwork: "SZ#") { id }', 'localNetwork', 'two upper-case letters such as GD'],
  ])('refuses %s with BAD_USER_INPUT naming the format, asking the NMS nothing', async (field, argument, format) => {
    const fake = world();
    const { data, errors } = await server.run(fake, `{ ${field} }`);
    expect(Object.values(data ?? {})).toEqual([null]);
    expect(errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', system: 'network', retryable: false, argument });
    expect(errors?.[0]?.message).toContain(`expected ${format}`);
    expect(fake.calls).toEqual([]);
  });

  it('takes a malformed key in a representation as unknown: null, never sent to the NMS', async () => {
    const fake = world();
    const q = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on NetworkElement { id } ... on Alarm { id } ... on Outage { id } ... on ServiceLine { networkStatus { operState } } } }';
    const r = [
      { __typename: 'NetworkElement', id: 'x&province=BJ' },
      { __typename: 'Alarm', id: '1 OR 1=1' },
      { __typename: 'Outage', id: 'OUT-GD-SZ-0001&x=1' },
      { __typename: 'ServiceLine', serviceNumber: '</serviceNumber>' },
    ];
    expect(await server.data(fake, q, { r })).toEqual({ _entities: [null, null, null, { networkStatus: null }] });
    expect(fake.calls).toEqual([]);
  });

  describe('on the wire', () => {
    beforeAll(() => nock.disableNetConnect());
    afterEach(() => {
      const pending = nock.pendingMocks();
      nock.cleanAll();
      expect(pending, 'every mocked NMS call was made').toEqual([]);
    });
    afterAll(() => nock.enableNetConnect());

    it('encodes a query-string value as one parameter, and a path segment as one segment', async () => {
      const queries: Record<string, unknown>[] = [];
      nms()
        .get('/nms/rest/outages')
        .query((q) => (queries.push(q), true))
        .reply(200, listBody('outage', []), jsonHeaders);
      nms().get('/nms/rest/outages/x%26province%3DBJ%2F..%2Fnes/services').query({ offset: '0', limit: '1' }).reply(404, '', { 'content-type': 'application/xml' });
      const client = testClient();
      expect(await client.outages({ province: 'x&province=BJ', localNetwork: 'SZ' })).toEqual([]);
      expect(queries).toEqual([{ province: 'x&province=BJ', localNetwork: 'SZ', offset: '0', limit: '1000' }]);
      expect(await client.outageServices('x&province=BJ/../nes', 0, 1)).toBeNull();
      client.close();
    });

    it('sends a regional viewer’s outages() to the NMS as that region', async () => {
      const queries: Record<string, unknown>[] = [];
      nms()
        .get('/nms/rest/outages')
        .query((q) => (queries.push(q), true))
        .reply(200, listBody('outage', [wireOutage('OUT-GD-SZ-0001', { localNetwork: 'SZ' })]), jsonHeaders);
      const client = testClient();
      const contextValue = createContextFactory((s) => client.forRequest(s))(scopeOf(SZ_AGENT, 'r'));
      const res = await wireServer.executeOperation({ query: '{ outages { id } }' }, { contextValue });
      expect(res.body.kind === 'single' && res.body.singleResult.data).toEqual({ outages: [{ id: 'OUT-GD-SZ-0001' }] });
      expect(queries).toEqual([{ province: 'GD', localNetwork: 'SZ', offset: '0', limit: '1000' }]);
      client.close();
    });
  });
});

const wireServer = new ApolloServer<Context>({ schema: buildNetworkSchema(), formatError: formatSubgraphError('network', silentLogger) });
const scopeOf = (viewer: Viewer, requestId: string): RequestScope => ({ requestId, logger: silentLogger, viewer, scopeKey: scopeKeyOf(viewer), stale: [] });

describe('caches and deduplication never cross viewer scopes', () => {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    expect(pending, 'every mocked NMS call was made').toEqual([]);
  });
  afterAll(() => nock.enableNetConnect());

  const N = '13812345678';
  const Q = `query($r: [_Any!]!) { _entities(representations: $r) { ... on ServiceLine { networkStatus { operState } } } }`;
  const r = [{ __typename: 'ServiceLine', serviceNumber: N }];

  it('identical reads in flight at once for GD and BJ viewers make two NMS calls; for two GD agents, one', async () => {
    let calls = 0;
    nms()
      .post('/nms/rest/services/_batch', { serviceNumbers: [N] })
      .times(3)
      .delay(50)
      .reply(200, () => (calls++, listBody('service', [wireService(N)])), jsonHeaders);
    const client = testClient();
    const bj = v(['agent'], 'BJ');
    await Promise.all([client.forRequest(scopeOf(GD_AGENT, 'a')).servicesByNumbers([N]), client.forRequest(scopeOf(bj, 'b')).servicesByNumbers([N])]);
    expect(calls).toBe(2);
    const gd2 = viewerFromClaims({ sub: 'another.gd.agent', roles: ['agent'], region: { province: 'GD' } });
    await Promise.all([client.forRequest(scopeOf(GD_AGENT, 'c')).servicesByNumbers([N]), client.forRequest(scopeOf(gd2, 'd')).servicesByNumbers([N])]);
    expect(calls).toBe(3);
    client.close();
  });

  it('stale-if-error serves a viewer only what was read in its own scope: another province and headquarters get the failure', async () => {
    const cache = new StaleCache({ system: 'network', maxEntries: 100, maxAgeSeconds: 300 });
    const client = testClient();
    const factory = createContextFactory((s) => client.forRequest(s), { staleCache: cache });
    const exec = async (viewer: Viewer, id: string) => {
      const res = await wireServer.executeOperation({ query: Q, variables: { r } }, { contextValue: factory(scopeOf(viewer, id)) });
      if (res.body.kind !== 'single') throw new Error('expected a single result');
      return res.body.singleResult as { data?: any; errors?: { extensions?: Record<string, unknown> }[] };
    };
    nms().post('/nms/rest/services/_batch').reply(200, listBody('service', [wireService(N)]), jsonHeaders);
    expect((await exec(GD_AGENT, 'gd-1')).data).toEqual({ _entities: [{ networkStatus: { operState: 'ENABLED' } }] });
    expect(cache.size).toBe(1);

    // The NMS's proxy answers 502 from now on (retryable).
    nms().post('/nms/rest/services/_batch').times(3).reply(502, '<html>Bad Gateway</html>', { 'content-type': 'text/html' });
    expect((await exec(GD_AGENT, 'gd-2')).data).toEqual({ _entities: [{ networkStatus: { operState: 'ENABLED' } }] });
    // Had ZJ's agent been given GD's entry, the scope check would have answered FORBIDDEN; the failure shows it was not.
    for (const other of [v(['agent'], 'ZJ'), HQ_ADMIN]) {
      const res = await exec(other, `other-${scopeKeyOf(other)}`);
      expect(res.data?._entities, scopeKeyOf(other)).toEqual([{ networkStatus: null }]);
      expect(res.errors?.[0]?.extensions?.code, scopeKeyOf(other)).toBe('LEGACY_UNAVAILABLE');
    }
    client.close();
  });
});
