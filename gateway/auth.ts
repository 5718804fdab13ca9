import type { KeyObject } from 'node:crypto';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { ConfigError } from '../lib/config.js';
import { UNRESTRICTED_VIEWER, viewerFromClaims, ViewerError, type Viewer } from '../lib/viewer.js';
import { loadKey, ViewerSigner } from '../lib/viewerToken.js';
import type { GatewayAuthConfig } from './config.js';

/**
 * Authentication at the gateway (docs/security.md): the caller's `Authorization: Bearer <JWT>` is
 * verified with `jose` against the configured JWKS URL or public key, issuer and audience; its
 * claims become the {@link Viewer}; the viewer is re-signed for the subgraphs (`x-viewer`).
 */

/** The viewer of every request when `AUTH_DISABLED=true` (the subgraphs' too). */
export const DISABLED_VIEWER: Viewer = UNRESTRICTED_VIEWER;

/** Why a caller was refused: said in the 401 answer (never the token itself). */
export class AuthenticationError extends Error {
  override name = 'AuthenticationError';
}

export interface GatewayAuthenticator {
  /** The viewer of a request's `Authorization` header, or an {@link AuthenticationError}. */
  authenticate(authorization: string | undefined): Promise<Viewer>;
  /** The `x-viewer` token the subgraphs receive for this viewer; undefined when nothing signs (auth disabled without a key). */
  sign(viewer: Viewer): Promise<string | undefined>;
}

/** A verified caller token is remembered until it expires (bounded), so the signature is checked once per token. */
class VerifiedTokens {
  private readonly entries = new Map<string, { viewer: Viewer; expiresAt: number }>();
  constructor(private readonly max = 10_000) {}
  get(token: string, now: number): Viewer | undefined {
    const hit = this.entries.get(token);
    if (!hit) return undefined;
    if (hit.expiresAt > now) return hit.viewer;
    this.entries.delete(token);
    return undefined;
  }
  set(token: string, viewer: Viewer, expiresAt: number): void {
    if (this.entries.size >= this.max) this.entries.clear();
    this.entries.set(token, { viewer, expiresAt });
  }
}

const BEARER = /^Bearer[ ]+([A-Za-z0-9\-_=]+\.[A-Za-z0-9\-_=]+\.[A-Za-z0-9\-_=]*)\s*$/i;

/** Says in words why jose refused a token, and what to do. */
function reasonOf(e: unknown, issuer: string, audience: string): string {
  if (e instanceof joseErrors.JWTExpired) return 'the token has expired: get a new one from your identity provider (in the embedded stack, `npm run tokens`)';
  if (e instanceof joseErrors.JWTClaimValidationFailed) {
    if (e.claim === 'iss') return `the token's issuer is not ${JSON.stringify(issuer)} (AUTH_ISSUER)`;
    if (e.claim === 'aud') return `the token's audience is not ${JSON.stringify(audience)} (AUTH_AUDIENCE)`;
    if (e.claim === 'exp') return 'the token has no expiry (exp): tokens without one are refused';
    return `the token's claim ${e.claim} is not valid (${e.reason})`;
  }
  if (e instanceof joseErrors.JWSSignatureVerificationFailed) return 'the token is not signed by the configured identity provider (signature check failed)';
  if (e instanceof joseErrors.JWKSNoMatchingKey) return "the token's key (kid) is not among the identity provider's keys";
  if (e instanceof joseErrors.JOSEAlgNotAllowed || e instanceof joseErrors.JOSENotSupported) return "the token's algorithm does not match the identity provider's key";
  if (e instanceof joseErrors.JWKSTimeout || (e instanceof Error && /fetch|ECONNREFUSED|JWKS/i.test(e.message))) return "the identity provider's keys could not be fetched from AUTH_JWKS_URL; try again";
  if (e instanceof joseErrors.JOSEError) return `the token was refused (${e.code})`;
  return 'the token is not a JWT';
}

export function createAuthenticator(config: GatewayAuthConfig, now: () => number = Date.now): GatewayAuthenticator {
  const signer = config.signingKey ? new ViewerSigner(loadConfiguredKey(config.signingKey, 'private', 'VIEWER_SIGNING_KEY')) : undefined;
  const sign = async (viewer: Viewer) => signer?.sign(viewer, now());
  if (config.kind === 'disabled') return { authenticate: async () => DISABLED_VIEWER, sign };

  const key: KeyObject | JWTVerifyGetKey = config.jwksUrl ? createRemoteJWKSet(new URL(config.jwksUrl), { timeoutDuration: 5000, cooldownDuration: 30_000 }) : loadConfiguredKey(config.publicKey!, 'public', 'AUTH_PUBLIC_KEY');
  const verified = new VerifiedTokens();
  return {
    sign,
    async authenticate(authorization) {
      if (!authorization) throw new AuthenticationError('no credentials: send `Authorization: Bearer <token>` with a token from your identity provider (in the embedded stack, pick a viewer in the playground or run `npm run tokens`)');
      const m = BEARER.exec(authorization);
      if (!m) throw new AuthenticationError('the Authorization header is not `Bearer <JWT>`: send `Authorization: Bearer <token>`');
      const token = m[1]!;
      const at = now();
      const hit = verified.get(token, at);
      if (hit) return hit;
      let payload;
      try {
        ({ payload } = await jwtVerify(token, key as KeyObject, { issuer: config.issuer, audience: config.audience, requiredClaims: ['exp'], currentDate: new Date(at) }));
      } catch (e) {
        throw new AuthenticationError(reasonOf(e, config.issuer, config.audience));
      }
      let viewer: Viewer;
      try {
        viewer = viewerFromClaims(payload);
      } catch (e) {
        throw new AuthenticationError(e instanceof ViewerError ? e.message : 'the token carries no viewer');
      }
      verified.set(token, viewer, payload.exp! * 1000);
      return viewer;
    },
  };
}

function loadConfiguredKey(value: string, kind: 'private' | 'public', variable: string): KeyObject {
  try {
    return loadKey(value, kind, variable);
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
}
