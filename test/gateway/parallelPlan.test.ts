import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { operationFromDocument, Supergraph } from '@apollo/federation-internals';
import { QueryPlanner, type FetchNode, type PlanNode, type QueryPlan, type SubscriptionNode } from '@apollo/query-planner';
import { parse, print } from 'graphql';
import { describe, expect, it } from 'vitest';
import { entityKeysOf, parallelizePlan, ParallelPlanStore, planFactsOf, servicesFetchedTwice, splitFetch } from '../../gateway/parallelPlan.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const sdl = readFileSync(path.join(root, 'schema/supergraph.graphql'), 'utf8');
const supergraph = Supergraph.build(sdl);
const planner = new QueryPlanner(supergraph);
const keys = entityKeysOf(sdl);
const facts = planFactsOf(sdl);

const planFor = (query: string): QueryPlan => planner.buildQueryPlan(operationFromDocument(supergraph.apiSchema(), parse(query)));

/** Every fetch of a plan, in plan order, with the path it runs at. */
function fetches(node: PlanNode | SubscriptionNode | undefined, at: (string | number)[] = [], out: { service: string; path: string; operation: string; fetch: FetchNode }[] = []) {
  if (!node) return out;
  if (node.kind === 'Fetch') out.push({ service: node.serviceName, path: at.join('.'), operation: node.operation, fetch: node });
  else if (node.kind === 'Flatten') fetches(node.node, node.path, out);
  else if (node.kind === 'Sequence' || node.kind === 'Parallel') for (const n of node.nodes) fetches(n, at, out);
  return out;
}
/** A plan's shape: S(…) for sequences, P(…) for parallels, service@path for fetches. */
function shape(node: PlanNode | SubscriptionNode | undefined): string {
  if (!node) return '';
  if (node.kind === 'Fetch') return `${node.serviceName}@`;
  if (node.kind === 'Flatten') return `${(node.node as FetchNode).serviceName}@${node.path.join('.')}`;
  if (node.kind === 'Sequence') return `S(${node.nodes.map(shape).join(', ')})`;
  if (node.kind === 'Parallel') return `P(${node.nodes.map(shape).join(', ')})`;
  return node.kind;
}
const compact = (op: string) => print(parse(op)).replace(/\s+/g, ' ');

const OPEN = '[ACKNOWLEDGED, IN_PROGRESS, PENDING]';
const CUSTOMER_360 = `query Customer360($n: String!) { customerByServiceNumber(serviceNumber: $n) {
  id name balance { amount currency }
  accounts { accountNumber bills(last: 3) { period } }
  serviceLines { serviceNumber status networkStatus { operState } }
  tickets(status: ${OPEN}) { id } } }`;

describe('entityKeysOf', () => {
  it('reads each subgraph\'s resolvable keys from the supergraph', () => {
    expect(keys.get('billing')?.get('Customer')).toEqual([['id']]);
    expect(keys.get('customer-service')?.get('Customer')).toEqual([['id']]);
    expect(keys.get('network')?.get('ServiceLine')).toEqual([['serviceNumber']]);
    expect(keys.get('billing')?.get('ServiceLine')).toEqual([['serviceNumber']]);
  });

  it('leaves out keys marked resolvable: false and nested keys', () => {
    const k = entityKeysOf(`
      enum join__Graph { A @join__graph(name: "a", url: "http://a") B @join__graph(name: "b", url: "http://b") }
      type T @join__type(graph: A, key: "id") @join__type(graph: B, key: "id", resolvable: false) { id: ID! }
      type U @join__type(graph: A, key: "x { y }") @join__type(graph: B, key: "a b") { a: ID! }`);
    expect(k.get('a')?.get('T')).toEqual([['id']]);
    expect(k.get('b')?.get('T')).toBeUndefined();
    expect(k.get('a')?.get('U')).toBeUndefined();
    expect(k.get('b')?.get('U')).toEqual([['a', 'b']]);
  });
});

describe('parallelizePlan', () => {
  it('customer 360: billing keeps only what the CRM and the NMS wait for; balances and bills run beside them', () => {
    const before = planFor(CUSTOMER_360);
    expect(shape(before.node)).toBe('S(billing@, P(customer-service@customerByServiceNumber, network@customerByServiceNumber.serviceLines.@))');
    const after = parallelizePlan(before, facts);
    expect(shape(after.node)).toBe(
      'S(billing@, P(billing@customerByServiceNumber, customer-service@customerByServiceNumber, network@customerByServiceNumber.serviceLines.@))',
    );
    const [root, moved] = fetches(after.node);
    expect(compact(root!.operation)).toBe(
      'query Customer360__billing__0($n: String!) { customerByServiceNumber(serviceNumber: $n) { __typename id serviceLines { __typename serviceNumber status } } }',
    );
    expect(compact(moved!.operation)).toBe(
      'query Customer360__billing__0__parallel_0($representations: [_Any!]!) { _entities(representations: $representations) { ... on Customer { balance { amount currency } accounts { accountNumber bills(last: 3) { period } } } } }',
    );
    expect(moved!.fetch.requires).toEqual([{ kind: 'InlineFragment', typeCondition: 'Customer', selections: [{ kind: 'Field', name: '__typename' }, { kind: 'Field', name: 'id' }] }]);
    expect(moved!.fetch.variableUsages).toEqual([]);
    expect(root!.fetch.variableUsages).toEqual(['n']);
    // The plan the planner made is left as it was (the store rewrites a copy in place).
    expect(shape(before.node)).toBe('S(billing@, P(customer-service@customerByServiceNumber, network@customerByServiceNumber.serviceLines.@))');
  });

  it('fifty customers: lists of entities stay as planned (the moved fetch would carry fifty representations twice)', () => {
    const plan = planFor(`query List($p: String!) { customers(filter: { province: $p }, first: 50) { edges { node {
        id name region { province } tickets(status: ${OPEN}) { id }
        accounts { accountNumber balances { type } } serviceLines { serviceNumber networkStatus { operState } } } } } }`);
    expect(shape(parallelizePlan(plan, facts).node)).toBe(shape(plan.node));
    expect(shape(plan.node)).toBe('S(customer-service@, billing@customers.edges.@.node, network@customers.edges.@.node.serviceLines.@)');
  });

  it('splits an entity fetch (not only a root fetch) of one entity: a ticket\'s customer', () => {
    const plan = parallelizePlan(
      planFor(`query T($id: ID!) { ticket(id: $id) { id customer { id balance { amount } serviceLines { serviceNumber networkStatus { operState } } } } }`),
      facts,
    );
    expect(shape(plan.node)).toBe('S(customer-service@, billing@ticket.customer, P(billing@ticket.customer, network@ticket.customer.serviceLines.@))');
    const all = fetches(plan.node);
    expect(compact(all[1]!.operation)).toContain('... on Customer { serviceLines { __typename serviceNumber } }');
    expect(compact(all[2]!.operation)).toContain('... on Customer { balance { amount } }');
    // The moved fetch keeps the representation of the fetch it came from.
    expect(all[2]!.fetch.requires).toEqual(all[1]!.fetch.requires);
  });

  it('moves a variable with the fields that use it, and the fetch that stays declares only what it still uses', () => {
    const plan = parallelizePlan(
      planFor(`query V($n: String!, $last: Int!, $open: [TicketStatus!]) { customerByServiceNumber(serviceNumber: $n) {
        id accounts { bills(last: $last) { period } } tickets(status: $open) { id } serviceLines { serviceNumber networkStatus { operState } } } }`),
      facts,
    );
    const [root, moved] = fetches(plan.node);
    expect(root!.fetch.variableUsages).toEqual(['n']);
    expect(compact(root!.operation)).toMatch(/^query V__billing__0\(\$n: String!\) \{/);
    expect(moved!.fetch.variableUsages).toEqual(['last']);
    expect(compact(moved!.operation)).toMatch(/^query V__billing__0__parallel_0\(\$representations: \[_Any!\]!, \$last: Int!\) \{/);
  });

  it('moves only what makes legacy calls of its own (@cost(weight: 10)): accounts read with the customer stay, their bills move', () => {
    const q = (accounts: string) =>
      planFor(`query A($n: String!) { customerByServiceNumber(serviceNumber: $n) { id accounts { ${accounts} } serviceLines { serviceNumber networkStatus { operState } } } }`);
    const plain = q('accountNumber type');
    expect(shape(parallelizePlan(plain, facts).node)).toBe(shape(plain.node));
    const all = fetches(parallelizePlan(q('accountNumber bills(last: 1) { period }'), facts).node);
    expect(all.map((f) => f.service)).toEqual(['billing', 'billing', 'network']);
    expect(compact(all[1]!.operation)).toContain('... on Customer { accounts { accountNumber bills(last: 1) { period } } }');
  });

  it('leaves an outage as planned when what the later fetches wait for (its page of lines) is a legacy call of its own', () => {
    const outage = planFor(`query O($id: ID!) { outage(id: $id) { id rootCauseAlarms { id element { name } }
      affectedServiceLines(first: 20) { edges { node { serviceNumber customer { id name } } } } } }`);
    expect(shape(outage.node)).toBe('S(network@, billing@outage.affectedServiceLines.edges.@.node, customer-service@outage.affectedServiceLines.edges.@.node.customer)');
    expect(shape(parallelizePlan(outage, facts).node)).toBe(shape(outage.node));
  });

  it('reads which fields make legacy calls from @cost in the supergraph', () => {
    expect(facts.fields.get('Customer')?.get('balance')).toEqual({ type: 'Money', legacyCall: true });
    expect(facts.fields.get('Customer')?.get('accounts')).toEqual({ type: 'BillingAccount', legacyCall: false });
    expect(facts.fields.get('BillingAccount')?.get('bills')).toEqual({ type: 'Bill', legacyCall: true });
    expect(facts.fields.get('ServiceLine')?.get('networkStatus')).toEqual({ type: 'NetworkStatus', legacyCall: false });
  });

  it('leaves a plan alone when nothing waits on the fetch, or when what the others wait on is all it has', () => {
    const single = planFor('query One($n: String!) { customerByServiceNumber(serviceNumber: $n) { id accounts { accountNumber bills(last: 1) { period } } } }');
    expect(shape(parallelizePlan(single, facts).node)).toBe('billing@');
    // Nothing to move: the very same plan object, untouched.
    expect(parallelizePlan(single, facts)).toBe(single);
    const scalarsOnly = planFor('query Two($n: String!) { customerByServiceNumber(serviceNumber: $n) { id name serviceLines { serviceNumber networkStatus { operState } } } }');
    expect(shape(parallelizePlan(scalarsOnly, facts).node)).toBe(shape(scalarsOnly.node));
  });

  it('never moves a field a later fetch goes through or requires, nor a key', () => {
    const plan = parallelizePlan(planFor(CUSTOMER_360), facts);
    const root = fetches(plan.node)[0]!;
    expect(compact(root.operation)).toContain('serviceLines { __typename serviceNumber status }');
    expect(compact(root.operation)).toContain('__typename id');
  });

  it('splits only query fetches without fragments or data rewrites', () => {
    const base = planFor(CUSTOMER_360);
    const seq = base.node as { nodes: PlanNode[] };
    const first = seq.nodes[0] as FetchNode;
    const later = seq.nodes.slice(1);
    expect(splitFetch(first, later, facts)).toBeDefined();
    expect(splitFetch({ ...first, operationKind: 'mutation' as never }, later, facts)).toBeUndefined();
    expect(splitFetch({ ...first, outputRewrites: [{ kind: 'KeyRenamer', path: ['a'], renameKeyTo: 'b' }] }, later, facts)).toBeUndefined();
    const withFragment = { ...first, operation: `${first.operation}\nfragment F on Customer { id }` };
    expect(splitFetch(withFragment, later, facts)).toBeUndefined();
    expect(splitFetch(first, later, { keys: new Map(), fields: facts.fields })).toBeUndefined();
  });
});

describe('servicesFetchedTwice (who gets x-query-id)', () => {
  it('names the subgraphs a plan asks more than once, and none for a plan as the planner made it', () => {
    const plan = planFor(CUSTOMER_360);
    expect([...servicesFetchedTwice(plan)]).toEqual([]);
    const parallel = parallelizePlan(planFor(CUSTOMER_360), facts);
    expect([...servicesFetchedTwice(parallel)]).toEqual(['billing']);
    expect(servicesFetchedTwice(parallel)).toBe(servicesFetchedTwice(parallel));
  });
});

describe('ParallelPlanStore', () => {
  it('rewrites a plan as it is stored, in place (the gateway runs the object it stored), and forgets plans on a new supergraph', async () => {
    const store = new ParallelPlanStore(2);
    store.useSupergraph(sdl);
    const plan = planFor(CUSTOMER_360);
    await store.set('a', plan);
    expect(shape(plan.node)).toMatch(/^S\(billing@, P\(billing@customerByServiceNumber, /);
    expect(await store.get('a')).toBe(plan);
    await store.set('b', planFor(CUSTOMER_360));
    await store.set('c', planFor(CUSTOMER_360));
    expect(await store.get('a')).toBeUndefined();
    store.useSupergraph(sdl);
    expect(await store.get('c')).toBeUndefined();
  });

  it('stores plans as they are when turned off (GATEWAY_PARALLEL_PLANS=false)', async () => {
    const store = new ParallelPlanStore(10, false);
    store.useSupergraph(sdl);
    const plan = planFor(CUSTOMER_360);
    const before = shape(plan.node);
    await store.set('a', plan);
    expect(shape((await store.get('a'))!.node)).toBe(before);
  });
});
