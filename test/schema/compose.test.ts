import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile, cp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { compose, readSubgraphList, SUPERGRAPH_FILE } from '../../schema/compose.js';

const run = promisify(execFile);

describe('schema composition', () => {
  it('lists the three core subgraphs first in rover format with their routing URLs, and every subgraph on its own port', async () => {
    const list = await readSubgraphList();
    expect(list.slice(0, 3).map((s) => [s.name, s.url])).toEqual([
      ['customer-service', 'http://127.0.0.1:4001/graphql'],
      ['billing', 'http://127.0.0.1:4002/graphql'],
      ['network', 'http://127.0.0.1:4003/graphql'],
    ]);
    // Subgraphs added with `npm run new-subgraph` follow, each on the next free port from 4004.
    expect(list.find((s) => s.name === 'loyalty')?.url).toBe('http://127.0.0.1:4004/graphql');
    expect(new Set(list.map((s) => new URL(s.url).port)).size).toBe(list.length);
  });

  it('fails when the committed supergraph is stale: run `npm run compose` and commit', async () => {
    const result = await compose(await readSubgraphList());
    expect(result.ok ? [] : result.errors).toEqual([]);
    expect(result.ok && result.supergraphSdl).toBe(await readFile(SUPERGRAPH_FILE, 'utf8'));
  });

  it('prints composition errors readably, naming the subgraph and the field, and exits non-zero', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'compose-'));
    await cp(path.resolve('subgraphs/billing/schema.graphql'), path.join(dir, 'billing.graphql'));
    // A second subgraph that defines Money differently (not shareable, another field type).
    await writeFile(
      path.join(dir, 'broken.graphql'),
      'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])\n' +
        'type Query { price: Money }\ntype Money { amount: Int! currency: String! }\n',
    );
    await writeFile(
      path.join(dir, 'supergraph.yaml'),
      'subgraphs:\n  billing:\n    routing_url: http://127.0.0.1:4002/graphql\n    schema:\n      file: billing.graphql\n' +
        '  broken:\n    routing_url: http://127.0.0.1:4999/graphql\n    schema:\n      file: broken.graphql\n',
    );
    const result = await compose(await readSubgraphList(path.join(dir, 'supergraph.yaml')));
    expect(result.ok).toBe(false);
    const text = result.ok ? '' : result.errors.join('\n');
    expect(text).toMatch(/Money\.amount/);
    expect(text).toMatch(/"broken"/);
    expect(text).toMatch(/\[[A-Z_]+\]/);

    const script = path.resolve('schema/compose.ts');
    const failed = await run(process.execPath, ['--import', 'tsx', script, '--check', `--config=${path.join(dir, 'supergraph.yaml')}`]).catch((e: { code: number; stderr: string }) => e);
    expect((failed as { code: number }).code).toBe(1);
    expect((failed as { stderr: string }).stderr).toMatch(/Composition failed with \d+ error/);
  });

  it('names the file and line of a subgraph schema that does not parse', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'compose-'));
    await writeFile(path.join(dir, 'bad.graphql'), 'type Query {\n  x: \n}\n');
    await writeFile(path.join(dir, 'supergraph.yaml'), 'subgraphs:\n  bad:\n    routing_url: http://127.0.0.1:4999/graphql\n    schema:\n      file: bad.graphql\n');
    const result = await compose(await readSubgraphList(path.join(dir, 'supergraph.yaml')));
    expect(result.ok ? '' : result.errors.join('\n')).toMatch(/^bad: .*bad\.graphql:3:1: Syntax Error/);
  });
});
