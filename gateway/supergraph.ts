import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Supergraph } from '@apollo/federation-internals';
import type { SupergraphSdlHook } from '@apollo/gateway';
import type { Logger } from '../lib/logger.js';

/**
 * Loads the supergraph from a file for @apollo/gateway (its `supergraphSdl` function form) and,
 * when `watch` is on, swaps the running gateway to a new version of the file: a change is
 * debounced, read, validated, then handed to the gateway's `update`. Requests already planned
 * finish on the schema they started with. A file that cannot be read, is not a supergraph, or
 * whose composition metadata is broken is refused: the gateway keeps serving the previous one and
 * the reason is logged with the path.
 *
 * The file's directory is watched, not the file: editors and deploy tools (`mv`, k8s ConfigMap
 * symlink swaps) replace the file by rename, which ends a watch on the file itself. Any event in
 * the directory triggers a (debounced) re-read; unchanged content is ignored.
 */
export interface SupergraphFileOptions {
  readonly path: string;
  readonly watch: boolean;
  readonly logger: Logger;
  /** Subgraph name → URL that overrides the supergraph's (a subgraph needs one or the other). */
  readonly subgraphUrls?: Readonly<Record<string, string>>;
  /** @default 200 */
  readonly debounceMs?: number;
}

/**
 * Throws, with a reason fit for a log line, when `sdl` is not a supergraph the gateway can serve:
 * not GraphQL, not a federation 2 supergraph (`@link`/`join__` metadata), subgraphs that cannot
 * be extracted, no API schema, or a subgraph without a URL and without an override.
 */
export function validateSupergraph(sdl: string, subgraphUrls: Readonly<Record<string, string>> = {}): Map<string, string> {
  if (!sdl.trim()) throw new Error('the file is empty');
  const supergraph = Supergraph.build(sdl);
  supergraph.apiSchema();
  supergraph.subgraphs();
  const metadata = supergraph.subgraphsMetadata();
  if (!metadata.length) throw new Error('the supergraph names no subgraph');
  const urls = new Map<string, string>();
  for (const { name, url } of metadata) {
    const final = subgraphUrls[name] ?? url;
    if (!final) throw new Error(`subgraph "${name}" has no URL in the supergraph and no ${name.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_SUBGRAPH_URL override`);
    urls.set(name, final);
  }
  return urls;
}

/**
 * After a swap, asks each subgraph that is new (or moved) in the supergraph whether it is up
 * (`/health/live`), and says so in the log: an integrator who composed before starting the new
 * subgraph learns why its fields are null (SUBGRAPH_UNAVAILABLE) and what to do. It does not hold
 * the swap back: the other subgraphs' new fields are served either way, and a subgraph that comes
 * up later is used from its first answer.
 */
export async function probeNewSubgraphs(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>, logger: Logger, timeoutMs = 2000): Promise<Record<string, 'up' | 'down'>> {
  const outcome: Record<string, 'up' | 'down'> = {};
  await Promise.all(
    [...after].map(async ([name, url]) => {
      if (before.get(name) === url) return;
      const health = url.replace(/\/graphql\/?$/, '') + '/health/live';
      try {
        const res = await fetch(health, { signal: AbortSignal.timeout(timeoutMs) });
        await res.body?.cancel();
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        outcome[name] = 'up';
        logger.info({ subgraph: name, url }, `subgraph ${name} is new in the supergraph and answers at ${url}`);
      } catch (e) {
        outcome[name] = 'down';
        const variable = `${name.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_SUBGRAPH_URL`;
        logger.warn(
          { subgraph: name, url, reason: (e as Error).message },
          `subgraph ${name} is new in the supergraph but does not answer at ${health} (${(e as Error).message}): its fields answer SUBGRAPH_UNAVAILABLE until it starts; start it, or point ${variable} at where it runs`,
        );
      }
    }),
  );
  return outcome;
}

const digest = (s: string) => createHash('sha256').update(s).digest('hex');

export function supergraphFromFile(options: SupergraphFileOptions): SupergraphSdlHook {
  const file = path.resolve(options.path);
  const { logger } = options;
  const debounceMs = options.debounceMs ?? 200;

  return async ({ update }) => {
    const supergraphSdl = await readFile(file, 'utf8').catch((e: Error) => {
      throw new Error(`Cannot read the supergraph at ${file} (${e.message}): run \`npm run compose\`, or set SUPERGRAPH_PATH to a composed supergraph file.`);
    });
    let currentUrls: Map<string, string>;
    try {
      currentUrls = validateSupergraph(supergraphSdl, options.subgraphUrls);
    } catch (e) {
      throw new Error(`The supergraph at ${file} cannot be served (${(e as Error).message}): run \`npm run compose\`, or set SUPERGRAPH_PATH to a composed supergraph file.`);
    }
    let current = digest(supergraphSdl);
    if (!options.watch) return { supergraphSdl };

    let timer: NodeJS.Timeout | undefined;
    let running: Promise<void> | undefined;
    let again = false;
    let closed = false;

    const reload = async (): Promise<void> => {
      let sdl: string;
      try {
        sdl = await readFile(file, 'utf8');
      } catch (e) {
        logger.error({ path: file, reason: (e as Error).message }, `supergraph refused: cannot read ${file}; still serving the previous supergraph`);
        return;
      }
      const id = digest(sdl);
      if (id === current || closed) return;
      let urls: Map<string, string>;
      try {
        urls = validateSupergraph(sdl, options.subgraphUrls);
        update(sdl);
      } catch (e) {
        // Remember the refused content so the same bad file is reported once, not on every event.
        current = id;
        logger.error({ path: file, reason: (e as Error).message }, `supergraph refused: ${file} is not a valid supergraph (${(e as Error).message}); still serving the previous supergraph`);
        return;
      }
      current = id;
      logger.info({ path: file, sha256: id }, `supergraph reloaded from ${file}`);
      const before = currentUrls;
      currentUrls = urls;
      await probeNewSubgraphs(before, urls, logger);
    };

    const run = () => {
      timer = undefined;
      if (running) {
        again = true;
        return;
      }
      running = reload()
        .catch((e: Error) => logger.error({ path: file, reason: e.message }, 'supergraph reload failed'))
        .finally(() => {
          running = undefined;
          if (again && !closed) {
            again = false;
            run();
          }
        });
    };

    const watcher: FSWatcher = watch(path.dirname(file), { persistent: false }, () => {
      if (closed) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(run, debounceMs);
    });
    watcher.on('error', (e) => logger.error({ path: file, reason: e.message }, `stopped watching ${path.dirname(file)} for supergraph changes`));
    logger.info({ path: file }, `watching ${file} for supergraph changes`);

    return {
      supergraphSdl,
      cleanup: async () => {
        closed = true;
        if (timer) clearTimeout(timer);
        watcher.close();
        await running;
      },
    };
  };
}
