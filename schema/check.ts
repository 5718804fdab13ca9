import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Supergraph } from '@apollo/federation-internals';
import { CriticalityLevel, diff, type Change } from '@graphql-inspector/core';
import type { GraphQLSchema } from 'graphql';
import { compose, readSubgraphList, SUPERGRAPH_CONFIG, SUPERGRAPH_FILE, type SubgraphEntry } from './compose.js';

/**
 * `npm run schema:check`: composes the subgraphs of `schema/supergraph.yaml` and compares the
 * public (API) schema that results with the committed `schema/supergraph.graphql`. Composition
 * errors are printed with the subgraph(s), the type or field and a hint; a breaking change fails
 * (exit 1) unless `--allow-breaking` is given; dangerous and safe changes are listed.
 *
 * Options: `--allow-breaking`, `--config=<supergraph.yaml>`, `--against=<supergraph.graphql>`.
 */

/**
 * graphql as CommonJS, the copy that inspector and federation-internals (loaded by Node, not by a
 * bundler) use: under vitest an `import 'graphql'` here would be the ESM build, another realm,
 * and inspector's `instanceof` checks would fail on the schemas we hand it.
 */
const { buildASTSchema } = createRequire(import.meta.url)('graphql') as typeof import('graphql');

/** A composition error taken apart for the reader. */
export interface CompositionProblem {
  /** Apollo's error code, e.g. `INVALID_FIELD_SHARING`. */
  readonly code: string;
  /** The subgraphs the message names. */
  readonly subgraphs: string[];
  /** The type or `Type.field` coordinates the message names. */
  readonly coordinates: string[];
  readonly message: string;
  readonly hint?: string;
}

export interface SchemaChange {
  readonly level: 'BREAKING' | 'DANGEROUS' | 'SAFE';
  /** `Customer.loyalty`, `LoyaltyTier.GOLD` … */
  readonly path?: string;
  readonly message: string;
  /** Why inspector rates it so, when it says. */
  readonly reason?: string;
}

export type CheckResult =
  | { readonly ok: false; readonly stage: 'composition'; readonly problems: CompositionProblem[] }
  | {
      /** False when a breaking change was found and not allowed. */
      readonly ok: boolean;
      readonly stage: 'diff';
      readonly supergraphSdl: string;
      readonly breaking: SchemaChange[];
      readonly dangerous: SchemaChange[];
      readonly safe: SchemaChange[];
    };

/**
 * Takes apart one error string of {@link compose} (`[CODE] message\n    hint: …`, or
 * `name: file:line:col: …` for a file that does not parse).
 */
export function describeCompositionError(text: string): CompositionProblem {
  const [first = '', ...rest] = text.split('\n');
  const hintLine = rest.find((l) => l.trim().startsWith('hint:'));
  const coded = /^\[([A-Z_]+)\]\s*([\s\S]*)$/.exec(first);
  const message = coded ? coded[2]! : first;
  const subgraphs = new Set<string>();
  // Apollo names subgraphs as `subgraph "a"`, `subgraphs "a" and "b"`, `subgraphs "a", "b" and "c"`.
  for (const m of message.matchAll(/subgraphs? ((?:"[^"]+"(?:, | and )?)+)/g)) {
    for (const n of m[1]!.matchAll(/"([^"]+)"/g)) subgraphs.add(n[1]!);
  }
  if (!coded) {
    const owner = /^([a-z0-9-]+): /.exec(first)?.[1];
    if (owner) subgraphs.add(owner);
  }
  const coordinates = new Set<string>();
  for (const m of message.matchAll(/"([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)?(?:\([^)]*\))?)"/g)) {
    if (!subgraphs.has(m[1]!) && /^[A-Z_]/.test(m[1]!)) coordinates.add(m[1]!);
  }
  return {
    code: coded ? coded[1]! : 'INVALID_GRAPHQL',
    subgraphs: [...subgraphs],
    coordinates: [...coordinates],
    message,
    ...(hintLine ? { hint: hintLine.trim().slice('hint:'.length).trim() } : {}),
  };
}

/**
 * The API schema (what clients see: no join/link machinery, no @inaccessible) of a supergraph.
 * Rebuilt from its AST with the graphql inspector uses, so that it compares like with like
 * (`toGraphQLJSSchema()` hands back a schema of another graphql realm under vitest).
 */
export function apiSchemaOf(supergraphSdl: string): GraphQLSchema {
  return buildASTSchema(Supergraph.build(supergraphSdl).apiSchema().toAST());
}

function toChange(c: Change): SchemaChange {
  const level = c.criticality.level === CriticalityLevel.Breaking ? 'BREAKING' : c.criticality.level === CriticalityLevel.Dangerous ? 'DANGEROUS' : 'SAFE';
  return { level, message: c.message, ...(c.path ? { path: c.path } : {}), ...(c.criticality.reason ? { reason: c.criticality.reason } : {}) };
}

/** The changes from the `before` API schema to the `after` one, by criticality. */
export async function diffSupergraphs(beforeSdl: string, afterSdl: string): Promise<{ breaking: SchemaChange[]; dangerous: SchemaChange[]; safe: SchemaChange[] }> {
  const changes = (await diff(apiSchemaOf(beforeSdl), apiSchemaOf(afterSdl))).map(toChange);
  return {
    breaking: changes.filter((c) => c.level === 'BREAKING'),
    dangerous: changes.filter((c) => c.level === 'DANGEROUS'),
    safe: changes.filter((c) => c.level === 'SAFE'),
  };
}

/** Composes `entries` and compares the result with `baselineSdl` (the committed supergraph). */
export async function checkSchema(entries: SubgraphEntry[], baselineSdl: string, options: { allowBreaking?: boolean } = {}): Promise<CheckResult> {
  const composed = await compose(entries);
  if (!composed.ok) return { ok: false, stage: 'composition', problems: composed.errors.map(describeCompositionError) };
  const changes = await diffSupergraphs(baselineSdl, composed.supergraphSdl);
  return { ok: changes.breaking.length === 0 || options.allowBreaking === true, stage: 'diff', supergraphSdl: composed.supergraphSdl, ...changes };
}

function printChanges(title: string, mark: string, changes: SchemaChange[], out: (s: string) => void): void {
  if (!changes.length) return;
  out(`${title} (${changes.length}):`);
  for (const c of changes) out(`  ${mark} ${c.path ? `${c.path}: ` : ''}${c.message}${c.reason ? `\n      why: ${c.reason}` : ''}`);
  out('');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const allowBreaking = args.includes('--allow-breaking');
  const option = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const configFile = option('config') ? path.resolve(option('config')!) : SUPERGRAPH_CONFIG;
  const againstFile = option('against') ? path.resolve(option('against')!) : SUPERGRAPH_FILE;
  const entries = await readSubgraphList(configFile);
  console.log(`Composing ${entries.length} subgraphs: ${entries.map((e) => e.name).join(', ')} …`);
  const baseline = await readFile(againstFile, 'utf8').catch(() => undefined);
  if (baseline === undefined) {
    console.error(`Cannot read ${path.relative(process.cwd(), againstFile)} to compare with: run \`npm run compose\` once, or pass --against=<supergraph.graphql>.`);
    process.exit(1);
  }
  const result = await checkSchema(entries, baseline, { allowBreaking });
  if (result.stage === 'composition') {
    console.error(`Composition failed with ${result.problems.length} error(s):\n`);
    for (const p of result.problems) {
      console.error(`  ✗ [${p.code}]${p.subgraphs.length ? ` subgraph ${p.subgraphs.join(', ')}` : ''}${p.coordinates.length ? ` · at ${p.coordinates.join(', ')}` : ''}`);
      console.error(`    ${p.message.replace(/\n/g, '\n    ')}`);
      if (p.hint) console.error(`    hint: ${p.hint}`);
      console.error('');
    }
    console.error('Fix the subgraph schema(s) named above, then run `npm run schema:check` again.');
    process.exit(1);
  }
  console.log(`Composed. Comparing the API schema with ${path.relative(process.cwd(), againstFile)} …\n`);
  const out = (s: string) => console.log(s);
  printChanges('Breaking changes — clients that use these will fail', '✗', result.breaking, (s) => console.error(s));
  printChanges('Dangerous changes — may change what existing clients get', '!', result.dangerous, out);
  printChanges('Safe changes', '+', result.safe, out);
  if (!result.breaking.length && !result.dangerous.length && !result.safe.length) console.log('No change to the API schema.');
  if (result.breaking.length && !allowBreaking) {
    console.error(
      `${result.breaking.length} breaking change(s): keep the old field (mark it @deprecated(reason: "…")) until no client uses it, or, when every client is ready, run \`npm run schema:check -- --allow-breaking\`.`,
    );
    process.exit(1);
  }
  if (result.breaking.length) console.log(`${result.breaking.length} breaking change(s) allowed (--allow-breaking).`);
  const changed = result.breaking.length + result.dangerous.length + result.safe.length > 0;
  console.log(changed ? 'Schema check passed. `npm run compose` writes the new supergraph.' : 'Schema check passed.');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
