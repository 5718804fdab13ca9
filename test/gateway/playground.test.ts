import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Supergraph } from '@apollo/federation-internals';
import express from 'express';
import { buildASTSchema, getVariableValues, Kind, parse, validate, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPlayground } from '../../gateway/playground/build.js';
import { examples } from '../../gateway/playground/examples.js';
import { createPlaygroundRouter, loadPlaygroundViewers, type PlaygroundViewer } from '../../gateway/playground/index.js';

/** What would make a browser fetch from another origin (plain documentation strings would not). */
const EXTERNAL = [
  /<script[^>]*\ssrc\s*=\s*["']?(?:https?:)?\/\//i,
  /<link[^>]*\shref\s*=\s*["']?(?:https?:)?\/\//i,
  /@import\s+(?:url\(\s*)?["']?(?:https?:)?\/\//i,
  /url\(\s*["']?(?:https?:)?\/\//i,
  /fonts\.googleapis|fonts\.gstatic|unpkg\.com|cdn\.jsdelivr|cdnjs\.cloudflare|esm\.sh\//i,
  /importScripts\(\s*["'](?:https?:)?\/\//i,
];

let server: Server;
let base: string;

beforeAll(async () => {
  const app = express();
  app.use('/', await createPlaygroundRouter({ title: 'Telecom Customer Graph' }));
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('createPlaygroundRouter', () => {
  it('serves an HTML page at / that loads only same-origin assets', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('<title>Telecom Customer Graph</title>');
    expect(html).toContain('<noscript>');
    expect(html).toContain('data-graphql-path="/graphql"');
    const refs = [...html.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((m) => m[1]!);
    expect(refs.some((r) => /^\/playground\/app\.js\?/.test(r))).toBe(true);
    expect(refs.some((r) => /^\/playground\/app\.css\?/.test(r))).toBe(true);
    for (const ref of refs) expect(ref, ref).toMatch(/^(?:\/(?!\/)|data:)/);
    for (const pattern of EXTERNAL) expect(html).not.toMatch(pattern);
  });

  it('sends a Content-Security-Policy that allows only its own origin', async () => {
    const res = await fetch(`${base}/`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toMatch(/https?:|\*/);
  });

  it('answers every asset of the bundle with its content type and no external reference', async () => {
    const { assets, key } = await buildPlayground();
    expect([...assets.keys()]).toEqual(expect.arrayContaining(['app.js', 'app.css']));
    for (const asset of assets.values()) {
      const res = await fetch(`${base}/playground/${asset.name}?v=${key}`);
      expect(res.status, asset.name).toBe(200);
      expect(res.headers.get('content-type'), asset.name).toBe(asset.contentType);
      expect(res.headers.get('cache-control'), asset.name).toContain('immutable');
      expect(res.headers.get('content-security-policy'), asset.name).toBeTruthy();
      const body = await res.text();
      for (const pattern of EXTERNAL) expect(body, `${asset.name} matches ${pattern}`).not.toMatch(pattern);
    }
    const js = await fetch(`${base}/playground/app.js`);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    const css = await fetch(`${base}/playground/app.css`);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
  });

  it('revalidates assets by ETag', async () => {
    const first = await fetch(`${base}/playground/app.css`);
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();
    // node:http, not fetch: fetch adds `Cache-Control: no-cache` to a conditional request.
    const status = await new Promise<number | undefined>((resolve, reject) => {
      http.get(`${base}/playground/app.css`, { headers: { 'if-none-match': etag! } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      }).on('error', reject);
    });
    expect(status).toBe(304);
  });

  it('answers 404 for an asset it does not have', async () => {
    expect((await fetch(`${base}/playground/nope.js`)).status).toBe(404);
  });

  it('refuses a GraphQL endpoint on another origin', async () => {
    await expect(createPlaygroundRouter({ graphqlPath: 'https://example.test/graphql' })).rejects.toThrow(/origin/);
  });
});

describe('playground viewers', () => {
  const viewers: PlaygroundViewer[] = [
    { name: 'HQ admin', sub: 'hq.admin', roles: ['admin'], region: {}, token: 'eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJocSJ9.c2ln' },
    { name: 'Shenzhen "agent" <b>', sub: 'sz.agent.0042', roles: ['agent'], region: { province: 'GD', localNetwork: 'SZ' }, token: 'eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJzeiJ9.c2ln' },
  ];
  const html = async (router: express.Router) => {
    const app = express();
    app.use('/', router);
    const s = await new Promise<Server>((resolve) => {
      const x = app.listen(0, '127.0.0.1', () => resolve(x));
    });
    try {
      const res = await fetch(`http://127.0.0.1:${(s.address() as AddressInfo).port}/`);
      return { res, text: await res.text() };
    } finally {
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  };
  const attribute = (text: string) => {
    const m = /data-viewers="([^"]*)"/.exec(text);
    if (!m) return undefined;
    const unescaped = m[1]!.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    return JSON.parse(unescaped) as PlaygroundViewer[];
  };

  it('puts the viewers in the page as an escaped data attribute (no inline script) and keeps the page out of caches', async () => {
    const { res, text } = await html(await createPlaygroundRouter({ viewers }));
    expect(attribute(text)).toEqual(viewers);
    expect(text).not.toContain('<b>');
    expect(text).not.toMatch(/<script(?![^>]*\ssrc=)/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it('has no viewers in the page without them (production): the headers editor is the way', async () => {
    const { res, text } = await html(await createPlaygroundRouter({}));
    expect(attribute(text)).toBeUndefined();
    expect(text).not.toContain('eyJ');
    expect(res.headers.get('cache-control')).toBe('no-cache');
  });

  it('reads a viewers file as npm start writes it, and names the fix for a bad one', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'playground-viewers-'));
    try {
      const file = path.join(dir, 'viewers.json');
      writeFileSync(file, JSON.stringify(viewers));
      expect(loadPlaygroundViewers(file)).toEqual(viewers);
      writeFileSync(file, '[{"name":"x"');
      expect(() => loadPlaygroundViewers(file)).toThrow(/PLAYGROUND_VIEWERS_FILE=.*viewers\.json is not JSON .*run `npm run tokens`/);
      writeFileSync(file, JSON.stringify([{ ...viewers[0], token: 'not a jwt' }]));
      expect(() => loadPlaygroundViewers(file)).toThrow(/is not a list of viewers \(at 0\.token: is not a compact JWT\).*npm run tokens/);
      expect(() => loadPlaygroundViewers(path.join(dir, 'absent.json'))).toThrow(/cannot be read \(ENOENT\): run `npm run tokens`.*or unset the variable/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('playground examples', () => {
  // The API schema, as clients see it. Rebuilt from its AST with this file's graphql: federation
  // loads graphql's CommonJS build, vitest the ESM one, and graphql-js refuses to mix them.
  const supergraphSdl = readFileSync(new URL('../../schema/supergraph.graphql', import.meta.url), 'utf8');
  const schema = buildASTSchema(Supergraph.build(supergraphSdl).apiSchema().toAST());

  it('has the four example operations', () => {
    expect(examples.map((e) => e.title)).toEqual([
      'Customer 360 by phone number',
      'Big customers of a province',
      'Customers affected by an outage',
      'A ticket with its alarm',
    ]);
  });

  it.each(examples.map((e) => [e.title, e] as const))('%s is valid against the API schema, with its variables', (_title, example) => {
    const document = parse(example.query);
    expect(validate(schema, document).map(String)).toEqual([]);
    const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    expect(operations).toHaveLength(1);
    expect(operations[0]!.name?.value).toBeTruthy();
    const coerced = getVariableValues(schema, operations[0]!.variableDefinitions ?? [], { ...example.variables });
    expect(coerced.errors?.map(String) ?? []).toEqual([]);
  });
});
