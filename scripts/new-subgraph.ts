import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate, type CodegenConfig } from '@graphql-codegen/cli';
import { compose, readSubgraphList, SUPERGRAPH_CONFIG, SUPERGRAPH_FILE } from '../schema/compose.js';
import { buildSchemaDoc, SCHEMA_DOC_FILE } from '../schema/docs.js';

/**
 * `npm run new-subgraph <name>`: scaffolds `subgraphs/<name>/` in the house shape (client with an
 * interface, an HTTP client and a fake; loaders; resolvers; a documented schema extending
 * `Customer`; codegen; config; context; server; main) and `test/subgraphs/<name>/`, registers it
 * (`schema/supergraph.yaml` on the next free port from 4004, `lib/errors.ts`'s `ErrorSystem`,
 * the `subgraph:<name>` and `codegen` npm scripts), generates its resolver types and composes.
 * The result type-checks and its tests pass as generated; docs/adding-a-subgraph.md says what next.
 *
 * Options: `--port=<n>` (the subgraph's port; the legacy system's default is n + 1000).
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TEMPLATES = path.join(root, 'scripts', 'templates');
/** Names that are folders of `subgraphs/` or words of the product, not legacy systems. */
const RESERVED = new Set(['shared', 'gateway', 'schema', 'generated', 'test', 'lib']);
export const FIRST_NEW_PORT = 4004;

/** The spellings of one subgraph name that the templates use. */
export interface SubgraphNames {
  /** kebab-case, as typed: `loyalty`, `field-force`. */
  readonly name: string;
  /** `Loyalty`, `FieldForce`. */
  readonly Pascal: string;
  /** `loyalty`, `fieldForce`. */
  readonly camel: string;
  /** `LOYALTY`, `FIELD_FORCE` (environment variables). */
  readonly CONST: string;
}

export function namesOf(name: string): SubgraphNames {
  const words = name.split('-');
  const Pascal = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  return { name, Pascal, camel: Pascal[0]!.toLowerCase() + Pascal.slice(1), CONST: words.join('_').toUpperCase() };
}

/**
 * Why `name` cannot be a new subgraph, as a sentence that names the fix; undefined when it can.
 * `existing` are the names already taken (folders of `subgraphs/`, entries of supergraph.yaml).
 */
export function validateName(name: string | undefined, existing: readonly string[]): string | undefined {
  if (!name) return 'Give the new subgraph a name: `npm run new-subgraph <name>`, e.g. `npm run new-subgraph loyalty` (lower-case kebab-case, named after the legacy system).';
  if (!/^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/.test(name)) {
    const suggestion = name
      .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^[^a-z]+|-+$/g, '');
    return `"${name}" is not a lower-case kebab-case name: use letters, digits and single hyphens, starting with a letter${suggestion ? `, e.g. \`npm run new-subgraph ${suggestion}\`` : ''}.`;
  }
  if (name.length > 40) return `"${name}" is too long (${name.length} characters): keep it to 40 or fewer, e.g. the legacy system's short name.`;
  if (RESERVED.has(name)) return `"${name}" is reserved (${[...RESERVED].join(', ')} are folders or parts of the product): name the subgraph after its legacy system, e.g. \`npm run new-subgraph loyalty\`.`;
  if (existing.includes(name)) return `A subgraph "${name}" already exists (subgraphs/${name}/ or schema/supergraph.yaml): pick another name, or edit subgraphs/${name}/ instead.`;
  return undefined;
}

/** The first port from {@link FIRST_NEW_PORT} that no listed subgraph routes to. */
export function nextFreePort(routingUrls: readonly string[]): number {
  const used = new Set(routingUrls.map((u) => Number(new URL(u).port)));
  let port = FIRST_NEW_PORT;
  while (used.has(port)) port++;
  return port;
}

/** Replaces the template tokens in a file's path or text. */
export function renderTemplate(text: string, n: SubgraphNames, ports: { subgraph: number; legacy: number }): string {
  return text
    .replaceAll('__SUBGRAPH_PORT__', String(ports.subgraph))
    .replaceAll('__LEGACY_PORT__', String(ports.legacy))
    .replaceAll('__CONST__', n.CONST)
    .replaceAll('__Pascal__', n.Pascal)
    .replaceAll('__camel__', n.camel)
    .replaceAll('__name__', n.name);
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(full)));
    else if (entry.name.endsWith('.tmpl')) out.push(full);
  }
  return out.sort();
}

const step = (text: string) => console.log(`[new-subgraph] ${text}`);
const fail = (text: string): never => {
  console.error(`[new-subgraph] ✗ ${text}`);
  process.exit(1);
};
const rel = (p: string) => path.relative(root, p);

/** Writes the rendered templates of `from` under `to`; returns the files written. */
async function scaffold(from: string, to: string, n: SubgraphNames, ports: { subgraph: number; legacy: number }): Promise<string[]> {
  const written: string[] = [];
  for (const file of await listFiles(from)) {
    const target = path.join(to, renderTemplate(path.relative(from, file), n, ports).replace(/\.tmpl$/, ''));
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, renderTemplate(await readFile(file, 'utf8'), n, ports), { flag: 'wx' });
    written.push(target);
  }
  return written;
}

/** Adds the name to `ErrorSystem` in lib/errors.ts, so errors can say `system: '<name>'`. */
async function registerErrorSystem(name: string): Promise<void> {
  const file = path.join(root, 'lib', 'errors.ts');
  const text = await readFile(file, 'utf8');
  const m = /export type ErrorSystem = ([^;]+);/.exec(text);
  if (!m) return fail(`lib/errors.ts has no \`export type ErrorSystem = …;\` line: add '${name}' to the union of systems by hand.`);
  if (m[1]!.includes(`'${name}'`)) return;
  const union = m[1]!.includes("'gateway'") ? m[1]!.replace("'gateway'", `'${name}' | 'gateway'`) : `${m[1]} | '${name}'`;
  await writeFile(file, text.replace(m[0], `export type ErrorSystem = ${union};`));
}

/** Appends the subgraph to schema/supergraph.yaml (rover's format), as text so comments stay. */
async function registerInSupergraph(name: string, port: number): Promise<void> {
  const text = await readFile(SUPERGRAPH_CONFIG, 'utf8');
  const entry = `  ${name}:\n    routing_url: http://127.0.0.1:${port}/graphql\n    schema:\n      file: ../subgraphs/${name}/schema.graphql\n`;
  await writeFile(SUPERGRAPH_CONFIG, `${text.replace(/\n*$/, '\n')}${entry}`);
}

/** Adds `subgraph:<name>` and the subgraph's codegen to package.json's scripts, line by line. */
async function registerScripts(name: string): Promise<string[]> {
  const file = path.join(root, 'package.json');
  const lines = (await readFile(file, 'utf8')).split('\n');
  const todo: string[] = [];
  if (!lines.some((l) => l.includes(`"subgraph:${name}"`))) {
    const last = lines.findLastIndex((l) => /^\s*"subgraph:[^"]+":/.test(l));
    if (last < 0) todo.push(`add "subgraph:${name}": "tsx subgraphs/${name}/main.ts" to package.json's scripts`);
    else lines.splice(last + 1, 0, `${/^\s*/.exec(lines[last]!)![0]}"subgraph:${name}": "tsx subgraphs/${name}/main.ts",`);
  }
  const codegen = lines.findIndex((l) => /^\s*"codegen":\s*"/.test(l));
  const command = `graphql-codegen --config subgraphs/${name}/codegen.ts`;
  if (codegen < 0) todo.push(`add \`${command}\` to package.json's "codegen" script`);
  else if (!lines[codegen]!.includes(command)) lines[codegen] = lines[codegen]!.replace(/"(,?)\s*$/, ` && ${command}"$1`);
  await writeFile(file, lines.join('\n'));
  return todo;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const name = args.find((a) => !a.startsWith('--'));
  const portArg = args.find((a) => a.startsWith('--port='))?.slice('--port='.length);
  process.chdir(root);
  const listed = await readSubgraphList();
  const folders = existsSync(path.join(root, 'subgraphs')) ? (await readdir(path.join(root, 'subgraphs'), { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name) : [];
  const tests = existsSync(path.join(root, 'test', 'subgraphs')) ? await readdir(path.join(root, 'test', 'subgraphs')) : [];
  const problem = validateName(name, [...new Set([...folders, ...tests, ...listed.map((s) => s.name)])]);
  if (problem) fail(problem);
  const n = namesOf(name!);

  const port = portArg === undefined ? nextFreePort(listed.map((s) => s.url)) : Number(portArg);
  if (!Number.isInteger(port) || port < 1024 || port > 64535) fail(`--port=${portArg} is not a usable port: give a whole number from 1024 to 64535, e.g. --port=${FIRST_NEW_PORT}.`);
  if (listed.some((s) => Number(new URL(s.url).port) === port)) fail(`Port ${port} is already the routing port of another subgraph in schema/supergraph.yaml: leave --port out to take the next free one.`);
  const ports = { subgraph: port, legacy: port + 1000 };
  step(`new subgraph "${n.name}" (${n.Pascal}; environment ${n.CONST}_*): port ${ports.subgraph}, legacy system expected on ${ports.legacy}`);

  const subgraphDir = path.join(root, 'subgraphs', n.name);
  const testDir = path.join(root, 'test', 'subgraphs', n.name);
  const files = [...(await scaffold(path.join(TEMPLATES, 'subgraph'), subgraphDir, n, ports)), ...(await scaffold(path.join(TEMPLATES, 'test'), testDir, n, ports))];
  for (const f of files) step(`  wrote ${rel(f)}`);
  step(`✓ scaffolded ${files.length} files`);

  await registerErrorSystem(n.name);
  step(`✓ lib/errors.ts: '${n.name}' is an ErrorSystem`);
  await registerInSupergraph(n.name, ports.subgraph);
  step(`✓ schema/supergraph.yaml: ${n.name} at http://127.0.0.1:${ports.subgraph}/graphql`);
  const todo = await registerScripts(n.name);
  step(todo.length ? `! package.json: ${todo.join('; ')}` : `✓ package.json: "subgraph:${n.name}" and its codegen in "codegen"`);

  step('… generating resolver types (graphql-codegen)');
  const config = (await import(path.join(subgraphDir, 'codegen.ts'))).default as CodegenConfig;
  await generate({ ...config, silent: true, verbose: false } as CodegenConfig, true);
  step(`✓ wrote subgraphs/${n.name}/generated/resolvers-types.ts`);

  step('… composing the supergraph');
  const composed = await compose(await readSubgraphList());
  if (!composed.ok) {
    for (const e of composed.errors) console.error(`  • ${e}`);
    fail(`composition failed: fix subgraphs/${n.name}/schema.graphql as the errors above say, then run \`npm run compose\`.`);
  }
  await writeFile(SUPERGRAPH_FILE, composed.ok ? composed.supergraphSdl : '');
  step(`✓ wrote ${rel(SUPERGRAPH_FILE)} (${listed.length + 1} subgraphs)`);
  await writeFile(SCHEMA_DOC_FILE, await buildSchemaDoc());
  step(`✓ wrote ${rel(SCHEMA_DOC_FILE)}`);

  console.log(`
Done. Next (docs/adding-a-subgraph.md walks through each):
  1. npx tsc --noEmit && npx vitest run test/subgraphs/${n.name}     # the scaffold type-checks and its tests pass
  2. subgraphs/${n.name}/client/wire.ts, normalize.ts, ${n.Pascal}Client.ts: speak the real system's protocol
  3. subgraphs/${n.name}/schema.graphql (+ domain.ts, resolvers/): your fields, each described with its source; then npm run codegen
  4. npm run schema:check && npm run compose && npm run docs:schema   # composition, breaking changes, docs
  5. who may read it: the role area of each field (${n.camel}FieldAreas in server.ts), region scope on entities of its own
  6. an emulator in emulators/${n.name}/ on port ${ports.legacy}, the stack (scripts/start.ts, test/helpers/stack.ts), an e2e test
  Run it: VIEWER_VERIFY_KEY=.dev/keys/gateway-viewer.public.pem npm run subgraph:${n.name}
    (${n.CONST}_URL, ${n.CONST}_USER, ${n.CONST}_PASSWORD, ${n.CONST}_SUBGRAPH_PORT; only the gateway may call it: npm start writes the key)`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
