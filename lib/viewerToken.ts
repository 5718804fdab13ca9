import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { scopeKeyOf, viewerFromClaims, ViewerError, type Viewer } from './viewer.js';

/**
 * The viewer as it travels from the gateway to the subgraphs: a short-lived JWT signed by the
 * gateway (EdDSA, Ed25519) in the `x-viewer` header. Only the gateway holds the private key; a
 * subgraph holds the public one and refuses any request without a valid signature, so nobody reads
 * a legacy system around the gateway.
 */

export const VIEWER_HEADER = 'x-viewer';

export const VIEWER_TOKEN_ISSUER = 'telecom-customer-graph/gateway';
export const VIEWER_TOKEN_AUDIENCE = 'telecom-customer-graph/subgraphs';
const ALG = 'EdDSA';

/**
 * A key given in configuration: PEM text itself, or the path of a file holding it. `kind` says
 * which half is expected, so a public key given where the private one belongs is named as such.
 */
export function loadKey(value: string, kind: 'private' | 'public', variable: string): KeyObject {
  const text = value.trimStart().startsWith('-----BEGIN') ? value : readKeyFile(value, variable);
  try {
    return kind === 'private' ? createPrivateKey(text) : createPublicKey(text);
  } catch (e) {
    throw new ViewerError(`${variable} does not hold a ${kind} key in PEM form (${(e as Error).message}): give the PEM text or the path of a .pem file, e.g. the ones npm start writes to .dev/keys`);
  }
}

function readKeyFile(file: string, variable: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new ViewerError(`${variable}=${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): give the PEM text or the path of a readable .pem file`);
  }
}

/**
 * Signs viewers for the subgraphs. A token lives `ttlSeconds`; one is reused for the same viewer
 * while more than half its life remains, so a busy viewer costs one signature per half-life.
 */
export class ViewerSigner {
  private readonly cache = new Map<string, { token: string; renewAt: number }>();
  constructor(
    private readonly key: KeyObject,
    private readonly ttlSeconds = 120,
    private readonly maxCached = 10_000,
  ) {}

  async sign(viewer: Viewer, now = Date.now()): Promise<string> {
    const cacheKey = `${viewer.sub}\u0000${scopeKeyOf(viewer)}`;
    const hit = this.cache.get(cacheKey);
    if (hit && hit.renewAt > now) return hit.token;
    const iat = Math.floor(now / 1000);
    const token = await new SignJWT({ roles: [...viewer.roles], region: { ...viewer.region } })
      .setProtectedHeader({ alg: ALG, typ: 'JWT' })
      .setSubject(viewer.sub)
      .setIssuer(VIEWER_TOKEN_ISSUER)
      .setAudience(VIEWER_TOKEN_AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.ttlSeconds)
      .sign(this.key);
    if (this.cache.size >= this.maxCached) this.cache.clear();
    this.cache.set(cacheKey, { token, renewAt: now + (this.ttlSeconds * 1000) / 2 });
    return token;
  }
}

/** Why a viewer token was refused, said to the caller (never the token itself). */
export class ViewerTokenError extends Error {
  override name = 'ViewerTokenError';
}

/**
 * Verifies the gateway's viewer tokens in a subgraph. A verified token is remembered until it
 * expires (the gateway reuses each for half its life), so the signature is checked once per token.
 */
export class ViewerVerifier {
  private readonly cache = new Map<string, { viewer: Viewer; expiresAt: number }>();
  constructor(
    private readonly key: KeyObject,
    private readonly maxCached = 10_000,
  ) {}

  async verify(token: string | undefined, now = Date.now()): Promise<Viewer> {
    if (!token) throw new ViewerTokenError(`no ${VIEWER_HEADER} header: subgraphs answer only the gateway; send the query to the gateway's /graphql`);
    const hit = this.cache.get(token);
    if (hit && hit.expiresAt > now) return hit.viewer;
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.key, { algorithms: [ALG], issuer: VIEWER_TOKEN_ISSUER, audience: VIEWER_TOKEN_AUDIENCE, currentDate: new Date(now) }));
    } catch (e) {
      const why = e instanceof joseErrors.JWTExpired ? 'it has expired' : e instanceof joseErrors.JOSEError ? `its signature or claims are not the gateway's (${e.code})` : 'it is not a JWT';
      throw new ViewerTokenError(`the ${VIEWER_HEADER} token was refused: ${why}; subgraphs answer only the gateway configured with the matching VIEWER_SIGNING_KEY`);
    }
    let viewer: Viewer;
    try {
      viewer = viewerFromClaims(payload);
    } catch (e) {
      throw new ViewerTokenError(`the ${VIEWER_HEADER} token was refused: ${(e as Error).message}`);
    }
    if (this.cache.size >= this.maxCached) this.cache.clear();
    this.cache.set(token, { viewer, expiresAt: (payload.exp ?? 0) * 1000 });
    return viewer;
  }
}

/** A fresh Ed25519 key pair as PEM text. */
export function generateEd25519Pem(): { privateKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

/** The development key files of the embedded stack (`.dev/keys/`, never committed). */
export interface DevKeyFiles {
  /** The development identity provider's pair: it signs the example viewers' tokens; the gateway verifies them. */
  readonly issuerPrivate: string;
  readonly issuerPublic: string;
  /** The gateway's pair: it signs viewers for the subgraphs; the subgraphs verify them. */
  readonly gatewayPrivate: string;
  readonly gatewayPublic: string;
}

/** Creates the development keys under `dir` unless they are there; returns their paths. */
export function ensureDevKeys(dir: string): DevKeyFiles & { created: boolean } {
  const files: DevKeyFiles = {
    issuerPrivate: path.join(dir, 'dev-issuer.private.pem'),
    issuerPublic: path.join(dir, 'dev-issuer.public.pem'),
    gatewayPrivate: path.join(dir, 'gateway-viewer.private.pem'),
    gatewayPublic: path.join(dir, 'gateway-viewer.public.pem'),
  };
  const created = !Object.values(files).every((f) => existsSync(f));
  if (created) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (const [priv, pub] of [
      [files.issuerPrivate, files.issuerPublic],
      [files.gatewayPrivate, files.gatewayPublic],
    ] as const) {
      const pair = generateEd25519Pem();
      writeFileSync(priv, pair.privateKey, { mode: 0o600 });
      writeFileSync(pub, pair.publicKey);
    }
  }
  return { ...files, created };
}

/** The development identity provider's issuer and audience (`AUTH_ISSUER`/`AUTH_AUDIENCE` of the embedded stack). */
export const DEV_ISSUER = 'telecom-customer-graph/dev-issuer';
export const DEV_AUDIENCE = 'telecom-customer-graph';

/** The example viewers `npm start` prints tokens for, and the playground offers. */
export const EXAMPLE_VIEWERS = [
  { name: 'HQ admin', sub: 'hq.admin', roles: ['admin'], region: {} },
  { name: 'Guangdong agent', sub: 'gd.agent.0001', roles: ['agent'], region: { province: 'GD' } },
  { name: 'Shenzhen agent', sub: 'sz.agent.0042', roles: ['agent'], region: { province: 'GD', localNetwork: 'SZ' } },
  { name: 'Analyst', sub: 'hq.analyst', roles: ['analyst'], region: {} },
  { name: 'NOC engineer', sub: 'noc.engineer', roles: ['noc'], region: {} },
] as const;

/** Signs a caller token as the development identity provider would (EdDSA). */
export async function signDevToken(
  issuerPrivateKey: KeyObject,
  claims: { sub: string; roles: readonly string[]; region?: { province?: string; localNetwork?: string } },
  options: { ttlSeconds?: number; issuer?: string; audience?: string; now?: number } = {},
): Promise<string> {
  const iat = Math.floor((options.now ?? Date.now()) / 1000);
  return new SignJWT({ roles: [...claims.roles], region: { ...(claims.region ?? {}) } })
    .setProtectedHeader({ alg: ALG, typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuer(options.issuer ?? DEV_ISSUER)
    .setAudience(options.audience ?? DEV_AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + (options.ttlSeconds ?? 12 * 3600))
    .sign(issuerPrivateKey);
}
