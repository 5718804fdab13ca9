import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSchema, parse } from 'graphql';
import { exportJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../lib/config.js';
import { generateEd25519Pem, signDevToken, ViewerVerifier } from '../../lib/viewerToken.js';
import { AuthenticationError, createAuthenticator, DISABLED_VIEWER } from '../../gateway/auth.js';
import { loadGatewayConfig } from '../../gateway/config.js';
import { ASSUMED_LIST_SIZE, costDependsOnVariables, costOf } from '../../gateway/limits.js';

/** The gateway's configuration of authentication and limits, and the authenticator on its own. */

const issuer = generateEd25519Pem();
const gatewayKeys = generateEd25519Pem();
const AUTH_ENV = { AUTH_PUBLIC_KEY: issuer.publicKey, AUTH_ISSUER: 'https://idp.test', AUTH_AUDIENCE: 'graph', VIEWER_SIGNING_KEY: gatewayKeys.privateKey };

describe('gateway authentication configuration', () => {
  it('requires a key source, issuer, audience and signing key, naming each', () => {
    expect(() => loadGatewayConfig({})).toThrow(ConfigError);
    try {
      loadGatewayConfig({});
    } catch (e) {
      const m = (e as Error).message;
      expect(m).toMatch(/AUTH_JWKS_URL or AUTH_PUBLIC_KEY is required/);
      expect(m).toMatch(/AUTH_ISSUER is required/);
      expect(m).toMatch(/AUTH_AUDIENCE is required/);
      expect(m).toMatch(/VIEWER_SIGNING_KEY is required/);
    }
  });

  it('refuses both key sources at once, and a JWKS URL that is not http(s)', () => {
    expect(() => loadGatewayConfig({ ...AUTH_ENV, AUTH_JWKS_URL: 'https://idp.test/jwks' })).toThrow(/both set: keep one/);
    const { AUTH_PUBLIC_KEY: _, ...rest } = AUTH_ENV;
    expect(() => loadGatewayConfig({ ...rest, AUTH_JWKS_URL: 'file:///etc/jwks' })).toThrow(/not an http\(s\) URL/);
  });

  it('refuses AUTH_DISABLED with NODE_ENV=production', () => {
    expect(() => loadGatewayConfig({ AUTH_DISABLED: 'true', NODE_ENV: 'production' })).toThrow(/refused with NODE_ENV=production/);
    expect(loadGatewayConfig({ AUTH_DISABLED: 'true' }).auth).toEqual({ kind: 'disabled' });
  });

  it('turns introspection off by default in production, on otherwise, and lets GATEWAY_INTROSPECTION decide', () => {
    expect(loadGatewayConfig({ ...AUTH_ENV }).introspection).toBe(true);
    expect(loadGatewayConfig({ ...AUTH_ENV, NODE_ENV: 'production' }).introspection).toBe(false);
    expect(loadGatewayConfig({ ...AUTH_ENV, NODE_ENV: 'production', GATEWAY_INTROSPECTION: 'true' }).introspection).toBe(true);
    expect(loadGatewayConfig({ ...AUTH_ENV, GATEWAY_INTROSPECTION: 'false' }).introspection).toBe(false);
  });

  it('reads every limit, with defaults, and names a bad one', () => {
    expect(loadGatewayConfig(AUTH_ENV).limits).toEqual({ maxDepth: 12, maxAliases: 30, maxDirectives: 20, maxTokens: 4000, maxCost: 100_000, maxBodyBytes: 102_400, maxBatch: 1 });
    expect(() => loadGatewayConfig({ ...AUTH_ENV, GATEWAY_MAX_DEPTH: 'deep' })).toThrow(/GATEWAY_MAX_DEPTH/);
  });

  it('says which key variable holds no key', () => {
    expect(() => createAuthenticator(loadGatewayConfig({ ...AUTH_ENV, AUTH_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----' }).auth)).toThrow(/AUTH_PUBLIC_KEY does not hold a public key/);
    expect(() => createAuthenticator(loadGatewayConfig({ ...AUTH_ENV, VIEWER_SIGNING_KEY: '/nonexistent/key.pem' }).auth)).toThrow(/VIEWER_SIGNING_KEY=\/nonexistent\/key.pem cannot be read/);
  });
});

describe('the authenticator', () => {
  const issuerKey = createPrivateKey(issuer.privateKey);
  const auth = createAuthenticator(loadGatewayConfig(AUTH_ENV).auth);
  const sign = (claims: Parameters<typeof signDevToken>[1], opts: Parameters<typeof signDevToken>[2] = {}) => signDevToken(issuerKey, claims, { issuer: 'https://idp.test', audience: 'graph', ...opts });

  it('turns a valid token into its viewer, and signs that viewer for the subgraphs', async () => {
    const viewer = await auth.authenticate(`Bearer ${await sign({ sub: 'sz.agent', roles: ['agent', 'noc', 'agent', 'wizard'], region: { province: 'GD', localNetwork: 'SZ' } })}`);
    expect(viewer).toEqual({ sub: 'sz.agent', roles: ['agent', 'noc'], region: { province: 'GD', localNetwork: 'SZ' } });
    const token = await auth.sign(viewer);
    const back = await new ViewerVerifier(createPublicKey(gatewayKeys.publicKey)).verify(token);
    expect(back).toEqual(viewer);
  });

  it('refuses a token without exp', async () => {
    const token = await new SignJWT({ roles: ['admin'] }).setProtectedHeader({ alg: 'EdDSA' }).setSubject('x').setIssuer('https://idp.test').setAudience('graph').sign(issuerKey);
    await expect(auth.authenticate(`Bearer ${token}`)).rejects.toThrow(/no expiry/);
  });

  it('refuses an unsigned (alg none) token', async () => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'x', roles: ['admin'], iss: 'https://idp.test', aud: 'graph', exp: 9_999_999_999 })}.`;
    await expect(auth.authenticate(`Bearer ${token}`)).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('serves everyone as the unrestricted viewer when disabled', async () => {
    const off = createAuthenticator({ kind: 'disabled' });
    expect(await off.authenticate(undefined)).toBe(DISABLED_VIEWER);
    expect(await off.sign(DISABLED_VIEWER)).toBeUndefined();
  });
});

describe('keys from a JWKS endpoint', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let server: http.Server;
  let url = '';
  let fetches = 0;
  beforeAll(async () => {
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    server = http.createServer((_req, res) => {
      fetches++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('verifies RS256 tokens by kid, fetching the keys once', async () => {
    const { AUTH_PUBLIC_KEY: _, ...rest } = AUTH_ENV;
    const auth = createAuthenticator(loadGatewayConfig({ ...rest, AUTH_JWKS_URL: url }).auth);
    const token = (sub: string) =>
      new SignJWT({ roles: ['analyst'] }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setSubject(sub).setIssuer('https://idp.test').setAudience('graph').setExpirationTime('1h').sign(privateKey);
    expect(await auth.authenticate(`Bearer ${await token('a')}`)).toEqual({ sub: 'a', roles: ['analyst'], region: {} });
    expect(await auth.authenticate(`Bearer ${await token('b')}`)).toEqual({ sub: 'b', roles: ['analyst'], region: {} });
    expect(fetches).toBe(1);
    const unknownKid = await new SignJWT({ roles: ['analyst'] }).setProtectedHeader({ alg: 'RS256', kid: 'k9' }).setSubject('c').setIssuer('https://idp.test').setAudience('graph').setExpirationTime('1h').sign(privateKey);
    await expect(auth.authenticate(`Bearer ${unknownKid}`)).rejects.toThrow(/kid/);
  });
});

describe('the cost of an operation', () => {
  const schema = buildSchema(`
    type Query { customers(first: Int = 20): CustomerConnection  customer(id: ID!): Customer }
    type CustomerConnection { edges: [CustomerEdge!]! }
    type CustomerEdge { node: Customer! }
    type Customer { id: ID!  accounts: [Account!]  name: String }
    type Account { bills(last: Int): [Bill!]  payments(first: Int = 20): [Payment!] }
    type Bill { period: String }
    type Payment { amount: Int }
  `);

  it('multiplies by `first` (from variables too), by the assumed size of lists without it, and counts connection edges once', () => {
    expect(costOf(schema, parse('{ customer(id: "1") { id name } }'), undefined, {})).toBe(3);
    // customers(first 50) × (edges 1 × (node 1 + id 1)) …
    expect(costOf(schema, parse('{ customers(first: 50) { edges { node { id } } } }'), undefined, {})).toBe(1 + 50 * (1 + (1 + 1)));
    const nested = parse('query($n: Int) { customers(first: $n) { edges { node { accounts { bills(last: 3) { period } } } } } }');
    // accounts: a list without `first` (× ASSUMED_LIST_SIZE) of bills(last: 3) (× 3).
    const accounts = 1 + ASSUMED_LIST_SIZE * (1 + 3 * 1);
    const edge = 1 + (1 + accounts);
    expect(costOf(schema, nested, undefined, { n: 10 })).toBe(1 + 10 * edge);
    expect(costOf(schema, nested, undefined, { n: 100 })).toBe(1 + 100 * edge);
  });

  it('knows when the cost depends on the variables (a list size from a variable) and when it can be remembered', () => {
    expect(costDependsOnVariables(parse('query($n: Int) { customers(first: $n) { edges { node { id } } } }'))).toBe(true);
    expect(costDependsOnVariables(parse('query($id: ID!) { customer(id: $id) { accounts { bills(last: 3) { period } } } }'))).toBe(false);
  });
});
