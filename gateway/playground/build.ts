import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';

/** One file of the bundled playground, served under `/playground/<name>`. */
export interface PlaygroundAsset {
  /** File name without directory, e.g. `app.js`. */
  readonly name: string;
  readonly contentType: string;
  readonly body: Buffer;
  /** Strong ETag (quoted) of `body`. */
  readonly etag: string;
}

export interface PlaygroundBundle {
  /** Hash of the inputs: changes when the sources or the installed graphiql change. */
  readonly key: string;
  /** By file name; always holds `app.js` and `app.css`. */
  readonly assets: ReadonlyMap<string, PlaygroundAsset>;
  /** True when read from `node_modules/.cache/playground/<key>/` rather than built. */
  readonly fromCache: boolean;
  readonly elapsedMs: number;
}

/** Bumped when the build options below change in a way the source hash cannot see. */
const BUILD_FORMAT = 'playground-build-2';

/** Packages whose installed version goes into the cache key. */
const KEYED_PACKAGES = ['graphiql', '@graphiql/react', '@graphiql/toolkit', 'react', 'react-dom', 'graphql', 'esbuild'];

/** Page layout around GraphiQL, bundled into app.css after GraphiQL's own stylesheet. */
const PAGE_CSS = `
html, body { height: 100%; margin: 0; }
#graphiql { height: 100vh; }
.playground-page { display: flex; flex-direction: column; height: 100%; }
.playground-viewer-bar { display: flex; align-items: center; gap: 0.6rem; padding: 0.4rem 1rem; font: 14px system-ui, sans-serif; border-bottom: 1px solid rgba(59, 75, 104, 0.15); }
.playground-viewer-bar select { font: inherit; padding: 0.15rem 0.3rem; }
.playground-viewer-note { opacity: 0.6; font-size: 12px; }
.playground-graphiql { flex: 1; min-height: 0; }
.playground-graphiql .graphiql-container { height: 100%; }
.graphiql-container .graphiql-footer:empty { display: none; }
`;

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
};

/**
 * References that would make a browser fetch something from another origin: script or
 * stylesheet tags, CSS imports and `url(...)`, and the usual CDN and web-font hosts.
 * Plain strings such as documentation links in GraphiQL's code are not fetched and not matched.
 */
const EXTERNAL_REFERENCE = new RegExp(
  [
    String.raw`<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//`,
    String.raw`@import\s+(?:url\(\s*)?["']?(?:https?:)?//`,
    String.raw`url\(\s*["']?(?:https?:)?//`,
    String.raw`importScripts\(\s*["'](?:https?:)?//`,
    String.raw`new\s+(?:Shared)?Worker\(\s*["'](?:https?:)?//`,
    String.raw`fonts\.(?:googleapis|gstatic)\.com`,
    String.raw`unpkg\.com`,
    String.raw`cdn\.jsdelivr\.net`,
    String.raw`cdnjs\.cloudflare\.com`,
    String.raw`esm\.sh/`,
  ].join('|'),
  'i',
);

/** The first fetchable cross-origin reference in `text`, or undefined. */
export function findExternalReference(text: string): string | undefined {
  const m = EXTERNAL_REFERENCE.exec(text);
  if (!m) return undefined;
  return text.slice(Math.max(0, m.index - 40), m.index + m[0].length + 40);
}

const sourceDir = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

function installedVersion(pkg: string): string {
  try {
    return (require(`${pkg}/package.json`) as { version: string }).version;
  } catch {
    return 'absent';
  }
}

/** app.tsx in development (tsx, vitest); app.js where tsc compiled the gateway. */
function entryFile(): string {
  const tsx = path.join(sourceDir, 'app.tsx');
  return existsSync(tsx) ? tsx : path.join(sourceDir, 'app.js');
}

async function cacheKey(): Promise<string> {
  const hash = createHash('sha256').update(BUILD_FORMAT).update('\0');
  const files = (await readdir(sourceDir)).filter((f) => /\.(?:tsx?|jsx?|mjs|css)$/.test(f) && !/\.d\.ts$/.test(f)).sort();
  for (const file of files) {
    hash.update(file).update('\0').update(await readFile(path.join(sourceDir, file))).update('\0');
  }
  for (const pkg of KEYED_PACKAGES) hash.update(`${pkg}@${installedVersion(pkg)}\0`);
  return hash.digest('hex').slice(0, 16);
}

/** `<project>/node_modules/.cache/playground`, next to the graphiql that is bundled. */
function cacheRoot(): string {
  const graphiqlDir = path.dirname(require.resolve('graphiql/package.json'));
  return path.join(path.dirname(graphiqlDir), '.cache', 'playground');
}

function toAsset(name: string, body: Buffer): PlaygroundAsset {
  return {
    name,
    contentType: CONTENT_TYPES[path.extname(name)] ?? 'application/octet-stream',
    body,
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
  };
}

async function readCache(dir: string): Promise<Map<string, PlaygroundAsset> | undefined> {
  try {
    const names = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as unknown;
    if (!Array.isArray(names) || !names.every((n): n is string => typeof n === 'string' && n === path.basename(n))) return undefined;
    const assets = new Map<string, PlaygroundAsset>();
    for (const name of names) assets.set(name, toAsset(name, await readFile(path.join(dir, name))));
    return assets.has('app.js') && assets.has('app.css') ? assets : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Writes the bundle to `<root>/<key>/` atomically (temp dir, then rename), so a concurrent start
 * never reads half a cache; keeps the three newest keys. Best effort: a read-only node_modules
 * only costs the next start a rebuild.
 */
async function writeCache(root: string, key: string, assets: ReadonlyMap<string, PlaygroundAsset>): Promise<void> {
  const tmp = path.join(root, `.tmp-${key}-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(tmp, { recursive: true });
    for (const asset of assets.values()) await writeFile(path.join(tmp, asset.name), asset.body);
    await writeFile(path.join(tmp, 'manifest.json'), JSON.stringify([...assets.keys()]));
    await rename(tmp, path.join(root, key)).catch(() => rm(tmp, { recursive: true, force: true }));
    const entries = await readdir(root);
    const dated = await Promise.all(
      entries.filter((e) => !e.startsWith('.')).map(async (e) => ({ e, t: (await stat(path.join(root, e))).mtimeMs })),
    );
    dated.sort((a, b) => b.t - a.t);
    for (const { e } of dated.slice(3)) if (e !== key) await rm(path.join(root, e), { recursive: true, force: true });
  } catch {
    await rm(tmp, { recursive: true, force: true }).catch(() => {});
  }
}

/** Serves app.css as a virtual entry: GraphiQL's stylesheet plus the page layout. */
function styleEntry(): Plugin {
  return {
    name: 'playground-style',
    setup(build) {
      build.onResolve({ filter: /^playground:style$/ }, () => ({ path: 'style', namespace: 'playground' }));
      build.onLoad({ filter: /.*/, namespace: 'playground' }, () => ({
        contents: `@import ${JSON.stringify(require.resolve('graphiql/style.css'))};\n${PAGE_CSS}`,
        loader: 'css',
        resolveDir: sourceDir,
      }));
    },
  };
}

/**
 * Replaces graphql-ws with a stub: the gateway serves no subscriptions, the page passes no
 * subscriptionUrl, and the toolkit only imports it lazily for one; the stub keeps a websocket
 * client out of the bundle.
 */
function noWebsocketClient(): Plugin {
  return {
    name: 'playground-no-graphql-ws',
    setup(build) {
      build.onResolve({ filter: /^graphql-ws$/ }, () => ({ path: 'graphql-ws', namespace: 'playground-stub' }));
      build.onLoad({ filter: /.*/, namespace: 'playground-stub' }, () => ({
        contents: `export function createClient() { throw new Error('The gateway serves no subscriptions.'); }`,
        loader: 'js',
      }));
    },
  };
}

async function bundle(): Promise<Map<string, PlaygroundAsset>> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    absWorkingDir: sourceDir,
    entryPoints: [
      { in: entryFile(), out: 'app' },
      { in: 'playground:style', out: 'app' },
    ],
    outdir: path.join(sourceDir, 'out'), // nothing is written (write: false); names only
    write: false,
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: ['chrome109', 'edge109', 'firefox115', 'safari15.6'],
    minify: true,
    legalComments: 'none',
    sourcemap: false,
    define: { 'process.env.NODE_ENV': '"production"' },
    // Fonts and images GraphiQL's CSS may point at become same-origin files.
    loader: { '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.svg': 'file', '.png': 'file' },
    assetNames: '[name]-[hash]',
    logLevel: 'silent',
    plugins: [styleEntry(), noWebsocketClient()],
  });
  const assets = new Map<string, PlaygroundAsset>();
  for (const file of result.outputFiles) {
    const name = path.basename(file.path);
    assets.set(name, toAsset(name, Buffer.from(file.contents)));
  }
  for (const asset of assets.values()) {
    const hit = findExternalReference(asset.body.toString('utf8'));
    if (hit) throw new Error(`playground asset ${asset.name} references another origin (…${hit}…); the playground must work offline: bundle that resource or drop it in gateway/playground/build.ts`);
  }
  if (!assets.has('app.js') || !assets.has('app.css')) throw new Error(`the playground build produced ${[...assets.keys()].join(', ') || 'nothing'}, not app.js and app.css`);
  return assets;
}

let pending: Promise<PlaygroundBundle> | undefined;

/**
 * The bundled playground: from the disk cache when its key matches, else built with esbuild
 * (about a second) and cached. Memoised per process. Logs nothing; on failure rejects with an
 * error that says what to do.
 */
export function buildPlayground(): Promise<PlaygroundBundle> {
  pending ??= (async () => {
    const started = performance.now();
    const key = await cacheKey();
    const root = cacheRoot();
    const cached = await readCache(path.join(root, key));
    if (cached) return { key, assets: cached, fromCache: true, elapsedMs: performance.now() - started };
    let assets: Map<string, PlaygroundAsset>;
    try {
      assets = await bundle();
    } catch (e) {
      const err = e as { message?: string; errors?: { text: string; location?: { file: string; line: number } | null }[] };
      const detail = err.errors?.length
        ? err.errors.map((m) => (m.location ? `${m.location.file}:${m.location.line}: ${m.text}` : m.text)).join('; ')
        : (err.message ?? String(e));
      throw new Error(
        `Cannot build the playground (${detail}). Run \`npm ci\` so that graphiql, react, react-dom and esbuild are installed, and fix gateway/playground/ if the error points there.`,
        { cause: e },
      );
    }
    await writeCache(root, key, assets);
    return { key, assets, fromCache: false, elapsedMs: performance.now() - started };
  })();
  pending.catch(() => {
    pending = undefined; // let a later call retry
  });
  return pending;
}
