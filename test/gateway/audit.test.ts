import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildSchema, parse, print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_FLUSH_MS, markCustomerSelections, takeMarkers, type AuditLine } from '../../gateway/audit.js';
import { testWorld as world } from '../helpers/emulators.js';
import { startStack, type Stack } from '../helpers/stack.js';

/** The audit trail: which customers an answer holds, found without asking any subgraph for more. */

const schema = buildSchema(`
  type Query { customer(id: ID!): Customer  ticket(id: ID!): Ticket  outages: [Outage] }
  type Customer { id: ID!  name: String  group: Customer  tickets: [Ticket] }
  type Ticket { id: ID!  customer: Customer }
  type Outage { id: ID! }
`);

describe('markCustomerSelections', () => {
  it('adds one __auditN: id to every selection set on Customer, remembering its fields', () => {
    const marked = markCustomerSelections(schema, parse('{ customer(id: "1") { name group { id } tickets { id customer { name } } } }'))!;
    expect(print(marked.document)).toBe(
      print(parse('{ customer(id: "1") { name group { id __audit0: id } tickets { id customer { name __audit1: id } } __audit2: id } }')),
    );
    expect(marked.fieldsOf).toEqual([['id'], ['name'], ['name', 'group', 'tickets']]);
    expect([...marked.descend].sort()).toEqual(['customer', 'group', 'tickets']);
  });

  it('walks the answer only where customers can be: not into the lists a customer holds', () => {
    const s2 = buildSchema(`
      type Query { customers: CustomerConnection }
      type CustomerConnection { edges: [Edge] }
      type Edge { node: Customer }
      type Customer { id: ID!  accounts: [Account] }
      type Account { id: ID!  bills: [Bill] }
      type Bill { period: String }
    `);
    const marked = markCustomerSelections(s2, parse('{ customers { edges { node { ...C } } } } fragment C on Customer { accounts { bills { period } } }'))!;
    expect([...marked.descend].sort()).toEqual(['customers', 'edges', 'node']);
    const data = { customers: { edges: [{ node: { accounts: [{ bills: [{ period: '2026-10' }] }], __audit0: '1-A' } }] } };
    const seen = takeMarkers(data, marked.fieldsOf, marked.descend);
    expect([...seen.keys()]).toEqual(['1-A']);
    expect(data.customers.edges[0]!.node).toEqual({ accounts: [{ bills: [{ period: '2026-10' }] }] });
  });

  it('marks fragments on Customer in their own definitions, not the selection that only spreads them', () => {
    const marked = markCustomerSelections(schema, parse('{ customer(id: "1") { ...F } } fragment F on Customer { name }'))!;
    expect(print(marked.document)).toContain('fragment F on Customer {\n  name\n  __audit0: id\n}');
    expect(print(marked.document)).toContain('customer(id: "1") {\n    ...F\n  }');
    expect(marked.fieldsOf).toEqual([['name']]);
  });

  it('leaves a document without customers alone', () => {
    expect(markCustomerSelections(schema, parse('{ outages { id } }'))).toBeUndefined();
  });
});

describe('takeMarkers', () => {
  it('strips every marker in place and gathers each customer once with the union of its fields', () => {
    const data = { a: { name: 'x', __audit2: '1-A', group: { id: '1-B', __audit0: '1-B' } }, b: [{ __audit1: '1-A', name: 'x' }, null] };
    const seen = takeMarkers(data, [['id'], ['name'], ['name', 'group']]);
    expect(data).toEqual({ a: { name: 'x', group: { id: '1-B' } }, b: [{ name: 'x' }, null] });
    expect([...seen].map(([id, s]) => [id, [...s.fields].sort(), s.result])).toEqual([
      ['1-A', ['group', 'name'], 'returned'],
      ['1-B', ['id'], 'returned'],
    ]);
  });
});

describe('the audit trail through the gateway', () => {
  let stack: Stack;
  let dir: string;
  let file: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'audit-'));
    file = path.join(dir, 'logs', 'audit.jsonl');
    stack = await startStack({ AUDIT_LOG: file });
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** The lines written so far (the sink gathers them and writes every AUDIT_FLUSH_MS). */
  async function lines(): Promise<AuditLine[]> {
    await new Promise((r) => setTimeout(r, AUDIT_FLUSH_MS + 100));
    const text = await readFile(file, 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AuditLine);
  }

  it('writes one line per customer read, with viewer, fields, operation and result, and leaves no marker in the answer', async () => {
    const range = world.customersIn('GD', 'SZ')!;
    const [a, b] = [world.customerId(range.at(0)), world.customerId(range.at(1))];
    const sz = { sub: 'sz.agent.0042', roles: ['agent'], region: { province: 'GD', localNetwork: 'SZ' } };
    const r = await stack.query(`query Callers($a: ID!, $b: ID!) { first: customer(id: $a) { name balance { amount } } second: customer(id: $b) { id } again: customer(id: $a) { status } }`, { a, b }, await stack.as(sz));
    expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
    expect(JSON.stringify(r.data)).not.toContain('__audit');
    expect(Object.keys(r.data.first)).toEqual(['name', 'balance']);
    const written = await lines();
    expect(written).toHaveLength(2);
    const byId = Object.fromEntries(written.map((l) => [l.customerId, l]));
    expect(byId[a]).toMatchObject({
      kind: 'audit',
      viewer: { sub: 'sz.agent.0042', roles: ['agent'], region: { province: 'GD', localNetwork: 'SZ' } },
      customerId: a,
      fields: ['balance', 'name', 'status'],
      operation: 'Callers',
      operationType: 'query',
      result: 'returned',
    });
    expect(byId[b]!.fields).toEqual(['id']);
    expect(Date.parse(byId[a]!.time)).toBeGreaterThan(Date.now() - 60_000);
    expect(byId[a]!.requestId).toMatch(/^[\w-]{8,}$/);
  });

  it('writes a refused line for a customer outside the scope, and nothing for a query without customers', async () => {
    const before = (await lines()).length;
    const bj = world.customerId(world.customersIn('BJ')!.at(0));
    const r = await stack.query(`query Peek($id: ID!) { customer(id: $id) { name } }`, { id: bj }, await stack.as({ sub: 'gd.agent.0001', roles: ['agent'], region: { province: 'GD' } }));
    expect(r.errors?.[0].extensions.code).toBe('FORBIDDEN');
    await stack.query(`{ outages(province: "GD") { id } }`);
    const added = (await lines()).slice(before);
    expect(added.map((l) => [l.customerId, l.result, l.operation, l.viewer.sub])).toEqual([[bj, 'refused', 'Peek', 'gd.agent.0001']]);
  });
});
