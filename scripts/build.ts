import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `npm run build`: the product as plain JavaScript in `dist/` (tsc, tsconfig.build.json), with the
 * files the processes read beside their code (each subgraph's `schema.graphql`). Run a part with
 * `node dist/gateway/main.js`, `node dist/subgraphs/billing/main.js`, …: no TypeScript loader in
 * the process (about 45 MB less resident memory for the gateway, and no source-map work when an
 * error's stack is taken). The benchmarks run what this builds.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Compiles into `out` (default `dist/`; another folder inside the project works too, for tests:
 * the compiled code finds its packages by walking up to the project's node_modules).
 */
export function build(log: (line: string) => void = (l) => console.log(`[build] ${l}`), out: string = path.join(root, 'dist')): string {
  const started = Date.now();
  rmSync(out, { recursive: true, force: true });
  log(`compiling gateway/, subgraphs/, emulators/, lib/ into ${path.relative(root, out)}/ with tsc -p tsconfig.build.json …`);
  execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json'), '--outDir', out], { cwd: root, stdio: 'inherit' });
  let copied = 0;
  for (const name of readdirSync(path.join(root, 'subgraphs'))) {
    const schema = path.join(root, 'subgraphs', name, 'schema.graphql');
    if (!existsSync(schema)) continue;
    cpSync(schema, path.join(out, 'subgraphs', name, 'schema.graphql'));
    copied++;
  }
  const rel = path.relative(root, out);
  log(`✓ ${rel}/ in ${((Date.now() - started) / 1000).toFixed(1)} s (${copied} subgraph schemas copied); run e.g. node ${rel}/gateway/main.js`);
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    build();
  } catch {
    console.error('[build] tsc failed: fix the errors above (npx tsc --noEmit shows them too), then run npm run build again.');
    process.exit(1);
  }
}
