import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { loadKey } from '../lib/viewerToken.js';
import { DEV_AUDIENCE, DEV_ISSUER, ensureDevKeys, EXAMPLE_VIEWERS, signDevToken, type DevKeyFiles } from '../lib/viewerToken.js';
import { scopeLabel, viewerFromClaims, type ViewerRegion } from '../lib/viewer.js';

/**
 * `npm run tokens`: caller tokens for the embedded stack, signed by the development identity
 * provider whose keys `npm start` keeps in `.dev/keys/` (created here when absent, so the two
 * agree). Without options it prints the example viewers' tokens; with `--sub` and `--roles` it
 * signs one custom viewer. Development only: a real deployment takes its tokens from its IdP
 * (docs/security.md).
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Where `npm start` and `npm run tokens` keep the development keys and the playground's viewers:
 * `<repository>/.dev` (git-ignored), or `DEV_DIR` (tests use a temporary folder, so they never
 * touch a developer's keys).
 */
export function devPaths(dir = process.env.DEV_DIR || path.join(root, '.dev')): { dir: string; keys: string; viewers: string } {
  const abs = path.resolve(dir);
  return { dir: abs, keys: path.join(abs, 'keys'), viewers: path.join(abs, 'viewers.json') };
}

/** One viewer as `.dev/viewers.json` holds it, and as the playground's picker lists it. */
export interface DevViewer {
  readonly name: string;
  readonly sub: string;
  readonly roles: readonly string[];
  readonly region: ViewerRegion;
  readonly token: string;
}

/** Example viewers' tokens live 12 hours: a working day of `npm start` without re-signing. */
export const EXAMPLE_TOKEN_TTL_SECONDS = 12 * 3600;

/** Signs a token for every example viewer with the development issuer's private key. */
export async function signExampleViewers(keys: DevKeyFiles, now = Date.now()): Promise<DevViewer[]> {
  const key = loadKey(keys.issuerPrivate, 'private', 'the development issuer key');
  return Promise.all(
    EXAMPLE_VIEWERS.map(async (v) => ({
      name: v.name,
      sub: v.sub,
      roles: [...v.roles],
      region: { ...v.region },
      token: await signDevToken(key, v, { ttlSeconds: EXAMPLE_TOKEN_TTL_SECONDS, issuer: DEV_ISSUER, audience: DEV_AUDIENCE, now }),
    })),
  );
}

/** Writes the viewers file readable by its owner only (it holds bearer tokens). */
export function writeViewersFile(file: string, viewers: readonly DevViewer[]): void {
  writeFileSync(file, `${JSON.stringify(viewers, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600); // `mode` applies only when the file is created
}

/** The table `npm start` and `npm run tokens` print: viewer, roles, region. */
export function viewerTable(viewers: readonly Pick<DevViewer, 'name' | 'sub' | 'roles' | 'region'>[]): string {
  const rows = viewers.map((v) => [v.name, v.sub, v.roles.join(', '), scopeLabel(v.region)]);
  const header = ['viewer', 'sub', 'roles', 'region'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => c.padEnd(widths[i]!)).join('  ')}`.trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const USAGE = `usage: npm run tokens [-- --sub <login> --roles <role[,role]> [--province GD] [--local-network SZ] [--ttl <seconds>]]
  without options: the example viewers' tokens (also written to .dev/viewers.json)
  roles: agent, billing, noc, analyst, admin; no --province = headquarters`;

class UsageError extends Error {}

/** Signs one viewer from the command line's options, validated as the gateway will read it. */
async function signCustom(keys: DevKeyFiles, values: Record<string, string | undefined>): Promise<string> {
  if (!values.sub || !values.roles) throw new UsageError('--sub and --roles go together: give both, e.g. --sub gd.agent.0002 --roles agent --province GD');
  const roles = values.roles.split(',').map((r) => r.trim()).filter(Boolean);
  const region: { province?: string; localNetwork?: string } = {};
  if (values.province) region.province = values.province;
  if (values['local-network']) region.localNetwork = values['local-network'];
  const ttl = values.ttl === undefined ? EXAMPLE_TOKEN_TTL_SECONDS : Number(values.ttl);
  if (!Number.isInteger(ttl) || ttl <= 0) throw new UsageError(`--ttl ${values.ttl} is not a whole number of seconds above 0: give e.g. --ttl 3600`);
  // The gateway would refuse a token whose claims are not a viewer; say so here, with the reason.
  try {
    viewerFromClaims({ sub: values.sub, roles, region });
  } catch (e) {
    throw new UsageError(`${(e as Error).message}; fix the options (roles: agent, billing, noc, analyst, admin; regions such as GD, SZ)`);
  }
  return signDevToken(loadKey(keys.issuerPrivate, 'private', 'the development issuer key'), { sub: values.sub, roles, region }, { ttlSeconds: ttl });
}

export async function main(argv: readonly string[], options: { devDir?: string; out?: (line: string) => void; err?: (line: string) => void } = {}): Promise<number> {
  const out = options.out ?? console.log;
  const err = options.err ?? console.error;
  const dev = devPaths(options.devDir);
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        sub: { type: 'string' },
        roles: { type: 'string' },
        province: { type: 'string' },
        'local-network': { type: 'string' },
        ttl: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (e) {
    err(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    out(USAGE);
    return 0;
  }
  const keys = ensureDevKeys(dev.keys);
  if (keys.created) out(`[tokens] created development keys in ${path.relative(process.cwd(), dev.keys) || '.'}; restart \`npm start\` if it is running, so the gateway trusts them`);
  const custom = Object.entries(values).some(([k, v]) => k !== 'help' && v !== undefined);
  if (custom) {
    try {
      out(await signCustom(keys, values as Record<string, string | undefined>));
      return 0;
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      err(`${e.message}\n${USAGE}`);
      return 2;
    }
  }
  const viewers = await signExampleViewers(keys);
  writeViewersFile(dev.viewers, viewers);
  out(viewerTable(viewers));
  out('');
  for (const v of viewers) out(`# ${v.name} (${v.sub})\n${v.token}\n`);
  out(`Valid ${EXAMPLE_TOKEN_TTL_SECONDS / 3600} h, for a gateway started by \`npm start\` (issuer ${DEV_ISSUER}); also in ${path.relative(process.cwd(), dev.viewers)}.`);
  out('Send one as `Authorization: Bearer <token>`.');
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
