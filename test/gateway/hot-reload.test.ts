import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '../../gateway/config.js';
import { startGateway, type RunningGateway } from '../../gateway/server.js';
import { validateSupergraph } from '../../gateway/supergraph.js';
import { startSubgraph, type RunningSubgraph } from '../../subgraphs/shared/server.js';

/**
 * Hot reload of the supergraph file: a running gateway swaps to a new supergraph without
 * dropping the request in flight, and refuses (keeps the old one, logs why) a broken file.
 * Two stub subgraphs: `base` (a slow field) and `extra` (the field the new supergraph adds).
 */

const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])';
const BASE_SDL = `${LINK}\ntype Query { slow(ms: Int!): String  hello: String }`;
const EXTRA_SDL = `${LINK}\ntype Query { extra: String }`;

let base: RunningSubgraph;
let extra: RunningSubgraph;
let gateway: RunningGateway;
let dir: string;
let file: string;
let v1: string;
let v2: string;
const logs: Array<{ level: number; msg: string; path?: string; reason?: string }> = [];
let slowStarted: () => void = () => {};

function supergraph(services: Array<{ name: string; url: string; sdl: string }>): string {
  const result = composeServices(services.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) })));
  if (result.errors) throw new Error(result.errors.map(String).join('\n'));
  return result.supergraphSdl;
}

async function gql(query: string): Promise<{ data?: any; errors?: any[] }> {
  const res = await fetch(`${gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  return (await res.json()) as never;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  const silent = pino({ level: 'silent' });
  base = await startSubgraph({
    auth: { kind: 'disabled' },
    system: 'billing',
    typeDefs: BASE_SDL,
    resolvers: {
      Query: {
        hello: () => 'hi',
        slow: async (_: unknown, { ms }: { ms: number }) => {
          slowStarted();
          await new Promise((r) => setTimeout(r, ms));
          return 'done';
        },
      },
    },
    createContext: () => ({}),
    host: '127.0.0.1',
    port: 0,
    logger: silent,
  });
  extra = await startSubgraph({
    auth: { kind: 'disabled' },
    system: 'loyalty',
    typeDefs: EXTRA_SDL,
    resolvers: { Query: { extra: () => 'new field' } },
    createContext: () => ({}),
    host: '127.0.0.1',
    port: 0,
    logger: silent,
  });
  v1 = supergraph([{ name: 'base', url: base.url, sdl: BASE_SDL }]);
  v2 = supergraph([
    { name: 'base', url: base.url, sdl: BASE_SDL },
    { name: 'extra', url: extra.url, sdl: EXTRA_SDL },
  ]);
  dir = await mkdtemp(path.join(tmpdir(), 'supergraph-'));
  file = path.join(dir, 'supergraph.graphql');
  await writeFile(file, v1);
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) logs.push(JSON.parse(line));
      done();
    },
  });
  const logger = pino({ level: 'info' }, sink);
  gateway = await startGateway(loadGatewayConfig({ GATEWAY_PORT: '0', SUPERGRAPH_PATH: file, AUTH_DISABLED: 'true', AUDIT_LOG: 'off' }), logger);
});

afterAll(async () => {
  await gateway?.close();
  await Promise.all([base?.close(), extra?.close()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('supergraph hot reload', () => {
  it('serves the supergraph the file holds at start, and logs that it watches it', async () => {
    expect((await gql('{ hello }')).data).toEqual({ hello: 'hi' });
    expect((await gql('{ extra }')).errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(logs.some((l) => l.path === file && /watching/.test(l.msg))).toBe(true);
  });

  it('swaps to a new supergraph written by rename, without dropping the request in flight', async () => {
    const started = new Promise<void>((r) => (slowStarted = r));
    const inFlight = gql('{ slow(ms: 1500) }');
    await started;
    // As editors and deploy tools do: write a temporary file, then rename it over the old one.
    await writeFile(`${file}.tmp`, v2);
    await rename(`${file}.tmp`, file);
    const reloadedAt = await until('the reload log line', async () => logs.find((l) => l.path === file && /supergraph reloaded/.test(l.msg)));
    expect(reloadedAt.level).toBe(30);
    // The new field is served while the old request is still running…
    expect((await gql('{ extra }')).data).toEqual({ extra: 'new field' });
    // …and the old request completes with its data.
    expect(await inFlight).toEqual({ data: { slow: 'done' } });
    expect((await gql('{ hello extra }')).data).toEqual({ hello: 'hi', extra: 'new field' });
  });

  it('refuses a file that is not a supergraph, keeps serving the previous one, and logs why with the path', async () => {
    await writeFile(file, 'this is { not GraphQL');
    const refused = await until('the refusal log line', async () => logs.find((l) => l.path === file && /supergraph refused/.test(l.msg)));
    expect(refused.level).toBe(50);
    expect(refused.reason).toBeTruthy();
    expect((await gql('{ hello extra }')).data).toEqual({ hello: 'hi', extra: 'new field' });
  });

  it('refuses a subgraph schema (no composition metadata) in place of the supergraph', async () => {
    const before = logs.filter((l) => /supergraph refused/.test(l.msg)).length;
    await writeFile(file, BASE_SDL);
    await until('a second refusal', async () => (logs.filter((l) => /supergraph refused/.test(l.msg)).length > before ? true : undefined));
    expect((await gql('{ hello extra }')).data).toEqual({ hello: 'hi', extra: 'new field' });
  });
});

describe('validateSupergraph', () => {
  it('accepts a composed supergraph', () => {
    expect(() => validateSupergraph(v2)).not.toThrow();
  });

  it.each([
    ['an empty file', () => ''],
    ['text that is not GraphQL', () => 'garbage'],
    ['a subgraph schema', () => BASE_SDL],
    ['a supergraph whose join__Graph enum lost a subgraph', () => v2.replace(/\n\s*EXTRA @join__graph\([^)]*\)/, '')],
    ['a supergraph without the join spec link', () => v2.replace(/@link\(url: "https:\/\/specs\.apollo\.dev\/join\/[^)]*\)/, '')],
  ])('refuses %s', (_name, sdl) => {
    expect(() => validateSupergraph(sdl())).toThrow();
  });

  it('refuses a subgraph without a URL unless an override names one', () => {
    const noUrl = v2.replace(/(EXTRA @join__graph\(name: "extra", url: )"[^"]*"/, '$1""');
    expect(noUrl).not.toBe(v2);
    expect(() => validateSupergraph(noUrl)).toThrow(/extra/);
    expect(() => validateSupergraph(noUrl, { extra: 'http://127.0.0.1:1/graphql' })).not.toThrow();
  });
});
