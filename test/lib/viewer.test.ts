import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  inScope,
  maskEmail,
  maskIdNumber,
  maskPhone,
  mayRead,
  mayWriteBilling,
  piiAccessOf,
  scopeKeyOf,
  viewerFromClaims,
  ViewerError,
  type Area,
} from '../../lib/viewer.js';
import {
  ensureDevKeys,
  generateEd25519Pem,
  loadKey,
  signDevToken,
  ViewerSigner,
  ViewerTokenError,
  ViewerVerifier,
  VIEWER_TOKEN_AUDIENCE,
} from '../../lib/viewerToken.js';

const v = (roles: string[], region: { province?: string; localNetwork?: string } = {}) => viewerFromClaims({ sub: 'op.1', roles, region });

describe('viewerFromClaims', () => {
  it('keeps known roles only, sorted and once each', () => {
    expect(v(['noc', 'agent', 'noc', 'superuser']).roles).toEqual(['agent', 'noc']);
  });
  it('refuses a token without any known role, naming the known ones', () => {
    expect(() => v(['superuser'])).toThrow(/no role this gateway knows .*agent, billing, noc, analyst, admin/);
  });
  it('refuses a local network without a province and a malformed region code', () => {
    expect(() => v(['agent'], { localNetwork: 'SZ' })).toThrow(/region.localNetwork needs region.province/);
    expect(() => v(['agent'], { province: "GD' OR 1=1" })).toThrow(ViewerError);
  });
  it('reads an absent region as headquarters', () => {
    expect(viewerFromClaims({ sub: 'hq', roles: ['admin'] }).region).toEqual({});
  });
});

describe('scope', () => {
  const hq = v(['agent']);
  const gd = v(['agent'], { province: 'GD' });
  const sz = v(['agent'], { province: 'GD', localNetwork: 'SZ' });
  it('headquarters sees every region, a province its own, a local network its own', () => {
    const gz = { province: 'GD', localNetwork: 'GZ' };
    const bj = { province: 'BJ', localNetwork: 'BJ' };
    expect([inScope(hq, gz), inScope(hq, bj), inScope(hq, null)]).toEqual([true, true, true]);
    expect([inScope(gd, gz), inScope(gd, bj), inScope(gd, null)]).toEqual([true, false, false]);
    expect([inScope(sz, gz), inScope(sz, { province: 'GD', localNetwork: 'SZ' }), inScope(sz, { province: 'GD' })]).toEqual([false, true, false]);
  });
  it('scope keys differ by region and by roles, and not by subject', () => {
    expect(scopeKeyOf(gd)).toBe('agent@GD');
    expect(scopeKeyOf(sz)).toBe('agent@GD/SZ');
    expect(scopeKeyOf(hq)).toBe('agent@HQ');
    expect(scopeKeyOf(v(['analyst'], { province: 'GD' }))).not.toBe(scopeKeyOf(gd));
    expect(scopeKeyOf(viewerFromClaims({ sub: 'other', roles: ['agent'], region: { province: 'GD' } }))).toBe(scopeKeyOf(gd));
  });
});

describe('permission matrix (design.md)', () => {
  const areas: Area[] = ['customer-basic', 'customer-profile', 'tickets', 'lines', 'billing', 'network', 'loyalty'];
  it('only the NOC is kept to the network, basic customer data, lines and tickets', () => {
    for (const role of ['agent', 'billing', 'analyst', 'admin']) expect(areas.filter((a) => mayRead(v([role]), a))).toEqual(areas);
    expect(areas.filter((a) => mayRead(v(['noc']), a))).toEqual(['customer-basic', 'tickets', 'lines', 'network']);
    expect(areas.filter((a) => mayRead(v(['noc', 'analyst']), a))).toEqual(areas);
  });
  it('billing writes: billing and admin only', () => {
    expect(['agent', 'billing', 'noc', 'analyst', 'admin'].filter((r) => mayWriteBilling(v([r])))).toEqual(['billing', 'admin']);
  });
  it('PII access per role, the most any role allows', () => {
    expect(['agent', 'billing', 'noc', 'analyst', 'admin'].map((r) => piiAccessOf(v([r])))).toEqual(['agent', 'masked', 'masked', 'none', 'full']);
    expect(piiAccessOf(v(['analyst', 'agent']))).toBe('agent');
  });
  it('masks as the examples say', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('0755-8888')).toBe('07*****88');
    expect(maskIdNumber('110105199001011234', 'agent')).toBe('**************1234');
    expect(maskIdNumber('110105199001011234', 'masked')).toBe('*'.repeat(18));
    expect(maskEmail('zhang.wei@example.cn')).toBe('z********@example.cn');
    expect(maskIdNumber('91440300MA5ABCDE1X', 'agent')).toBe('**************DE1X');
  });
});

describe('viewer tokens', () => {
  const pair = generateEd25519Pem();
  const signer = new ViewerSigner(loadKey(pair.privateKey, 'private', 'VIEWER_SIGNING_KEY'), 60);
  const verifier = new ViewerVerifier(loadKey(pair.publicKey, 'public', 'VIEWER_VERIFY_KEY'));
  const sz = v(['agent'], { province: 'GD', localNetwork: 'SZ' });

  it('a signed viewer verifies to the same viewer', async () => {
    expect(await verifier.verify(await signer.sign(sz))).toEqual(sz);
  });
  it('reuses a token for half its life, then signs a new one', async () => {
    const t0 = 1_800_000_000_000;
    const a = await signer.sign(sz, t0);
    expect(await signer.sign(sz, t0 + 29_000)).toBe(a);
    expect(await signer.sign(sz, t0 + 31_000)).not.toBe(a);
  });
  it('refuses no token, another key, an expired token and a caller token with another audience', async () => {
    await expect(verifier.verify(undefined)).rejects.toThrow(/no x-viewer header/);
    const other = new ViewerSigner(createPrivateKey(generateEd25519Pem().privateKey));
    await expect(verifier.verify(await other.sign(sz))).rejects.toThrow(/signature or claims are not the gateway's/);
    const old = await new ViewerSigner(loadKey(pair.privateKey, 'private', 'K'), 60).sign(sz, Date.now() - 3_600_000);
    await expect(verifier.verify(old)).rejects.toThrow(/expired/);
    const caller = await signDevToken(createPrivateKey(pair.privateKey), { sub: 'x', roles: ['admin'] });
    await expect(verifier.verify(caller)).rejects.toThrow(ViewerTokenError);
    await expect(verifier.verify('not-a-jwt')).rejects.toThrow(/refused/);
    expect(VIEWER_TOKEN_AUDIENCE).not.toBe('telecom-customer-graph');
  });
  it('names the variable and the fix when a key is unreadable or the wrong half', () => {
    expect(() => loadKey('/nonexistent/key.pem', 'public', 'VIEWER_VERIFY_KEY')).toThrow(/VIEWER_VERIFY_KEY=\/nonexistent\/key.pem cannot be read \(ENOENT\)/);
    expect(() => loadKey(pair.publicKey, 'private', 'VIEWER_SIGNING_KEY')).toThrow(/VIEWER_SIGNING_KEY does not hold a private key/);
  });
  it('development keys are made once, private halves readable by the owner only', () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'keys-')), 'keys');
    const first = ensureDevKeys(dir);
    const again = ensureDevKeys(dir);
    expect([first.created, again.created]).toEqual([true, false]);
    expect(readFileSync(again.gatewayPrivate, 'utf8')).toMatch(/BEGIN PRIVATE KEY/);
    expect(statSync(first.issuerPrivate).mode & 0o077).toBe(0);
  });
});
