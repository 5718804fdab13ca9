import type { ApolloServerPlugin } from '@apollo/server';
import {
  getNamedType,
  getOperationAST,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FieldNode,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import pino from 'pino';
import type { Viewer } from '../lib/viewer.js';
import type { GatewayContext } from './context.js';

/**
 * The audit trail (docs/security.md, "Audit"): one JSON line per customer record a request reads,
 * naming the viewer, the customer, the fields, the operation, the time and the result.
 *
 * How the gateway knows which customers an answer holds without asking any subgraph for more:
 * before planning, every selection set on `Customer` gets one extra field, `__auditN: id`, where N
 * indexes the list of fields that selection set asks for. The answer then carries, on every
 * customer object, its id and (through N) what was read of it; the plugin takes these fields out
 * before the answer leaves and writes the lines after it has been sent.
 */

export const AUDITED_TYPE = 'Customer';
const MARKER = '__audit';

export interface AuditLine {
  readonly kind: 'audit';
  readonly time: string;
  readonly requestId: string;
  readonly viewer: { readonly sub: string; readonly roles: readonly string[]; readonly region: Viewer['region'] };
  readonly customerId: string;
  readonly fields: readonly string[];
  readonly operation: string | null;
  readonly operationType: 'query' | 'mutation' | 'subscription';
  /** `returned`: the record was in the answer; `refused`: outside the viewer's scope or role; `failed`: a system could not answer. */
  readonly result: 'returned' | 'refused' | 'failed';
}

/** Where audit lines go. */
export interface AuditSink {
  write(line: AuditLine): void;
  close(): Promise<void>;
}

/** How long audit lines may wait to be written together: one write per interval, not one per request. */
export const AUDIT_FLUSH_MS = 100;

/**
 * `AUDIT_LOG`: `stdout`, `off`, or a file path (appended, created with its folder). Lines are
 * gathered and written together every {@link AUDIT_FLUSH_MS} ms, asynchronously: a write per
 * request cost the customer 360 about 15 % of its throughput on a two-core machine.
 */
export function createAuditSink(setting: string): AuditSink | undefined {
  if (setting === 'off') return undefined;
  const dest = setting === 'stdout' ? pino.destination({ dest: 1, sync: false }) : pino.destination({ dest: setting, append: true, mkdir: true, sync: false });
  let pending: AuditLine[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    const lines = pending;
    pending = [];
    if (lines.length) dest.write(lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  };
  return {
    write(line) {
      pending.push(line);
      if (!timer) {
        timer = setTimeout(flush, AUDIT_FLUSH_MS);
        timer.unref();
      }
    },
    async close() {
      if (timer) clearTimeout(timer);
      flush();
      await new Promise<void>((resolve) => {
        if (setting === 'stdout') {
          dest.flush(() => resolve());
          return;
        }
        dest.once('close', () => resolve());
        dest.once('error', () => resolve());
        dest.end();
      });
    },
  };
}

/** A document with its Customer selection sets marked, and the field names of each marker. */
export interface MarkedDocument {
  readonly document: DocumentNode;
  readonly fieldsOf: readonly (readonly string[])[];
  /**
   * The response keys of the fields under which a marker can appear: the only ones the answer is
   * walked through (fifty customers' accounts, bills and lines need not be).
   */
  readonly descend: ReadonlySet<string>;
}

/** Response keys (alias or name) of every field whose selection, fragments included, holds a marker somewhere below. */
function keysLeadingToMarkers(document: DocumentNode): Set<string> {
  const fragments = new Map<string, SelectionSetNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d.selectionSet);
  const memo = new Map<SelectionSetNode, boolean>();
  const hasMarker = (set: SelectionSetNode): boolean => {
    const known = memo.get(set);
    if (known !== undefined) return known;
    memo.set(set, false); // a fragment cycle (refused by validation anyway) ends here
    let found = false;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) found = sel.alias?.value.startsWith(MARKER) === true || (sel.selectionSet !== undefined && hasMarker(sel.selectionSet));
      else if (sel.kind === Kind.INLINE_FRAGMENT) found = hasMarker(sel.selectionSet);
      else {
        const f = fragments.get(sel.name.value);
        found = f !== undefined && hasMarker(f);
      }
      if (found) break;
    }
    memo.set(set, found);
    return found;
  };
  const keys = new Set<string>();
  const visited = new Set<SelectionSetNode>();
  const collect = (set: SelectionSetNode): void => {
    if (visited.has(set)) return;
    visited.add(set);
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        if (sel.selectionSet && hasMarker(sel.selectionSet)) {
          keys.add(sel.alias?.value ?? sel.name.value);
          collect(sel.selectionSet);
        }
      } else if (sel.kind === Kind.INLINE_FRAGMENT) collect(sel.selectionSet);
      else {
        const f = fragments.get(sel.name.value);
        if (f) collect(f);
      }
    }
  };
  for (const d of document.definitions) if (d.kind === Kind.OPERATION_DEFINITION || d.kind === Kind.FRAGMENT_DEFINITION) collect(d.selectionSet);
  return keys;
}

const idField = (alias: string): FieldNode => ({ kind: Kind.FIELD, alias: { kind: Kind.NAME, value: alias }, name: { kind: Kind.NAME, value: 'id' } });

/** Adds `__auditN: id` to every selection set on {@link AUDITED_TYPE}; undefined when there is none. */
export function markCustomerSelections(schema: GraphQLSchema, document: DocumentNode): MarkedDocument | undefined {
  if (!schema.getType(AUDITED_TYPE)) return undefined;
  const typeInfo = new TypeInfo(schema);
  const fieldsOf: string[][] = [];
  const marked = visit(
    document,
    visitWithTypeInfo(typeInfo, {
      SelectionSet: {
        leave(node: SelectionSetNode) {
          // The parent type of a selection set is known on leave too: TypeInfo pops it after this call.
          const parent = typeInfo.getParentType();
          if (!parent || getNamedType(parent).name !== AUDITED_TYPE) return undefined;
          const fields = [...new Set(node.selections.flatMap((s) => (s.kind === Kind.FIELD && !s.name.value.startsWith('__') ? [s.name.value] : [])))];
          if (!fields.length && node.selections.every((s) => s.kind !== Kind.FIELD)) return undefined; // only fragments: they carry their own markers
          fieldsOf.push(fields);
          return { ...node, selections: [...node.selections, idField(`${MARKER}${fieldsOf.length - 1}`)] };
        },
      },
    }),
  );
  return fieldsOf.length ? { document: marked, fieldsOf, descend: keysLeadingToMarkers(marked) } : undefined;
}

/** What the answer said of one customer: its fields read, and how. */
interface Seen {
  fields: Set<string>;
  result: AuditLine['result'];
}

/**
 * Takes the markers out of `data` (in place) and returns the customers they mark, by id. Only the
 * keys in `descend` are walked into (all of them when it is not given).
 */
export function takeMarkers(data: unknown, fieldsOf: readonly (readonly string[])[], descend?: ReadonlySet<string>, seen = new Map<string, Seen>()): Map<string, Seen> {
  if (Array.isArray(data)) {
    for (const item of data) if (item && typeof item === 'object') takeMarkers(item, fieldsOf, descend, seen);
    return seen;
  }
  if (!data || typeof data !== 'object') return seen;
  const record = data as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const value = record[key];
    if (key.startsWith(MARKER)) {
      delete record[key];
      const fields = fieldsOf[Number(key.slice(MARKER.length))];
      if (typeof value !== 'string' || !fields) continue;
      const entry = seen.get(value) ?? { fields: new Set<string>(), result: 'returned' as const };
      for (const f of fields) entry.fields.add(f);
      seen.set(value, entry);
    } else if (value && typeof value === 'object' && (descend === undefined || descend.has(key))) {
      takeMarkers(value, fieldsOf, descend, seen);
    }
  }
  return seen;
}

/**
 * Customers the answer does not hold but the request asked about: a FORBIDDEN error naming a
 * `customerId` (refused), and a root look-up by `id` answered null with an error (failed).
 */
function customersNotReturned(operation: OperationDefinitionNode | undefined, variables: Record<string, unknown> | undefined, data: Record<string, unknown> | null | undefined, errors: readonly GraphQLFormattedError[], seen: Map<string, Seen>): void {
  for (const error of errors) {
    const id = error.extensions?.customerId;
    if (typeof id === 'string' && !seen.has(id) && error.extensions?.code === 'FORBIDDEN') seen.set(id, { fields: new Set(), result: 'refused' });
  }
  for (const selection of operation?.selectionSet.selections ?? []) {
    if (selection.kind !== Kind.FIELD || selection.name.value !== 'customer') continue;
    const key = selection.alias?.value ?? selection.name.value;
    if (data && data[key] !== null) continue;
    const arg = selection.arguments?.find((a) => a.name.value === 'id')?.value;
    const id = arg?.kind === Kind.STRING ? arg.value : arg?.kind === Kind.VARIABLE ? variables?.[arg.name.value] : undefined;
    if (typeof id !== 'string' || seen.has(id)) continue;
    const error = errors.find((e) => e.path?.[0] === key);
    if (error) seen.set(id, { fields: new Set(), result: error.extensions?.code === 'FORBIDDEN' ? 'refused' : 'failed' });
  }
}

/**
 * The audit plugin: marks documents (remembered per schema and query, so each distinct query is
 * marked once), strips the markers from the answer, and hands the lines to the sink once the
 * answer is on its way. Without a sink it does nothing at all.
 */
export function auditPlugin(sink: AuditSink | undefined, now: () => number = Date.now): ApolloServerPlugin<GatewayContext> {
  if (!sink) return {};
  const markedBySchema = new WeakMap<GraphQLSchema, Map<string, MarkedDocument | null>>();
  return {
    async requestDidStart() {
      let marked: MarkedDocument | undefined;
      return {
        async didResolveOperation(requestContext) {
          const { schema, queryHash, document } = requestContext;
          let cache = markedBySchema.get(schema);
          if (!cache) markedBySchema.set(schema, (cache = new Map()));
          let entry = cache.get(queryHash);
          if (entry === undefined) {
            entry = markCustomerSelections(schema, document) ?? null;
            if (cache.size >= 5000) cache.clear();
            cache.set(queryHash, entry);
          }
          if (!entry) return;
          marked = entry;
          // The gateway plans from the request's document: plan the marked one. Same query hash,
          // same marking, so the gateway's plan cache stays coherent.
          const rc = requestContext as unknown as { document: DocumentNode; operation: OperationDefinitionNode | undefined };
          rc.document = entry.document;
          rc.operation = getOperationAST(entry.document, requestContext.request.operationName) ?? undefined;
        },
        async willSendResponse({ response, contextValue, operation, operationName, request }) {
          if (!marked || response.body.kind !== 'single' || !contextValue.viewer) return;
          const result = response.body.singleResult;
          const seen = takeMarkers(result.data, marked.fieldsOf, marked.descend);
          customersNotReturned(operation, request.variables, result.data, result.errors ?? [], seen);
          if (!seen.size) return;
          const { viewer, requestId } = contextValue;
          const time = new Date(now()).toISOString();
          const who = { sub: viewer.sub, roles: viewer.roles, region: viewer.region };
          const operationType = operation?.operation ?? 'query';
          for (const [customerId, s] of seen) {
            sink.write({ kind: 'audit', time, requestId, viewer: who, customerId, fields: [...s.fields].sort(), operation: operationName ?? null, operationType, result: s.result });
          }
        },
      };
    },
  };
}
