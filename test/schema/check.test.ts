import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { checkSchema, describeCompositionError } from '../../schema/check.js';
import { readSubgraphList, SUPERGRAPH_FILE, type SubgraphEntry } from '../../schema/compose.js';

/**
 * `npm run schema:check`: composition errors said readably, and the new API schema compared with
 * the committed supergraph — a breaking change fails unless allowed, an addition passes.
 */

const run = promisify(execFile);
const script = path.resolve('schema/check.ts');

/** The committed subgraph list with the network schema replaced by `edit(schema)`, in a temp dir. */
async function withEditedNetwork(edit: (sdl: string) => string): Promise<{ entries: SubgraphEntry[]; config: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'schema-check-'));
  const entries = await readSubgraphList();
  const edited = path.join(dir, 'network.graphql');
  await writeFile(edited, edit(await readFile(path.resolve('subgraphs/network/schema.graphql'), 'utf8')));
  const changed = entries.map((e) => (e.name === 'network' ? { ...e, schemaFile: edited } : e));
  const yaml = ['subgraphs:', ...changed.flatMap((e) => [`  ${e.name}:`, `    routing_url: ${e.url}`, '    schema:', `      file: ${e.schemaFile}`])].join('\n');
  const config = path.join(dir, 'supergraph.yaml');
  await writeFile(config, `${yaml}\n`);
  return { entries: changed, config };
}

const removeCount = (sdl: string) => {
  const out = sdl.replace(/\n\s*"[^"\n]*"\n\s*affectedServiceCount: Int!/, '');
  expect(out).not.toBe(sdl);
  return out;
};
const addNote = (sdl: string) => {
  const out = sdl.replace(/(\n\s*)affectedServiceCount: Int!/, '$1affectedServiceCount: Int!$1"A free-text note on the outage. Source: NMS."$1note: String');
  expect(out).not.toBe(sdl);
  return out;
};

describe('schema check', () => {
  it('passes on the committed subgraphs with no change', async () => {
    const result = await checkSchema(await readSubgraphList(), await readFile(SUPERGRAPH_FILE, 'utf8'));
    expect(result).toMatchObject({ ok: true, stage: 'diff', breaking: [], dangerous: [], safe: [] });
  });

  it('rates a removed field as breaking and fails, unless breaking changes are allowed', async () => {
    const { entries } = await withEditedNetwork(removeCount);
    const baseline = await readFile(SUPERGRAPH_FILE, 'utf8');
    const result = await checkSchema(entries, baseline);
    expect(result.ok).toBe(false);
    expect(result.stage === 'diff' && result.breaking.map((c) => c.path)).toEqual(['Outage.affectedServiceCount']);
    expect((await checkSchema(entries, baseline, { allowBreaking: true })).ok).toBe(true);
  });

  it('lists an added field as safe and passes', async () => {
    const { entries } = await withEditedNetwork(addNote);
    const result = await checkSchema(entries, await readFile(SUPERGRAPH_FILE, 'utf8'));
    expect(result.ok).toBe(true);
    expect(result.stage === 'diff' && result.breaking).toEqual([]);
    // The field and its description: two safe changes on the one path.
    expect(result.stage === 'diff' && [...new Set(result.safe.map((c) => c.path))]).toEqual(['Outage.note']);
  });

  it('exits 1 on a breaking change naming the field, 0 with --allow-breaking', async () => {
    const { config } = await withEditedNetwork(removeCount);
    const failed = (await run(process.execPath, ['--import', 'tsx', script, `--config=${config}`]).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/Breaking changes.*\n.*Outage\.affectedServiceCount/);
    expect(failed.stderr).toMatch(/--allow-breaking/);
    const allowed = await run(process.execPath, ['--import', 'tsx', script, `--config=${config}`, '--allow-breaking']);
    expect(allowed.stdout).toMatch(/allowed \(--allow-breaking\)/);
  });

  it('prints a composition error with its code, the subgraphs, the field and a hint', async () => {
    const { config } = await withEditedNetwork((sdl) => `${sdl}\ntype Money { amount: Int! currency: String! }\n`);
    const failed = (await run(process.execPath, ['--import', 'tsx', script, `--config=${config}`]).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/✗ \[[A-Z_]+\] subgraph .*network/);
    expect(failed.stderr).toMatch(/Money\.amount/);
    expect(failed.stderr).toMatch(/hint: /);
  });

  it('takes apart a composition message: code, subgraphs, coordinates, hint', () => {
    const p = describeCompositionError(
      '[FIELD_TYPE_MISMATCH] Type of field "Money.amount" is incompatible across subgraphs: it has type "String!" in subgraphs "billing" and "network" but type "Int!" in subgraph "broken".\n    hint: the same field must have the same type',
    );
    expect(p).toMatchObject({ code: 'FIELD_TYPE_MISMATCH', subgraphs: ['billing', 'network', 'broken'], hint: 'the same field must have the same type' });
    expect(p.coordinates).toContain('Money.amount');
  });
});
