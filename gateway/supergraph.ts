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
export function validateSupergraph(sdl: string, subgraphUrls: Readonly<Record<string, string>> = {}): void {
  if (!sdl.trim()) throw new Error('the file is empty');
  const supergraph = Supergraph.build(sdl);
  supergraph.apiSchema();
  supergraph.subgraphs();
  const metadata = supergraph.subgraphsMetadata();
  if (!metadata.length) throw new Error('the supergraph names no subgraph');
  for (const { name, url } of metadata) {
    if (!url && !subgraphUrls[name]) throw new Error(`subgraph "${name}" has no URL in the supergraph and no ${name.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_SUBGRAPH_URL override`);
  }
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
    try {
      validateSupergraph(supergraphSdl, options.subgraphUrls);
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
      try {
        validateSupergraph(sdl, options.subgraphUrls);
        update(sdl);
      } catch (e) {
        // Remember the refused content so the same bad file is reported once, not on every event.
        current = id;
        logger.error({ path: file, reason: (e as Error).message }, `supergraph refused: ${file} is not a valid supergraph (${(e as Error).message}); still serving the previous supergraph`);
        return;
      }
      current = id;
      logger.info({ path: file, sha256: id }, `supergraph reloaded from ${file}`);
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
