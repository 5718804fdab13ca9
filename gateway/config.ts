import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { defineVar, readConfig, vars, ConfigError } from '../lib/config.js';

/**
 * The gateway's configuration, read once from the environment. Subgraph URLs come from the
 * supergraph; `<NAME>_SUBGRAPH_URL` (e.g. `BILLING_SUBGRAPH_URL`, `CUSTOMER_SERVICE_SUBGRAPH_URL`)
 * overrides one.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
/** The project's root, from gateway/ or, compiled (`npm run build`), from dist/gateway/. */
const projectRoot = path.basename(path.dirname(here)) === 'dist' ? path.resolve(here, '../..') : path.resolve(here, '..');
export const DEFAULT_SUPERGRAPH_PATH = path.join(projectRoot, 'schema/supergraph.graphql');

const specs = {
  GATEWAY_HOST: defineVar(vars.string('127.0.0.1'), 'the address to listen on', '127.0.0.1'),
  GATEWAY_PORT: defineVar(vars.port(4000), 'a free TCP port', '4000'),
  SUPERGRAPH_PATH: defineVar(vars.string(DEFAULT_SUPERGRAPH_PATH), 'the path of a composed supergraph file (npm run compose writes one)', 'schema/supergraph.graphql'),
  SUPERGRAPH_WATCH: defineVar(vars.boolean(true), 'true to swap to the supergraph file whenever it changes (hot reload), false to read it once', 'true'),
  SUBGRAPH_TIMEOUT_MS: defineVar(vars.milliseconds(15_000), 'the milliseconds to wait for one subgraph answer', '15000'),
  SUBGRAPH_MAX_SOCKETS: defineVar(vars.positiveInt(64, 10_000), 'the most keep-alive connections per subgraph', '64'),
  SUBGRAPH_DEDUP: defineVar(vars.boolean(true), 'whether identical subgraph queries in flight at once (same subgraph, query, variables and viewer scope) share one call', 'true'),
  GATEWAY_PARALLEL_PLANS: defineVar(vars.boolean(true), "whether the gateway moves an entity's costly fields that no later fetch needs into a fetch beside the later ones, so they stop waiting for them (gateway/parallelPlan.ts)", 'true'),
  AUTH_JWKS_URL: defineVar(vars.optionalString(), "your identity provider's JWKS endpoint (or set AUTH_PUBLIC_KEY instead)", 'https://idp.example.internal/.well-known/jwks.json'),
  AUTH_PUBLIC_KEY: defineVar(vars.optionalString(), "your identity provider's public key, PEM text or the path of a .pem file (or set AUTH_JWKS_URL instead)", '.dev/keys/dev-issuer.public.pem'),
  AUTH_ISSUER: defineVar(vars.optionalString(), "the exact `iss` callers' tokens carry", 'https://idp.example.internal'),
  AUTH_AUDIENCE: defineVar(vars.optionalString(), "the exact `aud` callers' tokens carry", 'telecom-customer-graph'),
  VIEWER_SIGNING_KEY: defineVar(vars.optionalString(), "the gateway's Ed25519 private key that signs viewers for the subgraphs, PEM text or the path of a .pem file (npm start writes .dev/keys/gateway-viewer.private.pem)", '.dev/keys/gateway-viewer.private.pem'),
  AUTH_DISABLED: defineVar(vars.boolean(false), 'true only for benchmarks without authentication: every caller is an unrestricted admin', 'false'),
  NODE_ENV: defineVar(vars.optionalString(), 'the deployment kind; production turns introspection off by default and refuses AUTH_DISABLED', 'production'),
  GATEWAY_INTROSPECTION: defineVar(z.enum(['true', 'false', '1', '0', 'yes', 'no']).optional(), 'true or false (default: true, false with NODE_ENV=production)', 'false'),
  AUDIT_LOG: defineVar(vars.string('stdout'), 'where audit lines go: stdout, off, or the path of a file to append to', '/var/log/customer-graph/audit.jsonl'),
  PLAYGROUND_VIEWERS_FILE: defineVar(vars.optionalString(), 'a JSON file of example viewers and tokens for the playground picker (npm start writes .dev/viewers.json)', '.dev/viewers.json'),
  GATEWAY_MAX_DEPTH: defineVar(vars.positiveInt(12, 1000), 'the deepest selection nesting accepted', '12'),
  GATEWAY_MAX_ALIASES: defineVar(vars.positiveInt(30, 10_000), 'the most aliases in one operation', '30'),
  GATEWAY_MAX_DIRECTIVES: defineVar(vars.positiveInt(20, 10_000), 'the most directives in one operation', '20'),
  GATEWAY_MAX_TOKENS: defineVar(vars.positiveInt(4000, 1_000_000), 'the most lexical tokens in one document', '4000'),
  GATEWAY_MAX_COST: defineVar(vars.positiveInt(100_000, 100_000_000), 'the highest cost accepted: every field costs 1, multiplied by the sizes of the lists around it', '100000'),
  GATEWAY_MAX_BODY_BYTES: defineVar(vars.positiveInt(102_400, 100 * 1024 * 1024), 'the largest request body (query and variables) in bytes', '102400'),
  GATEWAY_MAX_BATCH: defineVar(vars.positiveInt(1, 100), 'the most operations in one batched request (1: batching off)', '1'),
  LOG_LEVEL: defineVar(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'), 'a pino log level', 'info'),
};

export interface GatewayConfig {
  readonly host: string;
  readonly port: number;
  readonly supergraphPath: string;
  /** Reload the supergraph when its file changes (a bad file is refused and logged). */
  readonly supergraphWatch: boolean;
  readonly subgraphTimeoutMs: number;
  readonly subgraphMaxSockets: number;
  /** Identical subgraph queries in flight at once share one HTTP call (never a mutation). @default true */
  readonly subgraphDedup: boolean;
  /** Plans rewritten so that fields no later fetch needs stop holding the later fetches back (gateway/parallelPlan.ts). */
  readonly parallelPlans: boolean;
  readonly logLevel: string;
  /** Subgraph name (as in the supergraph, e.g. `customer-service`) → URL that overrides it. */
  readonly subgraphUrls: Readonly<Record<string, string>>;
  /** Who may call, and how the viewer is signed for the subgraphs (docs/security.md). */
  readonly auth: GatewayAuthConfig;
  /** Introspection (`__schema`, `__type`): on by default, off by default with NODE_ENV=production. */
  readonly introspection: boolean;
  /** `stdout`, `off`, or a file path (appended): one JSON line per customer record read. */
  readonly auditLog: string;
  /** Example viewers for the playground's picker (`npm start` writes .dev/viewers.json); none in production. */
  readonly playgroundViewersFile?: string;
  readonly limits: QueryLimits;
}

/** The caller's token is checked against one issuer and audience, with keys from a JWKS URL or one public key. */
export type GatewayAuthConfig =
  | {
      readonly kind: 'jwt';
      readonly jwksUrl?: string;
      readonly publicKey?: string;
      readonly issuer: string;
      readonly audience: string;
      /** PEM text or path of the gateway's Ed25519 private key. */
      readonly signingKey: string;
    }
  | { readonly kind: 'disabled'; readonly signingKey?: string };

/** The operation limits the gateway enforces before planning (gateway/limits.ts). */
export interface QueryLimits {
  readonly maxDepth: number;
  readonly maxAliases: number;
  readonly maxDirectives: number;
  readonly maxTokens: number;
  readonly maxCost: number;
  readonly maxBodyBytes: number;
  readonly maxBatch: number;
}

function authConfig(c: { AUTH_JWKS_URL?: string | undefined; AUTH_PUBLIC_KEY?: string | undefined; AUTH_ISSUER?: string | undefined; AUTH_AUDIENCE?: string | undefined; VIEWER_SIGNING_KEY?: string | undefined; AUTH_DISABLED: boolean; NODE_ENV?: string | undefined }): GatewayAuthConfig {
  if (c.AUTH_DISABLED) {
    if (c.NODE_ENV === 'production') throw new ConfigError('AUTH_DISABLED=true is refused with NODE_ENV=production: unset AUTH_DISABLED and configure AUTH_JWKS_URL or AUTH_PUBLIC_KEY (docs/security.md)');
    return c.VIEWER_SIGNING_KEY ? { kind: 'disabled', signingKey: c.VIEWER_SIGNING_KEY } : { kind: 'disabled' };
  }
  const problems: string[] = [];
  if (!c.AUTH_JWKS_URL && !c.AUTH_PUBLIC_KEY) problems.push("AUTH_JWKS_URL or AUTH_PUBLIC_KEY is required: set one to your identity provider's JWKS endpoint or public key (`npm start` sets a development key for you; docs/security.md)");
  if (c.AUTH_JWKS_URL && c.AUTH_PUBLIC_KEY) problems.push('AUTH_JWKS_URL and AUTH_PUBLIC_KEY are both set: keep one');
  if (c.AUTH_JWKS_URL && !(/^https?:\/\//.test(c.AUTH_JWKS_URL) && URL.canParse(c.AUTH_JWKS_URL))) problems.push(`AUTH_JWKS_URL=${JSON.stringify(c.AUTH_JWKS_URL)} is not an http(s) URL`);
  if (!c.AUTH_ISSUER) problems.push("AUTH_ISSUER is required: set it to the `iss` of your identity provider's tokens");
  if (!c.AUTH_AUDIENCE) problems.push('AUTH_AUDIENCE is required: set it to the `aud` your tokens are issued for');
  if (!c.VIEWER_SIGNING_KEY) problems.push("VIEWER_SIGNING_KEY is required: set it to the gateway's Ed25519 private key (PEM text or a .pem file) whose public half the subgraphs hold as VIEWER_VERIFY_KEY (docs/security.md, key rotation)");
  if (problems.length) throw new ConfigError(problems.join('\n'));
  return {
    kind: 'jwt',
    ...(c.AUTH_JWKS_URL ? { jwksUrl: c.AUTH_JWKS_URL } : { publicKey: c.AUTH_PUBLIC_KEY! }),
    issuer: c.AUTH_ISSUER!,
    audience: c.AUTH_AUDIENCE!,
    signingKey: c.VIEWER_SIGNING_KEY!,
  };
}

/** `customer-service` → `CUSTOMER_SERVICE_SUBGRAPH_URL`. */
export function subgraphUrlVariable(name: string): string {
  return `${name.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_SUBGRAPH_URL`;
}

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const c = readConfig(specs, env);
  const subgraphUrls: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    const m = /^([A-Z0-9_]+)_SUBGRAPH_URL$/.exec(key);
    if (!m || !value) continue;
    if (!/^https?:\/\//.test(value) || !URL.canParse(value)) {
      throw new ConfigError(`${key}=${JSON.stringify(value)} is not an http(s) URL: set it to the subgraph's GraphQL endpoint, e.g. http://127.0.0.1:4002/graphql`);
    }
    subgraphUrls[m[1]!.toLowerCase().replace(/_/g, '-')] = value;
  }
  return Object.freeze({
    host: c.GATEWAY_HOST,
    port: c.GATEWAY_PORT,
    supergraphPath: path.resolve(c.SUPERGRAPH_PATH),
    supergraphWatch: c.SUPERGRAPH_WATCH,
    subgraphTimeoutMs: c.SUBGRAPH_TIMEOUT_MS,
    subgraphMaxSockets: c.SUBGRAPH_MAX_SOCKETS,
    subgraphDedup: c.SUBGRAPH_DEDUP,
    parallelPlans: c.GATEWAY_PARALLEL_PLANS,
    logLevel: c.LOG_LEVEL,
    subgraphUrls: Object.freeze(subgraphUrls),
    auth: authConfig(c),
    introspection: c.GATEWAY_INTROSPECTION === undefined ? c.NODE_ENV !== 'production' : ['true', '1', 'yes'].includes(c.GATEWAY_INTROSPECTION),
    auditLog: c.AUDIT_LOG,
    ...(c.PLAYGROUND_VIEWERS_FILE ? { playgroundViewersFile: c.PLAYGROUND_VIEWERS_FILE } : {}),
    limits: Object.freeze({
      maxDepth: c.GATEWAY_MAX_DEPTH,
      maxAliases: c.GATEWAY_MAX_ALIASES,
      maxDirectives: c.GATEWAY_MAX_DIRECTIVES,
      maxTokens: c.GATEWAY_MAX_TOKENS,
      maxCost: c.GATEWAY_MAX_COST,
      maxBodyBytes: c.GATEWAY_MAX_BODY_BYTES,
      maxBatch: c.GATEWAY_MAX_BATCH,
    }),
  });
}
