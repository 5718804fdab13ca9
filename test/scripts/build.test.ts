import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { build } from '../../scripts/build.js';

/**
 * `npm run build`: the compiled product runs with plain node — a subgraph finds its schema file, the
 * gateway its playground — as the benchmarks and a deployment run it.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const out = path.join(root, 'node_modules/.cache/build-test');
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) c.kill('SIGTERM');
  rmSync(out, { recursive: true, force: true });
});

/** Starts a compiled entry point and resolves with the URL it says it is ready at. */
function run(entry: string, env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, [path.join(out, entry)], { cwd: root, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let text = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${entry} did not say it was ready: ${text}`)), 20_000);
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const m = /ready at (http:\/\/127\.0\.0\.1:\d+)/.exec(text);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${entry} exited with ${code}: ${text}`)));
  });
}

describe('npm run build', () => {
  it('compiles a product that runs without a TypeScript loader', async () => {
    const lines: string[] = [];
    build((l) => lines.push(l), out);
    expect(lines.at(-1)).toMatch(/✓ node_modules\/\.cache\/build-test\/ in [\d.]+ s \(4 subgraph schemas copied\)/);
    for (const f of ['gateway/main.js', 'subgraphs/billing/main.js', 'subgraphs/billing/schema.graphql', 'emulators/billing/main.js', 'gateway/playground/app.js']) expect(existsSync(path.join(out, f)), f).toBe(true);

    const billing = await run('subgraphs/billing/main.js', { BILLING_SUBGRAPH_PORT: '0', AUTH_DISABLED: 'true' });
    const sdl = await fetch(`${billing}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ _service { sdl } }' }) });
    expect(((await sdl.json()) as any).data._service.sdl).toContain('customerByServiceNumber');

    const gateway = await run('gateway/main.js', { GATEWAY_PORT: '0', AUTH_DISABLED: 'true', AUDIT_LOG: 'off', SUPERGRAPH_PATH: path.join(root, 'schema/supergraph.graphql') });
    expect((await fetch(`${gateway}/health/live`)).status).toBe(200);
    const page = await fetch(`${gateway}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('id="graphiql"');
  }, 60_000);
});
