import { Kind, OperationTypeNode, parse, print, visit, type DocumentNode, type FieldNode, type OperationDefinitionNode, type SelectionNode, type SelectionSetNode, type VariableDefinitionNode } from 'graphql';
import type { FetchNode, FlattenNode, ParallelNode, PlanNode, QueryPlan, QueryPlanSelectionNode, ResponsePath } from '@apollo/query-planner';

/**
 * Legacy levels off the critical path (issue 4, "p50 within the critical-path bound").
 *
 * @apollo/gateway's planner puts everything one subgraph can resolve at a point into one fetch.
 * For the customer 360 that means: billing's root fetch reads the customer by phone number *and*
 * its balances and bills (two billing round trips, one after the other), and only then do the
 * CRM and the NMS get the customer's id and lines they need. The balances and bills are of no
 * use to them, yet they wait for them.
 *
 * This rewrites such a plan: when a fetch F is followed (in a Sequence) by fetches that depend on
 * entities F returns, the fields of those entities that no later fetch needs and that cost the
 * legacy system calls of their own (marked `@cost(weight: 10)` in their subgraph's schema, or
 * holding such a field) move out of F into an `_entities` fetch of the same subgraph, run in
 * parallel with the fetches that follow:
 *
 *     Sequence { F(billing: customer { id lines accounts{…} }), Parallel { CRM, NMS } }
 *  →  Sequence { F'(billing: customer { id lines }), Parallel { billing _entities(customer){ accounts{…} }, CRM, NMS } }
 *
 * The moved fetch re-resolves the entity by its key in the same subgraph; the subgraph answers it
 * from what the same client request's first fetch read (`x-query-id`, sent to the subgraphs a plan
 * asks twice; subgraphs/shared/requestMemory.ts), so that costs no second legacy read.
 * The answer is unchanged: the gateway shapes the response from the operation, not the fetches.
 *
 * Conservative by construction: only query fetches, no fragments in the subgraph operation, no
 * data rewrites, no @defer; a field that a later fetch's path passes through, that a later fetch
 * requires, or that is a key, stays where it was.
 *
 * Only single entities are split, never the entities of a list: the moved fetch carries every
 * entity's representation out and its answer back, one more time, and for fifty customers that
 * CPU outweighed the latency won (`npm run bench`, 5 s phases, fifty customers of a province:
 * p50 at concurrency 1 went from ~240 to ~200 ms, but throughput fell to 0.75× of the peer's at
 * concurrency 10 and 0.55× at 50, where the unsplit plan is at parity). The customer 360 — the
 * call-centre agent's query — is one customer: p50 ~100 → ~75 ms at no loss of throughput.
 */

/** Per subgraph name, per entity type: the field names of its resolvable keys with flat fields only. */
export type EntityKeys = ReadonlyMap<string, ReadonlyMap<string, readonly (readonly string[])[]>>;

/** A field's named return type, and whether it makes a legacy call of its own (`@cost(weight: ≥ 10)`). */
export interface FieldFact {
  readonly type: string;
  readonly legacyCall: boolean;
}

/** What the rewrite reads from the supergraph: entity keys per subgraph, and every field's return type and cost. */
export interface PlanFacts {
  readonly keys: EntityKeys;
  readonly fields: ReadonlyMap<string, ReadonlyMap<string, FieldFact>>;
}

/**
 * The `@cost` weight from which a field counts as making a legacy call of its own (a subgraph
 * marks such fields `@cost(weight: 10)`; docs/adding-a-subgraph.md). Only fields whose selection
 * holds one are moved: a field answered from the record its entity was read with gains nothing
 * from moving and would cost a fetch.
 */
export const LEGACY_CALL_COST = 10;

const namedType = (t: { kind: string; type?: unknown; name?: { value: string } }): string => (t.kind === Kind.NAMED_TYPE ? t.name!.value : namedType(t.type as never));

/** Reads {@link PlanFacts} from a supergraph SDL. */
export function planFactsOf(supergraphSdl: string): PlanFacts {
  const doc = parse(supergraphSdl);
  const fields = new Map<string, Map<string, FieldFact>>();
  for (const def of doc.definitions) {
    if (def.kind !== Kind.OBJECT_TYPE_DEFINITION && def.kind !== Kind.INTERFACE_TYPE_DEFINITION && def.kind !== Kind.OBJECT_TYPE_EXTENSION && def.kind !== Kind.INTERFACE_TYPE_EXTENSION) continue;
    const byName = fields.get(def.name.value) ?? new Map<string, FieldFact>();
    fields.set(def.name.value, byName);
    for (const f of def.fields ?? []) {
      const cost = f.directives?.find((d) => d.name.value === 'cost');
      const weight = cost?.arguments?.find((a) => a.name.value === 'weight')?.value;
      const legacyCall = weight?.kind === Kind.INT && Number(weight.value) >= LEGACY_CALL_COST;
      byName.set(f.name.value, { type: namedType(f.type), legacyCall: legacyCall || byName.get(f.name.value)?.legacyCall === true });
    }
  }
  return { keys: entityKeysOf(doc), fields };
}

/** Whether a selection of a field of `typeName` holds a field that makes a legacy call of its own. */
function makesLegacyCall(facts: PlanFacts, typeName: string, field: FieldNode): boolean {
  const fact = facts.fields.get(typeName)?.get(field.name.value);
  if (!fact) return true; // unknown: assume the worst
  if (fact.legacyCall) return true;
  const inner = (set: SelectionSetNode | undefined, type: string): boolean =>
    (set?.selections ?? []).some((s) =>
      s.kind === Kind.FIELD ? s.name.value !== '__typename' && makesLegacyCall(facts, type, s) : s.kind === Kind.INLINE_FRAGMENT ? inner(s.selectionSet, s.typeCondition?.name.value ?? type) : true,
    );
  return inner(field.selectionSet, fact.type);
}

const stringArg = (d: { arguments?: readonly { name: { value: string }; value: { kind: string; value?: unknown } }[] }, name: string) => {
  const a = d.arguments?.find((x) => x.name.value === name);
  return a && (a.value.kind === Kind.STRING || a.value.kind === Kind.ENUM || a.value.kind === Kind.BOOLEAN) ? (a.value.value as string | boolean) : undefined;
};

/** Reads the entity keys each subgraph resolves from a supergraph's `@join__graph`/`@join__type` directives. */
export function entityKeysOf(supergraph: string | DocumentNode): EntityKeys {
  const doc = typeof supergraph === 'string' ? parse(supergraph) : supergraph;
  const graphNames = new Map<string, string>();
  for (const def of doc.definitions) {
    if (def.kind !== Kind.ENUM_TYPE_DEFINITION || def.name.value !== 'join__Graph') continue;
    for (const v of def.values ?? []) {
      const d = v.directives?.find((x) => x.name.value === 'join__graph');
      const name = d && stringArg(d, 'name');
      if (typeof name === 'string') graphNames.set(v.name.value, name);
    }
  }
  const out = new Map<string, Map<string, string[][]>>();
  for (const def of doc.definitions) {
    if (def.kind !== Kind.OBJECT_TYPE_DEFINITION && def.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    for (const d of def.directives ?? []) {
      if (d.name.value !== 'join__type') continue;
      const graphArg = d.arguments?.find((a) => a.name.value === 'graph');
      const graph = graphArg?.value.kind === Kind.ENUM ? graphNames.get(graphArg.value.value) : undefined;
      const key = stringArg(d, 'key');
      if (!graph || typeof key !== 'string' || stringArg(d, 'resolvable') === false) continue;
      // Only flat keys ("id", "a b"): a nested key is left alone.
      if (/[{}]/.test(key)) continue;
      const fields = key.trim().split(/[\s,]+/).filter(Boolean);
      if (!fields.length) continue;
      const types = out.get(graph) ?? new Map<string, string[][]>();
      out.set(graph, types);
      const list = types.get(def.name.value) ?? [];
      types.set(def.name.value, list);
      list.push(fields);
    }
  }
  return out;
}

interface LaterFetch {
  /** The Flatten path as the plan writes it (with `@` list markers). */
  readonly flattenPath: ResponsePath;
  /** The same without the markers. */
  readonly path: readonly string[];
  readonly requires?: readonly QueryPlanSelectionNode[];
}

const responseName = (f: FieldNode) => f.alias?.value ?? f.name.value;
const stripMarkers = (path: ResponsePath): string[] => path.filter((p): p is string => typeof p === 'string' && p !== '@');
const startsWith = (path: readonly string[], prefix: readonly string[]) => prefix.length <= path.length && prefix.every((p, i) => path[i] === p);

/**
 * Calls `visit` for every fetch under `n` with the Flatten path it runs at. Answers false when the
 * plan holds a @defer (walked all the same): such plans are not rewritten here.
 */
function eachFetch(n: PlanNode | undefined, visit: (fetch: FetchNode, flattenPath: ResponsePath) => void, path: ResponsePath = []): boolean {
  if (!n) return true;
  switch (n.kind) {
    case 'Fetch':
      visit(n, path);
      return true;
    case 'Flatten':
      return eachFetch(n.node, visit, n.path);
    case 'Sequence':
    case 'Parallel':
      return n.nodes.map((c) => eachFetch(c, visit, path)).every(Boolean);
    case 'Condition':
      return [eachFetch(n.ifClause, visit, path), eachFetch(n.elseClause, visit, path)].every(Boolean);
    case 'Defer':
      eachFetch(n.primary.node, visit, path);
      for (const d of n.deferred) eachFetch(d.node, visit, path);
      return false;
  }
}

/** Every fetch in the nodes, with its path; undefined when the nodes hold a @defer. */
function laterFetches(nodes: readonly PlanNode[]): LaterFetch[] | undefined {
  const out: LaterFetch[] = [];
  const understood = nodes.map((n) => eachFetch(n, (f, flattenPath) => out.push({ flattenPath, path: stripMarkers(flattenPath), ...(f.requires ? { requires: f.requires } : {}) }))).every(Boolean);
  return understood ? out : undefined;
}

/** The field names a `requires` selection names at its top level (inside its type condition). */
function requiredNames(requires: readonly QueryPlanSelectionNode[]): Set<string> {
  const names = new Set<string>();
  for (const s of requires) {
    if (s.kind === 'Field') names.add(s.alias ?? s.name);
    else for (const f of s.selections) if (f.kind === 'Field') names.add(f.alias ?? f.name);
  }
  return names;
}

function variablesIn(node: SelectionNode | SelectionSetNode | readonly SelectionNode[]): Set<string> {
  const names = new Set<string>();
  const visitOne = (n: SelectionNode | SelectionSetNode) =>
    visit(n, {
      Variable(v) {
        names.add(v.name.value);
      },
    });
  if (Array.isArray(node)) (node as readonly SelectionNode[]).forEach(visitOne);
  else visitOne(node as SelectionNode);
  return names;
}

/** A point in F's selection where an entity of F's subgraph is, with what a fetch of it there needs. */
interface SplitPoint {
  /** The Flatten path of the new fetch (with `@` markers, as the plan writes it). */
  readonly flattenPath: ResponsePath;
  readonly path: readonly string[];
  readonly typeName: string;
  readonly requires: readonly QueryPlanSelectionNode[];
  /** The selection set at that point in F's (cloned, mutable) operation. */
  readonly selectionSet: SelectionSetNode;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const hasFlatField = (set: SelectionSetNode, name: string) => set.selections.some((s) => s.kind === Kind.FIELD && s.name.value === name && !s.alias && !s.selectionSet && !s.directives?.length);

/** A fetch node's pieces, when it is one this module may split. */
function splittable(node: PlanNode): { fetch: FetchNode; path: ResponsePath } | undefined {
  const fetch = node.kind === 'Fetch' ? node : node.kind === 'Flatten' && node.node.kind === 'Fetch' ? node.node : undefined;
  if (!fetch || fetch.operationKind !== OperationTypeNode.QUERY || fetch.hasDefers) return undefined;
  if (fetch.inputRewrites?.length || fetch.outputRewrites?.length || fetch.contextRewrites?.length) return undefined;
  if (node.kind === 'Fetch' && fetch.requires) return undefined;
  return { fetch, path: node.kind === 'Flatten' ? node.path : [] };
}

function newFetch(base: FetchNode, name: string | undefined, point: SplitPoint, moved: readonly SelectionNode[], varDefs: readonly VariableDefinitionNode[]): FlattenNode {
  const used = variablesIn(moved);
  const doc: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: [
      {
        kind: Kind.OPERATION_DEFINITION,
        operation: OperationTypeNode.QUERY,
        ...(name ? { name: { kind: Kind.NAME, value: name } } : {}),
        variableDefinitions: [
          {
            kind: Kind.VARIABLE_DEFINITION,
            variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: 'representations' } },
            type: { kind: Kind.NON_NULL_TYPE, type: { kind: Kind.LIST_TYPE, type: { kind: Kind.NON_NULL_TYPE, type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: '_Any' } } } } },
          },
          ...varDefs.filter((d) => used.has(d.variable.name.value)),
        ],
        selectionSet: {
          kind: Kind.SELECTION_SET,
          selections: [
            {
              kind: Kind.FIELD,
              name: { kind: Kind.NAME, value: '_entities' },
              arguments: [{ kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: 'representations' }, value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: 'representations' } } }],
              selectionSet: {
                kind: Kind.SELECTION_SET,
                selections: [{ kind: Kind.INLINE_FRAGMENT, typeCondition: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: point.typeName } }, selectionSet: { kind: Kind.SELECTION_SET, selections: moved } }],
              },
            },
          ],
        },
      },
    ],
  };
  const fetch: FetchNode = {
    kind: 'Fetch',
    serviceName: base.serviceName,
    requires: [...point.requires],
    variableUsages: [...used],
    operation: print(doc),
    operationName: name,
    operationKind: OperationTypeNode.QUERY,
    ...(base.operationDocumentNode ? { operationDocumentNode: doc } : {}),
  };
  return { kind: 'Flatten', path: point.flattenPath, node: fetch };
}

/**
 * Splits one fetch given the fetches that run after it: the fetch that stays (only what later
 * fetches need, plus what costs nothing more) and the fetches that move beside them.
 */
export function splitFetch(node: PlanNode, after: readonly PlanNode[], facts: PlanFacts): { stays: PlanNode; moves: FlattenNode[] } | undefined {
  const s = splittable(node);
  if (!s) return undefined;
  const { fetch, path: fetchPath } = s;
  const later = laterFetches(after);
  if (!later?.length) return undefined;
  let doc: DocumentNode;
  try {
    // A fresh copy: the plan's own operation text is never touched.
    doc = parse(fetch.operation, { noLocation: true });
  } catch {
    return undefined;
  }
  if (doc.definitions.length !== 1 || doc.definitions[0]!.kind !== Kind.OPERATION_DEFINITION) return undefined;
  const op = doc.definitions[0] as OperationDefinitionNode;
  const serviceKeys = facts.keys.get(fetch.serviceName);
  if (!serviceKeys) return undefined;

  const points: SplitPoint[] = [];
  const base = stripMarkers(fetchPath);
  if (fetch.requires) {
    // An entity fetch: its entities are the point, with the same representation.
    const entities = op.selectionSet.selections[0];
    if (op.selectionSet.selections.length !== 1 || entities?.kind !== Kind.FIELD || entities.name.value !== '_entities' || !entities.selectionSet) return undefined;
    const fragments = entities.selectionSet.selections;
    const only = fragments[0];
    if (fragments.length !== 1 || only?.kind !== Kind.INLINE_FRAGMENT || !only.typeCondition || only.directives?.length) return undefined;
    points.push({ flattenPath: fetchPath, path: base, typeName: only.typeCondition.name.value, requires: fetch.requires, selectionSet: only.selectionSet });
  } else {
    // A root fetch: the points are the single entities of this subgraph on the way to where later
    // fetches start (the objects of F's answer that the later fetches' paths pass through).
    const seen = new Set<string>();
    for (const { flattenPath, requires } of later) {
      if (!requires) continue;
      let type = op.operation === OperationTypeNode.QUERY ? 'Query' : undefined;
      let set: SelectionSetNode | undefined = op.selectionSet;
      const prefix: ResponsePath = [];
      for (const segment of flattenPath) {
        // A list on the way: only single entities are split (module comment).
        if (segment === '@' || typeof segment === 'number' || !type || !set) break;
        const field: FieldNode | undefined = set.selections.find((x): x is FieldNode => x.kind === Kind.FIELD && responseName(x) === segment);
        if (!field?.selectionSet) break;
        prefix.push(segment);
        type = facts.fields.get(type)?.get(field.name.value)?.type;
        set = field.selectionSet;
        const path = stripMarkers(prefix);
        const id = path.join('.');
        const key = type ? serviceKeys.get(type)?.find((k) => k.every((f) => facts.fields.get(type!)?.has(f))) : undefined;
        if (!type || !key || seen.has(id)) continue;
        seen.add(id);
        // The fetch that stays answers what the moved one is asked by: the type and the key.
        const missing = ['__typename', ...key].filter((f) => !hasFlatField(set!, f));
        if (missing.length) (set as Mutable<SelectionSetNode>).selections = [...set.selections, ...missing.map((f): FieldNode => ({ kind: Kind.FIELD, name: { kind: Kind.NAME, value: f } }))];
        points.push({
          flattenPath: [...prefix],
          path,
          typeName: type,
          requires: [{ kind: 'InlineFragment', typeCondition: type, selections: [{ kind: 'Field', name: '__typename' }, ...key.map((name) => ({ kind: 'Field' as const, name }))] }],
          selectionSet: set,
        });
      }
    }
  }

  const varDefs = op.variableDefinitions ?? [];
  const moves: FlattenNode[] = [];
  let index = 0;
  for (const point of points) {
    // Single entities only (see the module comment): no list on the way to the point.
    if (point.flattenPath.includes('@')) continue;
    // Worth it only when something later waits on this point or below it.
    if (!later.some((l) => startsWith(l.path, point.path))) continue;
    const keyNames = new Set(serviceKeys.get(point.typeName)?.flat() ?? []);
    const required = new Set<string>();
    for (const l of later) if (l.requires && l.path.length === point.path.length && startsWith(l.path, point.path)) for (const n of requiredNames(l.requires)) required.add(n);
    const moved: SelectionNode[] = [];
    const kept: SelectionNode[] = [];
    for (const sel of point.selectionSet.selections) {
      const movable =
        sel.kind === Kind.FIELD &&
        sel.selectionSet !== undefined &&
        makesLegacyCall(facts, point.typeName, sel) &&
        !sel.name.value.startsWith('__') &&
        !keyNames.has(sel.name.value) &&
        !required.has(responseName(sel)) &&
        !later.some((l) => startsWith(l.path, [...point.path, responseName(sel)]));
      (movable ? moved : kept).push(sel);
    }
    if (!moved.length) continue;
    // Worth it only when what stays comes with the entity's own record: a field that stays and
    // makes a legacy call of its own (an outage's page of lines) runs its call beside the moved
    // ones anyway, and the later fetches wait for it all the same.
    if (kept.some((k) => k.kind === Kind.FIELD && k.selectionSet !== undefined && makesLegacyCall(facts, point.typeName, k))) continue;
    (point.selectionSet as Mutable<SelectionSetNode>).selections = kept;
    const name = fetch.operationName ? `${fetch.operationName}__parallel_${index++}` : undefined;
    moves.push(newFetch(fetch, name, point, moved, varDefs));
  }
  if (!moves.length) return undefined;

  // What stays declares only the variables it still uses (subgraphs refuse unused ones).
  const stillUsed = variablesIn(op.selectionSet);
  if (fetch.requires) stillUsed.add('representations');
  (op as Mutable<OperationDefinitionNode>).variableDefinitions = varDefs.filter((d) => stillUsed.has(d.variable.name.value));
  const staying: FetchNode = {
    ...fetch,
    operation: print(doc),
    variableUsages: (fetch.variableUsages ?? []).filter((v) => stillUsed.has(v)),
    ...(fetch.operationDocumentNode ? { operationDocumentNode: doc } : {}),
  };
  return { stays: node.kind === 'Flatten' ? { ...node, node: staying } : staying, moves };
}

function parallel(moves: readonly PlanNode[], tail: PlanNode): ParallelNode {
  return { kind: 'Parallel', nodes: [...moves, ...(tail.kind === 'Parallel' ? tail.nodes : [tail])] };
}

function rewriteSequence(nodes: readonly PlanNode[], after: readonly PlanNode[], facts: PlanFacts): PlanNode[] {
  if (!nodes.length) return [];
  const [first, ...rest] = nodes as [PlanNode, ...PlanNode[]];
  const split = rest.length ? splitFetch(first, [...rest, ...after], facts) : undefined;
  if (split) {
    const tailNodes = rewriteSequence(rest, after, facts);
    const tail: PlanNode = tailNodes.length === 1 ? tailNodes[0]! : { kind: 'Sequence', nodes: tailNodes };
    return [split.stays, parallel(split.moves, tail)];
  }
  return [rewrite(first, [...rest, ...after], facts), ...rewriteSequence(rest, after, facts)];
}

const sameNodes = (a: readonly PlanNode[], b: readonly PlanNode[]) => a.length === b.length && a.every((n, i) => n === b[i]);

/** The node rewritten, or the very same node when nothing in it changed. */
function rewrite(node: PlanNode, after: readonly PlanNode[], facts: PlanFacts): PlanNode {
  switch (node.kind) {
    case 'Sequence': {
      const nodes = rewriteSequence(node.nodes, after, facts);
      if (sameNodes(nodes, node.nodes)) return node;
      return nodes.length === 1 ? nodes[0]! : { kind: 'Sequence', nodes };
    }
    case 'Parallel': {
      const nodes = node.nodes.map((n) => rewrite(n, after, facts));
      return sameNodes(nodes, node.nodes) ? node : { kind: 'Parallel', nodes };
    }
    default:
      return node;
  }
}

/** The plan with legacy levels moved off the critical path where that is safe (see the module comment); the same plan otherwise. */
export function parallelizePlan(plan: QueryPlan, facts: PlanFacts): QueryPlan {
  const node = plan.node;
  if (!node || node.kind === 'Subscription') return plan;
  try {
    const rewritten = rewrite(node, [], facts);
    return rewritten === node ? plan : { ...plan, node: rewritten };
  } catch {
    // A plan shape not foreseen here runs as the planner made it.
    return plan;
  }
}

/**
 * The subgraphs a plan fetches from more than once: only their fetches carry the request's
 * `x-query-id`, so a subgraph remembers what a request read only when the request will ask it
 * again (subgraphs/shared/requestMemory.ts). Computed once per plan.
 */
export function servicesFetchedTwice(plan: QueryPlan): ReadonlySet<string> {
  let found = repeated.get(plan);
  if (found) return found;
  const seen = new Set<string>();
  const twice = new Set<string>();
  const count = (f: FetchNode) => {
    if (seen.has(f.serviceName)) twice.add(f.serviceName);
    seen.add(f.serviceName);
  };
  const root = plan.node;
  if (root?.kind === 'Subscription') {
    count(root.primary);
    eachFetch(root.rest, count);
  } else eachFetch(root, count);
  found = twice;
  repeated.set(plan, found);
  return found;
}
const repeated = new WeakMap<QueryPlan, ReadonlySet<string>>();

/**
 * @apollo/gateway's query plan store (`queryPlannerConfig.cache`): bounded, least recently used
 * first out, and each plan stored is rewritten by {@link parallelizePlan} — in place, because the
 * gateway executes the very object it stores. Entity keys and field costs come from the supergraph in use ({@link ParallelPlanStore.useSupergraph} on every load).
 */
export class ParallelPlanStore {
  private readonly plans = new Map<string, QueryPlan>();
  private facts: PlanFacts = { keys: new Map(), fields: new Map() };

  constructor(
    private readonly maxPlans = 1000,
    private readonly enabled = true,
  ) {}

  useSupergraph(sdl: string): void {
    this.facts = planFactsOf(sdl);
    this.plans.clear();
  }

  async get(key: string): Promise<QueryPlan | undefined> {
    const plan = this.plans.get(key);
    if (plan) {
      this.plans.delete(key);
      this.plans.set(key, plan);
    }
    return plan;
  }

  async set(key: string, plan: QueryPlan): Promise<void> {
    if (this.enabled) {
      const rewritten = parallelizePlan(plan, this.facts);
      if (rewritten !== plan) Object.assign(plan, rewritten);
    }
    this.plans.delete(key);
    this.plans.set(key, plan);
    while (this.plans.size > this.maxPlans) this.plans.delete(this.plans.keys().next().value!);
  }

  async delete(key: string): Promise<boolean> {
    return this.plans.delete(key);
  }

  clear(): void {
    this.plans.clear();
  }
}
