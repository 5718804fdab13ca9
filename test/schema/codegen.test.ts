import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { generate } from '@graphql-codegen/cli';
import type { CodegenConfig } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';

/**
 * Resolver types are generated from each subgraph's schema (style.md 7). When a schema changes and
 * the generated file does not, resolvers are type-checked against a schema that no longer exists:
 * this fails until `npm run codegen` is run and the result committed.
 */
const subgraphs = readdirSync('subgraphs').filter((name) => existsSync(path.join('subgraphs', name, 'codegen.ts')));

describe('generated resolver types', () => {
  it('exist for every subgraph', () => {
    expect(subgraphs.sort()).toEqual(expect.arrayContaining(['network']));
  });

  it.each(subgraphs)('are current for the %s subgraph: run `npm run codegen` and commit', async (name) => {
    const config = (await import(path.resolve('subgraphs', name, 'codegen.ts'))).default as CodegenConfig;
    const outputs = await generate({ ...config, silent: true, verbose: false } as CodegenConfig, false);
    expect(outputs.length).toBeGreaterThan(0);
    for (const output of outputs as { filename: string; content: string }[]) {
      expect(output.content, output.filename).toBe(await readFile(output.filename, 'utf8'));
    }
  });
});
