import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GraphQLArgument, GraphQLField, GraphQLInputField, GraphQLNamedType, GraphQLSchema } from 'graphql';
import { apiSchemaOf } from './check.js';
import { SUPERGRAPH_FILE } from './compose.js';

/**
 * `npm run docs:schema`: writes `docs/schema.md`, the public schema as a reader sees it — every
 * type and field with its description (which names its source system), arguments and defaults —
 * generated from the committed supergraph's API schema. A test fails when it is stale.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
export const SCHEMA_DOC_FILE = path.resolve(here, '../docs/schema.md');

/** graphql's type guards, from the same copy (realm) that built the schema. */
type Kinds = {
  isObjectType: (t: unknown) => boolean;
  isInputObjectType: (t: unknown) => boolean;
  isEnumType: (t: unknown) => boolean;
  isScalarType: (t: unknown) => boolean;
  isUnionType: (t: unknown) => boolean;
  isInterfaceType: (t: unknown) => boolean;
};

const oneLine = (s: string | null | undefined) => (s ?? '').replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|');
const anchor = (name: string) => name.toLowerCase();
const typeLink = (t: { toString(): string }) => {
  const text = t.toString();
  const named = text.replace(/[[\]!]/g, '');
  return `[\`${text}\`](#${anchor(named)})`;
};

function args(list: readonly GraphQLArgument[]): string {
  if (!list.length) return '';
  return `(${list.map((a) => `${a.name}: ${a.type.toString()}${a.defaultValue !== undefined ? ` = ${JSON.stringify(a.defaultValue)}` : ''}`).join(', ')})`;
}

function fieldTable(fields: readonly (GraphQLField<unknown, unknown> | GraphQLInputField)[]): string[] {
  const rows = ['| field | type | description |', '| --- | --- | --- |'];
  for (const f of fields) {
    const a = 'args' in f ? args(f.args) : '';
    const deprecated = 'deprecationReason' in f && f.deprecationReason ? ` **Deprecated:** ${oneLine(f.deprecationReason)}` : '';
    rows.push(`| \`${f.name}${a}\` | ${typeLink(f.type)} | ${oneLine(f.description)}${deprecated} |`);
  }
  return rows;
}

/** The markdown of a schema's public types, in a stable order: roots first, then by kind and name. */
export function renderSchemaDoc(schema: GraphQLSchema, kinds: Kinds): string {
  const types = Object.values(schema.getTypeMap()).filter((t) => !t.name.startsWith('__'));
  const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter(Boolean) as GraphQLNamedType[];
  const rest = types.filter((t) => !roots.includes(t)).sort((a, b) => a.name.localeCompare(b.name));
  const out: string[] = [
    '# The public schema',
    '',
    'Generated from `schema/supergraph.graphql` by `npm run docs:schema`; do not edit by hand.',
    'Each description names the legacy system the value comes from. Errors follow the model in',
    '[architecture.md](architecture.md#errors).',
    '',
  ];
  const section = (title: string, list: GraphQLNamedType[]) => {
    if (!list.length) return;
    out.push(`## ${title}`, '');
    for (const t of list) {
      out.push(`### ${t.name}`, '', oneLine(t.description) || '_No description._', '');
      if (kinds.isObjectType(t) || kinds.isInterfaceType(t) || kinds.isInputObjectType(t)) {
        out.push(...fieldTable(Object.values((t as unknown as { getFields(): Record<string, GraphQLField<unknown, unknown>> }).getFields())), '');
      } else if (kinds.isEnumType(t)) {
        out.push('| value | description |', '| --- | --- |');
        for (const v of (t as unknown as { getValues(): { name: string; description?: string | null }[] }).getValues()) {
          out.push(`| \`${v.name}\` | ${oneLine(v.description)} |`);
        }
        out.push('');
      } else if (kinds.isUnionType(t)) {
        out.push(`One of: ${(t as unknown as { getTypes(): GraphQLNamedType[] }).getTypes().map((m) => `[\`${m.name}\`](#${anchor(m.name)})`).join(', ')}`, '');
      }
    }
  };
  section('Root operations', roots);
  section('Objects', rest.filter((t) => kinds.isObjectType(t)));
  section('Inputs', rest.filter((t) => kinds.isInputObjectType(t)));
  section('Enums', rest.filter((t) => kinds.isEnumType(t)));
  section('Scalars', rest.filter((t) => kinds.isScalarType(t)));
  return `${out.join('\n').trimEnd()}\n`;
}

export async function buildSchemaDoc(supergraphFile = SUPERGRAPH_FILE): Promise<string> {
  const schema = apiSchemaOf(await readFile(supergraphFile, 'utf8'));
  // The schema was built by the CommonJS copy of graphql (see check.ts); use its guards.
  const { createRequire } = await import('node:module');
  const kinds = createRequire(import.meta.url)('graphql') as Kinds;
  return renderSchemaDoc(schema, kinds);
}

async function main(): Promise<void> {
  const doc = await buildSchemaDoc();
  if (process.argv.includes('--check')) {
    const current = await readFile(SCHEMA_DOC_FILE, 'utf8').catch(() => '');
    if (current !== doc) {
      console.error('docs/schema.md is stale: run `npm run docs:schema` and commit the result.');
      process.exit(1);
    }
    console.log('docs/schema.md is up to date.');
    return;
  }
  await writeFile(SCHEMA_DOC_FILE, doc);
  console.log(`Wrote ${path.relative(process.cwd(), SCHEMA_DOC_FILE)} (${doc.split('\n').length} lines).`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
