import { describe, expect, it } from 'vitest';
import { ProductError } from '../../../lib/errors.js';
import { FakeNetworkClient } from '../../../subgraphs/network/client/FakeNetworkClient.js';
import { alarm, element, outage, service } from './fixtures.js';
import { testServer } from './server.js';

/** The network resolvers over the fake client: arguments, entities, nulls and errors per field. */

const server = testServer();

const unavailable = () => new ProductError('LEGACY_UNAVAILABLE', 'network', 'The NMS cannot answer now (HTTP 503 TOPOLOGY_SYNC).', { retryAfterSeconds: 30 });

/** A small NMS: two lines on SZ-BTS-0312 → SZ-AGG-03 → GD-CORE-01, alarms on all three, two outages. */
function world() {
  return new FakeNetworkClient({
    services: [
      service('13812345678', { outageIds: ['OUT-GD-SZ-0002'], status: { operState: 'DISABLED', adminState: 'UNLOCKED', affected: true } }),
      service('AD0755123456', { kind: 'BROADBAND', outageIds: ['OUT-GD-SZ-0002', 'OUT-GD-SZ-0001'] }),
      service('GD-SZ-MSTP-04-00123', { kind: 'LEASED_LINE', accessElementId: 'SZ-PTN-003', supportingElementIds: ['SZ-PTN-003', 'SZ-AGG-03', 'GD-CORE-01'] }),
    ],
    elements: [
      element('SZ-BTS-0312', { parentId: 'SZ-AGG-03' }),
      element('SZ-AGG-03', { kind: 'AGGREGATION', parentId: 'GD-CORE-01' }),
      element('GD-CORE-01', { kind: 'CORE', region: { province: 'GD', localNetwork: null } }),
    ],
    alarms: [
      alarm('11', { elementId: 'SZ-BTS-0312', severity: 'MINOR', lastEventAt: '2026-11-24T09:00:00+08:00' }),
      alarm('12', { elementId: 'SZ-AGG-03', severity: 'CRITICAL', lastEventAt: '2026-11-24T07:00:00+08:00', serviceAffecting: true }),
      alarm('13', { elementId: 'GD-CORE-01', severity: 'MAJOR', lastEventAt: '2026-11-24T08:00:00+08:00' }),
      alarm('14', { elementId: 'GD-CORE-01', severity: 'MAJOR', lastEventAt: '2026-11-24T09:30:00+08:00' }),
      alarm('15', { elementId: 'SZ-BTS-0312', severity: 'WARNING' }),
      alarm('16', { elementId: 'SZ-BTS-0312', severity: 'CLEARED', clearedAt: '2026-11-24T09:40:00+08:00' }),
      alarm('3221225472', { elementId: 'SZ-AGG-03', severity: 'MAJOR', lastEventAt: '2026-11-24T08:00:00+08:00' }),
    ],
    outages: [
      outage('OUT-GD-SZ-0001', { status: 'cleared', startedAt: '2026-11-24T04:00:00+08:00', rootCauseAlarmIds: ['12'], affectedServiceCount: 3 }),
      outage('OUT-GD-SZ-0002', { startedAt: '2026-11-24T08:00:00+08:00', rootCauseAlarmIds: ['12', '99'], affectedServiceCount: 3 }),
      outage('OUT-BJ-BJ-0003', { region: { province: 'BJ', localNetwork: 'BJ' }, startedAt: '2026-11-24T09:00:00+08:00' }),
    ],
    outageServices: { 'OUT-GD-SZ-0002': ['13812345678', 'AD0755123456', 'GD-SZ-MSTP-04-00123'] },
  });
}

const LINE = `query($n: String!, $min: AlarmSeverity, $first: Int) {
  _entities(representations: [{ __typename: "ServiceLine", serviceNumber: $n }]) {
    ... on ServiceLine { serviceNumber networkStatus { operState adminState affected } accessElement { id kind parent { id } }
                         activeAlarms(minSeverity: $min, first: $first) { id severity } }
  }
}`;

describe('Query', () => {
  it('outage(id) answers the outage, and null without an error for an unknown id', async () => {
    const nms = world();
    const data = await server.data(nms, '{ a: outage(id: "OUT-GD-SZ-0002") { id status startedAt region { province localNetwork } affectedServiceCount } b: outage(id: "OUT-GD-SZ-9999") { id } }');
    expect(data).toEqual({
      a: { id: 'OUT-GD-SZ-0002', status: 'open', startedAt: '2026-11-24T08:00:00+08:00', region: { province: 'GD', localNetwork: 'SZ' }, affectedServiceCount: 3 },
      b: null,
    });
    expect(nms.count('outagesByIds')).toBe(1);
  });

  it('refuses a malformed outage id as BAD_USER_INPUT naming the format, without asking the NMS', async () => {
    const nms = world();
    const { data, errors } = await server.run(nms, '{ outage(id: "7") { id } }');
    expect(data).toEqual({ outage: null });
    expect(errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', system: 'network', retryable: false, argument: 'id' });
    expect(errors![0]!.message).toContain('OUT-GD-SZ-0007');
    expect(nms.calls).toEqual([]);
  });

  it('outages(province) lists newest first, upper-casing the code; an unknown region is an empty list', async () => {
    const nms = world();
    const data = await server.data(nms, '{ gd: outages(province: "gd") { id } all: outages { id } none: outages(province: "XX") { id } }');
    expect(data.gd.map((o: any) => o.id)).toEqual(['OUT-GD-SZ-0002', 'OUT-GD-SZ-0001']);
    expect(data.all.map((o: any) => o.id)).toEqual(['OUT-BJ-BJ-0003', 'OUT-GD-SZ-0002', 'OUT-GD-SZ-0001']);
    expect(data.none).toEqual([]);
    expect(nms.calls.filter((c) => c.method === 'outages').map((c) => c.args[0])).toEqual([
      { province: 'GD', localNetwork: undefined },
      { province: undefined, localNetwork: undefined },
      { province: 'XX', localNetwork: undefined },
    ]);
  });

  it('refuses a malformed region code as BAD_USER_INPUT', async () => {
    const nms = world();
    const { errors } = await server.run(nms, '{ outages(province: "Guangdong") { id } }');
    expect(errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'province' });
    expect(nms.calls).toEqual([]);
  });

  it('nulls outages with LEGACY_UNAVAILABLE and retryAfterSeconds when the NMS cannot answer', async () => {
    const { data, errors } = await server.run(world().fail('outages', unavailable()), '{ outages { id } }');
    expect(data).toEqual({ outages: null });
    expect(errors![0]!.extensions).toEqual({ code: 'LEGACY_UNAVAILABLE', system: 'network', retryable: true, retryAfterSeconds: 30 });
  });
});

describe('ServiceLine', () => {
  it('resolves network status, access element and its upstream chain', async () => {
    const data = await server.data(world(), LINE, { n: '13812345678' });
    expect(data._entities[0]).toMatchObject({
      serviceNumber: '13812345678',
      networkStatus: { operState: 'DISABLED', adminState: 'UNLOCKED', affected: true },
      accessElement: { id: 'SZ-BTS-0312', kind: 'ACCESS', parent: { id: 'SZ-AGG-03' } },
    });
  });

  it('merges the active alarms of access and upstream elements, worst first then newest, at least MINOR by default', async () => {
    const data = await server.data(world(), LINE, { n: '13812345678' });
    expect(data._entities[0].activeAlarms).toEqual([
      { id: '12', severity: 'CRITICAL' },
      { id: '14', severity: 'MAJOR' },
      { id: '3221225472', severity: 'MAJOR' },
      { id: '13', severity: 'MAJOR' },
      { id: '11', severity: 'MINOR' },
    ]);
  });

  it('honours minSeverity and first', async () => {
    const data = await server.data(world(), LINE, { n: '13812345678', min: 'WARNING', first: 6 });
    expect(data._entities[0].activeAlarms.map((a: any) => a.id)).toEqual(['12', '14', '3221225472', '13', '11', '15']);
    const top = await server.data(world(), LINE, { n: '13812345678', min: 'MAJOR', first: 2 });
    expect(top._entities[0].activeAlarms.map((a: any) => a.id)).toEqual(['12', '14']);
  });

  it('reads the alarms of all lines of an _entities call in one activeAlarms call, at the lowest severity asked', async () => {
    const nms = world();
    await server.data(
      nms,
      `{ _entities(representations: [{ __typename: "ServiceLine", serviceNumber: "13812345678" }, { __typename: "ServiceLine", serviceNumber: "GD-SZ-MSTP-04-00123" }]) {
        ... on ServiceLine { major: activeAlarms(minSeverity: MAJOR) { id } all: activeAlarms(minSeverity: INDETERMINATE) { id } } } }`,
    );
    expect(nms.count('servicesByNumbers')).toBe(1);
    expect(nms.calls.filter((c) => c.method === 'activeAlarms').map((c) => c.args)).toEqual([
      [['SZ-BTS-0312', 'SZ-AGG-03', 'GD-CORE-01', 'SZ-PTN-003'], 'INDETERMINATE'],
    ]);
  });

  it('refuses minSeverity CLEARED and first beyond 100 as BAD_USER_INPUT, before any NMS call', async () => {
    const nms = world();
    const cleared = await server.run(nms, LINE, { n: '13812345678', min: 'CLEARED' });
    expect(cleared.errors!.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', argument: 'minSeverity' })]);
    const big = await server.run(nms, LINE, { n: '13812345678', first: 101 });
    expect(big.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'first' });
    expect(big.errors![0]!.message).toContain('100');
    expect(nms.count('activeAlarms')).toBe(0);
  });

  it('answers a line the NMS does not inventory with null state and element and no alarms, without an error', async () => {
    const data = await server.data(world(), LINE, { n: '13900000000' });
    expect(data._entities[0]).toEqual({ serviceNumber: '13900000000', networkStatus: null, accessElement: null, activeAlarms: [] });
  });

  it('treats a malformed service number in a representation as unknown and never sends it', async () => {
    const nms = world();
    const data = await server.data(nms, LINE, { n: 'not-a-number' });
    expect(data._entities[0]).toEqual({ serviceNumber: 'not-a-number', networkStatus: null, accessElement: null, activeAlarms: [] });
    expect(nms.calls).toEqual([]);
  });

  it('fails only the field whose NMS read failed: alarms down, state still there', async () => {
    const { data, errors } = await server.run(world().fail('activeAlarms', unavailable()), LINE, { n: '13812345678' });
    expect(data!._entities[0]).toMatchObject({ serviceNumber: '13812345678', networkStatus: { affected: true }, activeAlarms: null });
    expect(errors).toHaveLength(1);
    expect(errors![0]).toMatchObject({ path: ['_entities', 0, 'activeAlarms'], extensions: { code: 'LEGACY_UNAVAILABLE', system: 'network', retryable: true } });
  });

  it('keeps the entity (and billing’s fields for it) when the inventory read fails: each network field errs on its own', async () => {
    const { data, errors } = await server.run(world().fail('servicesByNumbers', unavailable()), LINE, { n: '13812345678' });
    expect(data!._entities[0]).toEqual({ serviceNumber: '13812345678', networkStatus: null, accessElement: null, activeAlarms: null });
    expect(errors!.map((e) => e.path!.join('.')).sort()).toEqual(['_entities.0.accessElement', '_entities.0.activeAlarms', '_entities.0.networkStatus']);
  });
});

describe('Customer', () => {
  const CUSTOMER = `query($lines: [_Any!]!) { _entities(representations: $lines) { ... on Customer { id affectingOutages { id status } } } }`;

  it('lists the open outages of the lines billing gave, each once, newest first', async () => {
    const nms = world();
    const data = await server.data(nms, CUSTOMER, {
      lines: [{ __typename: 'Customer', id: '1-7QX3KD', serviceLines: [{ serviceNumber: '13812345678' }, { serviceNumber: 'AD0755123456' }, { serviceNumber: '13900000000' }] }],
    });
    // OUT-GD-SZ-0001 is listed by a line but has cleared since: left out.
    expect(data._entities).toEqual([{ id: '1-7QX3KD', affectingOutages: [{ id: 'OUT-GD-SZ-0002', status: 'open' }] }]);
    expect(nms.count('servicesByNumbers')).toBe(1);
    expect(nms.count('outagesByIds')).toBe(1);
  });

  it('answers an empty list without lines, and null when billing could not give the lines', async () => {
    const nms = world();
    const data = await server.data(nms, CUSTOMER, {
      lines: [
        { __typename: 'Customer', id: '1-AAAAAA', serviceLines: [] },
        { __typename: 'Customer', id: '1-BBBBBB', serviceLines: null },
      ],
    });
    expect(data._entities).toEqual([
      { id: '1-AAAAAA', affectingOutages: [] },
      { id: '1-BBBBBB', affectingOutages: null },
    ]);
    expect(nms.calls).toEqual([]);
  });
});

describe('NetworkElement, Alarm and Outage entities', () => {
  it('resolves elements by id (null when unknown), walking parents to the core', async () => {
    const data = await server.data(
      world(),
      `{ _entities(representations: [{ __typename: "NetworkElement", id: "SZ-BTS-0312" }, { __typename: "NetworkElement", id: "SZ-BTS-9999" }]) {
        ... on NetworkElement { id name kind region { province localNetwork } parent { id parent { id region { localNetwork } parent { id } } } } } }`,
    );
    expect(data._entities).toEqual([
      {
        id: 'SZ-BTS-0312',
        name: 'element SZ-BTS-0312',
        kind: 'ACCESS',
        region: { province: 'GD', localNetwork: 'SZ' },
        parent: { id: 'SZ-AGG-03', parent: { id: 'GD-CORE-01', region: { localNetwork: null }, parent: null } },
      },
      null,
    ]);
  });

  it('resolves alarms by id — ids beyond 2^31 as given — with their element, and null for unknown ids', async () => {
    const nms = world();
    const data = await server.data(
      nms,
      `{ _entities(representations: [{ __typename: "Alarm", id: "3221225472" }, { __typename: "Alarm", id: "16" }, { __typename: "Alarm", id: "404" }, { __typename: "Alarm", id: "x" }]) {
        ... on Alarm { id severity clearedAt acknowledged element { id } } } }`,
    );
    expect(data._entities).toEqual([
      { id: '3221225472', severity: 'MAJOR', clearedAt: null, acknowledged: false, element: { id: 'SZ-AGG-03' } },
      { id: '16', severity: 'CLEARED', clearedAt: '2026-11-24T09:40:00+08:00', acknowledged: false, element: { id: 'SZ-BTS-0312' } },
      null,
      null,
    ]);
    expect(nms.calls.filter((c) => c.method === 'alarmsByIds').map((c) => c.args[0])).toEqual([['3221225472', '16', '404']]);
  });

  it('resolves an outage with its root-cause alarms (those the NMS no longer has left out)', async () => {
    const data = await server.data(world(), `{ _entities(representations: [{ __typename: "Outage", id: "OUT-GD-SZ-0002" }]) { ... on Outage { id rootCauseAlarms { id severity } } } }`);
    expect(data._entities).toEqual([{ id: 'OUT-GD-SZ-0002', rootCauseAlarms: [{ id: '12', severity: 'CRITICAL' }] }]);
  });

  it('pages affectedServiceLines as a Relay connection with cursors, and the lines carry their network state', async () => {
    const nms = world();
    const page1 = await server.data(nms, `{ outage(id: "OUT-GD-SZ-0002") { affectedServiceLines(first: 2) { edges { cursor node { serviceNumber networkStatus { affected } } } pageInfo { hasNextPage endCursor } } } }`);
    const conn = page1.outage.affectedServiceLines;
    expect(conn.edges.map((e: any) => e.node.serviceNumber)).toEqual(['13812345678', 'AD0755123456']);
    expect(conn.edges[0].node.networkStatus).toEqual({ affected: true });
    expect(conn.pageInfo).toEqual({ hasNextPage: true, endCursor: conn.edges[1].cursor });
    expect(nms.count('servicesByNumbers')).toBe(0);

    const page2 = await server.data(nms, `query($after: String) { outage(id: "OUT-GD-SZ-0002") { affectedServiceLines(first: 2, after: $after) { edges { node { serviceNumber } } pageInfo { hasNextPage } } } }`, {
      after: conn.pageInfo.endCursor,
    });
    expect(page2.outage.affectedServiceLines).toEqual({ edges: [{ node: { serviceNumber: 'GD-SZ-MSTP-04-00123' } }], pageInfo: { hasNextPage: false } });
    expect(nms.calls.filter((c) => c.method === 'outageServices').map((c) => c.args)).toEqual([
      ['OUT-GD-SZ-0002', 0, 2],
      ['OUT-GD-SZ-0002', 2, 2],
    ]);
  });

  it('refuses a cursor it did not issue and first beyond 100 as BAD_USER_INPUT', async () => {
    const nms = world();
    const { errors } = await server.run(nms, `{ outage(id: "OUT-GD-SZ-0002") { a: affectedServiceLines(after: "nope") { pageInfo { hasNextPage } } b: affectedServiceLines(first: 500) { pageInfo { hasNextPage } } } }`);
    expect(errors!.map((e) => e.extensions!.argument).sort()).toEqual(['after', 'first']);
    expect(nms.count('outageServices')).toBe(0);
  });
});
