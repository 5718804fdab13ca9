import { statSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeJwt, jwtVerify } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEV_AUDIENCE, DEV_ISSUER, EXAMPLE_VIEWERS, loadKey } from '../../lib/viewerToken.js';
import { main } from '../../scripts/tokens.js';

/**
 * `npm run tokens` (scripts/tokens.ts): the example viewers' tokens, or one custom viewer's,
 * signed with the development issuer key that `npm start` gives the gateway — so every printed
 * token verifies against `.dev/keys/dev-issuer.public.pem` with the dev issuer and audience.
 */

let dir: string;
let out: string[];
let err: string[];
const run = (...argv: string[]) => main(argv, { devDir: dir, out: (l) => out.push(l), err: (l) => err.push(l) });
const verify = (token: string) =>
  jwtVerify(token, loadKey(path.join(dir, 'keys/dev-issuer.public.pem'), 'public', 'test'), { issuer: DEV_ISSUER, audience: DEV_AUDIENCE, algorithms: ['EdDSA'] });

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tokens-test-'));
  out = [];
  err = [];
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('npm run tokens', () => {
  it('creates the development keys and prints a verifiable 12-hour token for every example viewer', async () => {
    expect(await run()).toBe(0);
    const text = out.join('\n');
    expect(text).toContain('created development keys');
    for (const f of ['dev-issuer.private.pem', 'dev-issuer.public.pem', 'gateway-viewer.private.pem', 'gateway-viewer.public.pem']) {
      expect(statSync(path.join(dir, 'keys', f)).isFile(), f).toBe(true);
    }
    expect(statSync(path.join(dir, 'keys/dev-issuer.private.pem')).mode & 0o777).toBe(0o600);
    expect(text).toMatch(/Shenzhen agent\s+sz\.agent\.0042\s+agent\s+GD\/SZ/);
    expect(text).toMatch(/HQ admin\s+hq\.admin\s+admin\s+HQ/);
    const tokens = [...text.matchAll(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/gm)].map((m) => m[0]);
    expect(tokens).toHaveLength(EXAMPLE_VIEWERS.length);
    for (const [i, token] of tokens.entries()) {
      const { payload } = await verify(token);
      expect(payload.sub).toBe(EXAMPLE_VIEWERS[i]!.sub);
      expect(payload.roles).toEqual(EXAMPLE_VIEWERS[i]!.roles);
      expect(payload.region).toEqual(EXAMPLE_VIEWERS[i]!.region);
      expect(payload.exp! - payload.iat!).toBe(12 * 3600);
    }
    // The same tokens, for the playground, in a file only its owner reads.
    const file = path.join(dir, 'viewers.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const viewers = JSON.parse(readFileSync(file, 'utf8')) as { name: string; sub: string; token: string }[];
    expect(viewers.map((v) => v.name)).toEqual(['HQ admin', 'Guangdong agent', 'Shenzhen agent', 'Analyst', 'NOC engineer']);
    expect(viewers.map((v) => v.token)).toEqual(tokens);
  });

  it('keeps existing keys: a second run signs with the same issuer key', async () => {
    await run();
    const before = readFileSync(path.join(dir, 'keys/dev-issuer.public.pem'), 'utf8');
    out = [];
    expect(await run()).toBe(0);
    expect(out.join('\n')).not.toContain('created development keys');
    expect(readFileSync(path.join(dir, 'keys/dev-issuer.public.pem'), 'utf8')).toBe(before);
  });

  it('signs a custom viewer from --sub, --roles, --province, --local-network and --ttl', async () => {
    expect(await run('--sub', 'x', '--roles', 'agent,billing', '--province', 'GD', '--local-network', 'SZ', '--ttl', '3600')).toBe(0);
    const token = out.at(-1)!;
    const { payload } = await verify(token);
    expect(payload).toMatchObject({ sub: 'x', roles: ['agent', 'billing'], region: { province: 'GD', localNetwork: 'SZ' } });
    expect(payload.exp! - payload.iat!).toBe(3600);
    // Headquarters: no --province, an empty region.
    out = [];
    await run('--sub', 'hq.x', '--roles', 'analyst');
    expect(decodeJwt(out.at(-1)!).region).toEqual({});
  });

  it.each([
    [['--sub', 'x', '--roles', 'janitor'], /no role this gateway knows.*known: agent, billing, noc, analyst, admin/],
    [['--sub', 'x', '--roles', 'agent', '--local-network', 'SZ'], /region.localNetwork needs region.province/],
    [['--sub', 'x', '--roles', 'agent', '--province', 'guangdong'], /region.province is not a region code such as GD/],
    [['--sub', 'x', '--roles', 'agent', '--ttl', '1.5'], /--ttl 1.5 is not a whole number of seconds above 0: give e.g. --ttl 3600/],
    [['--roles', 'agent'], /--sub and --roles go together/],
    [['--colour', 'red'], /Unknown option '--colour'/],
  ])('refuses %j with exit code 2 and says what to fix', async (argv, message) => {
    expect(await run(...argv)).toBe(2);
    expect(err.join('\n')).toMatch(message);
    expect(err.join('\n')).toContain('usage: npm run tokens');
    expect(out.filter((l) => l.startsWith('eyJ'))).toEqual([]);
  });
});
