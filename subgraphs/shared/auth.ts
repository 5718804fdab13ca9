import { defaultFieldResolver, GraphQLInputObjectType, type GraphQLSchema } from 'graphql';
import { defineVar, readConfig, vars, ConfigError } from '../../lib/config.js';
import { ProductError, type ErrorSystem } from '../../lib/errors.js';
import { inScope, mayRead, scopeLabel, type Area, type RecordRegion, type Viewer } from '../../lib/viewer.js';
import { loadKey, ViewerVerifier } from '../../lib/viewerToken.js';

/**
 * How a subgraph knows its viewer (design.md, "Viewers, roles and scope"): from the gateway's
 * signed `x-viewer` token, verified with the gateway's public key (`VIEWER_VERIFY_KEY`); without a
 * valid one the subgraph answers 401. `AUTH_DISABLED=true` (benchmarks and local experiments
 * only; refused when `NODE_ENV=production`) serves every request as an unrestricted admin.
 */
export type SubgraphAuth = { readonly kind: 'verify'; readonly verifier: ViewerVerifier } | { readonly kind: 'disabled' };

export { UNRESTRICTED_VIEWER } from '../../lib/viewer.js';

const specs = {
  VIEWER_VERIFY_KEY: defineVar(
    vars.optionalString(),
    "the gateway's viewer public key (PEM text or the path of a .pem file; npm start writes .dev/keys/gateway-viewer.public.pem)",
    '.dev/keys/gateway-viewer.public.pem',
  ),
  AUTH_DISABLED: defineVar(vars.boolean(false), 'true only for benchmarks without authentication: every request is served as an unrestricted admin', 'false'),
  NODE_ENV: defineVar(vars.optionalString(), 'the deployment kind; production refuses AUTH_DISABLED', 'production'),
};

export function loadSubgraphAuth(env: NodeJS.ProcessEnv): SubgraphAuth {
  const c = readConfig(specs, env);
  if (c.AUTH_DISABLED) {
    if (c.NODE_ENV === 'production') throw new ConfigError('AUTH_DISABLED=true is refused with NODE_ENV=production: unset AUTH_DISABLED and set VIEWER_VERIFY_KEY to the gateway\'s viewer public key');
    return { kind: 'disabled' };
  }
  if (!c.VIEWER_VERIFY_KEY) {
    throw new ConfigError(
      "VIEWER_VERIFY_KEY is not set: set it to the gateway's viewer public key (PEM text or a .pem file; `npm start` writes .dev/keys/gateway-viewer.public.pem), so that only the gateway can call this subgraph",
    );
  }
  try {
    return { kind: 'verify', verifier: new ViewerVerifier(loadKey(c.VIEWER_VERIFY_KEY, 'public', 'VIEWER_VERIFY_KEY')) };
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
}

/** What the access checks need of a request: its viewer. */
export interface ViewerScope {
  readonly viewer: Viewer;
}

/** The FORBIDDEN error of an entity outside the viewer's region (its own region is not told). */
export function outOfScope(system: ErrorSystem, viewer: Viewer, what: string, extensions: Record<string, unknown> = {}): ProductError {
  return new ProductError('FORBIDDEN', system, `${what} is outside your scope (${scopeLabel(viewer.region)}).`, { extensions });
}

/** The FORBIDDEN error of an area the viewer's roles may not read. */
export function areaForbidden(system: ErrorSystem, viewer: Viewer, area: Area, field: string): ProductError {
  return new ProductError('FORBIDDEN', system, `${field} is not readable with your roles (${viewer.roles.join(', ')}): it belongs to the ${area} area.`, { extensions: { area } });
}

/** Throws FORBIDDEN unless the entity's recorded region is within the viewer's scope. */
export function assertInScope(system: ErrorSystem, scope: ViewerScope, region: RecordRegion | null | undefined, what: string, extensions?: Record<string, unknown>): void {
  if (!inScope(scope.viewer, region)) throw outOfScope(system, scope.viewer, what, extensions);
}

/** Throws FORBIDDEN unless the viewer's roles may read `area`. */
export function assertMayRead(system: ErrorSystem, scope: ViewerScope, area: Area, field: string): void {
  if (!mayRead(scope.viewer, area)) throw areaForbidden(system, scope.viewer, area, field);
}

/**
 * Guards whole fields by area (design.md's permission matrix): for each `Type.field` listed, a
 * viewer whose roles may not read its area gets null and FORBIDDEN, and the field's resolver (and
 * so any legacy call behind it) never runs. Applied once to the executable schema.
 */
export function guardFieldAreas(schema: GraphQLSchema, system: ErrorSystem, areas: Readonly<Record<string, Area>>): GraphQLSchema {
  for (const [coordinate, area] of Object.entries(areas)) {
    const [typeName, fieldName] = coordinate.split('.') as [string, string];
    const type = schema.getType(typeName);
    const field = type && 'getFields' in type && !(type instanceof GraphQLInputObjectType) ? type.getFields()[fieldName] : undefined;
    if (!field || !('resolve' in field)) throw new Error(`guardFieldAreas: ${coordinate} is not a field of the ${system} subgraph's schema`);
    const inner = field.resolve ?? defaultFieldResolver;
    field.resolve = (source, args, context: ViewerScope, info) => {
      if (!mayRead(context.viewer, area)) throw areaForbidden(system, context.viewer, area, coordinate);
      return inner(source, args, context, info);
    };
  }
  return schema;
}
