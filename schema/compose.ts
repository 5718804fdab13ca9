import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { composeServices } from '@apollo/composition';
import { parse, GraphQLError } from 'graphql';
import { parse as parseYaml } from 'yaml';

/**
 * Composes the subgraphs listed in `schema/supergraph.yaml` (rover's config format) into the
 * supergraph the gateway serves. `npm run compose` writes `schema/supergraph.graphql`;
 * `--check` only compares and fails when the committed file is stale.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
export const SUPERGRAPH_CONFIG = path.join(here, 'supergraph.yaml');
export const SUPERGRAPH_FILE = path.join(here, 'supergraph.graphql');

export interface SubgraphEntry {
  name: string;
  url: string;
  schemaFile: string;
}

export async function readSubgraphList(configFile = SUPERGRAPH_CONFIG): Promise<SubgraphEntry[]> {
  const config = parseYaml(await readFile(configFile, 'utf8')) as {
    subgraphs?: Record<string, { routing_url?: string; schema?: { file?: string } }>;
  };
  if (!config?.subgraphs || typeof config.subgraphs !== 'object') {
    throw new Error(`${configFile} has no "subgraphs:" map; see rover's supergraph config format.`);
  }
  return Object.entries(config.subgraphs).map(([name, s]) => {
    if (!s.routing_url || !s.schema?.file) {
      throw new Error(`${configFile}: subgraph "${name}" needs routing_url and schema.file.`);
    }
    return { name, url: s.routing_url, schemaFile: path.resolve(path.dirname(configFile), s.schema.file) };
  });
}

/** What to do about the composition errors an integrator meets most. */
const HINTS: Record<string, string> = {
  INVALID_FIELD_SHARING: 'a value type used by several subgraphs must be identical and marked @shareable in each (design.md: Money, Region, PageInfo)',
  FIELD_TYPE_MISMATCH: 'the same field must have the same type in every subgraph that defines it',
  EXTERNAL_MISSING_ON_BASE: 'an @external field must be defined (not external) in some other subgraph',
  KEY_INVALID_FIELDS: 'the fields named in @key must exist on the type',
  SATISFIABILITY_ERROR: 'some field cannot be reached from the root fields: add a @key to the entity in the subgraph that owns it, or a path to it',
  TYPE_KIND_MISMATCH: 'a type name must be the same kind (object, enum, input…) in every subgraph',
  ENUM_VALUE_MISMATCH: 'an enum used as an input must have the same values in every subgraph',
  EXTERNAL_TYPE_MISMATCH: 'an @external field must have the same type as in the subgraph that defines it',
  REQUIRES_INVALID_FIELDS: 'the fields named in @requires must exist on the type and be marked @external in this subgraph',
  PROVIDES_INVALID_FIELDS: 'the fields named in @provides must exist on the returned type and be marked @external',
  INVALID_GRAPHQL: 'the subgraph schema is not valid GraphQL: check the named type or field (a missing type definition, a typo in a type name)',
  EXTENSION_WITH_NO_BASE: 'a type is only extended: define it (with its @key) in the subgraph that owns it, or declare it here as `type X @key(...)` instead of `extend type X`',
  NO_QUERIES: 'no subgraph defines a root Query field: one subgraph must own at least one query',
  INTERFACE_FIELD_NO_IMPLEM: 'every object type implementing the interface must define the interface field in some subgraph',
  KEY_UNSUPPORTED_ON_INTERFACE: 'use @interfaceObject, or put @key on the implementing object types instead',
  UNKNOWN_FEDERATION_LINK_VERSION: 'link federation v2.9 as the other subgraphs do: @link(url: "https://specs.apollo.dev/federation/v2.9", import: [...])',
  DIRECTIVE_DEFINITION_INVALID: 'a federation directive is redefined or imported wrongly: import it in @link(import: [...]) instead of defining it',
};

export type ComposeResult = { ok: true; supergraphSdl: string } | { ok: false; errors: string[] };

/** Composes the listed subgraphs; errors say which subgraph and where. */
export async function compose(entries: SubgraphEntry[]): Promise<ComposeResult> {
  const services = [];
  const errors: string[] = [];
  for (const e of entries) {
    const sdl = await readFile(e.schemaFile, 'utf8').catch((err: Error) => {
      errors.push(`${e.name}: cannot read ${path.relative(process.cwd(), e.schemaFile)}: ${err.message}`);
      return undefined;
    });
    if (sdl === undefined) continue;
    try {
      services.push({ name: e.name, url: e.url, typeDefs: parse(sdl) });
    } catch (err) {
      const g = err as GraphQLError;
      const loc = g.locations?.[0];
      errors.push(`${e.name}: ${path.relative(process.cwd(), e.schemaFile)}${loc ? `:${loc.line}:${loc.column}` : ''}: ${g.message}`);
    }
  }
  if (errors.length) return { ok: false, errors };
  const result = composeServices(services);
  if (result.errors) {
    return {
      ok: false,
      errors: result.errors.map((err) => {
        const code = (err.extensions?.code as string | undefined) ?? 'COMPOSITION_ERROR';
        const hint = HINTS[code];
        return `[${code}] ${err.message}${hint ? `\n    hint: ${hint}` : ''}`;
      }),
    };
  }
  return { ok: true, supergraphSdl: result.supergraphSdl };
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const configArg = process.argv.find((a) => a.startsWith('--config='))?.slice('--config='.length);
  const entries = await readSubgraphList(configArg ? path.resolve(configArg) : SUPERGRAPH_CONFIG);
  console.log(`Composing ${entries.length} subgraphs: ${entries.map((e) => e.name).join(', ')} …`);
  const result = await compose(entries);
  if (!result.ok) {
    console.error(`Composition failed with ${result.errors.length} error(s):\n`);
    for (const e of result.errors) console.error(`  • ${e}\n`);
    console.error('Fix the subgraph schema(s) named above, then run `npm run compose` again.');
    process.exit(1);
  }
  const current = await readFile(SUPERGRAPH_FILE, 'utf8').catch(() => '');
  if (check) {
    if (current !== result.supergraphSdl) {
      console.error('schema/supergraph.graphql is stale: run `npm run compose` and commit the result.');
      process.exit(1);
    }
    console.log('schema/supergraph.graphql is up to date.');
    return;
  }
  await writeFile(SUPERGRAPH_FILE, result.supergraphSdl);
  console.log(`Wrote ${path.relative(process.cwd(), SUPERGRAPH_FILE)}${current === result.supergraphSdl ? ' (unchanged)' : ''}.`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
