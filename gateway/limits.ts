import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { GraphQLError, GraphQLList, GraphQLNonNull, GraphQLObjectType, Kind, visit, type DocumentNode, type GraphQLOutputType, type GraphQLSchema, type ValidationContext, type ValidationRule } from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import type { QueryLimits } from './config.js';
import type { GatewayContext } from './context.js';

/**
 * Operation limits at the gateway (docs/security.md, "Query limits"): depth, aliases and
 * directives (graphql-armor validation rules, run once per distinct document), tokens (the parser
 * stops counting at the limit), cost (graphql-query-complexity, per request, since `first` may
 * come from variables), body size and batching (gateway/server.ts). Every refusal is
 * `QUERY_TOO_COMPLEX` naming the limit and its variable, before planning and before any subgraph
 * is called.
 */

/** The message prefix the error formatter recognises (validation errors reach it as GRAPHQL_VALIDATION_FAILED). */
export const TOO_COMPLEX_PREFIX = 'Query too complex: ';

/** A list without a `first` argument is assumed to hold this many items when the cost is counted. */
export const ASSUMED_LIST_SIZE = 5;

export function tooComplex(message: string): GraphQLError {
  return new GraphQLError(TOO_COMPLEX_PREFIX + message, { extensions: { code: 'QUERY_TOO_COMPLEX', system: 'gateway', retryable: false, http: { status: 400 } } });
}

/** graphql-armor's rejection, said our way: which limit, which variable raises it. */
function reject(variable: string, advice: string): (ctx: ValidationContext | null, error: GraphQLError) => void {
  return (ctx, error) => {
    const what = error.message.replace(/^Syntax Error: /, '');
    ctx?.reportError(tooComplex(`${what} (${variable}). ${advice}`));
  };
}

/** The validation rules and plugins of the depth, alias and directive limits. */
export function armorProtection(limits: QueryLimits, options: { blockFieldSuggestions: boolean }): { validationRules: ValidationRule[]; plugins: ApolloServerPlugin[] } {
  const common = { propagateOnRejection: false, exposeLimits: true } as const;
  const armor = new ApolloArmor({
    maxDepth: { ...common, n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true, onReject: [reject('GATEWAY_MAX_DEPTH', 'Ask for fewer nested levels, or split the query.')] },
    maxAliases: { ...common, n: limits.maxAliases, onReject: [reject('GATEWAY_MAX_ALIASES', 'Use fewer aliases (a list field or variables instead of one alias per key).')] },
    maxDirectives: { ...common, n: limits.maxDirectives, onReject: [reject('GATEWAY_MAX_DIRECTIVES', 'Use fewer directives.')] },
    // Tokens are counted by the parser itself (Apollo's parseOptions.maxTokens), cost below.
    maxTokens: { enabled: false },
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: options.blockFieldSuggestions },
  });
  const { validationRules, plugins } = armor.protect();
  return { validationRules, plugins: plugins as ApolloServerPlugin[] };
}

function isList(type: GraphQLOutputType): boolean {
  const t = type instanceof GraphQLNonNull ? type.ofType : type;
  return t instanceof GraphQLList;
}

/**
 * Every field costs 1 plus what it selects, multiplied by the size of the list it returns: `first`
 * (or `last`, as `bills(last:)` counts cycles) when the field takes it, {@link ASSUMED_LIST_SIZE} for a list
 * without one, 1 for a single value. The `edges` of a connection are not counted twice.
 */
const listCost: ComplexityEstimator = ({ field, args, childComplexity, type }) => {
  const count = (v: unknown) => (typeof v === 'number' && v >= 0 ? v : undefined);
  const first = count(args.first) ?? count(args.last);
  const inConnection = type instanceof GraphQLObjectType && type.name.endsWith('Connection');
  const size = first ?? (isList(field.type) && !inConnection ? ASSUMED_LIST_SIZE : 1);
  return 1 + childComplexity * size;
};

/** The cost of an operation, as {@link listCost} counts it. */
export function costOf(schema: GraphQLSchema, document: Parameters<typeof getComplexity>[0]['query'], operationName: string | undefined, variables: Record<string, unknown> | undefined): number {
  return getComplexity({ schema, query: document, ...(operationName ? { operationName } : {}), variables: variables ?? {}, estimators: [listCost] });
}

/** Whether a variable sets a list size (`first`/`last`) anywhere in the document: only then does the cost depend on the variables. */
export function costDependsOnVariables(document: DocumentNode): boolean {
  let depends = false;
  visit(document, {
    Argument(node) {
      if ((node.name.value === 'first' || node.name.value === 'last') && node.value.kind === Kind.VARIABLE) depends = true;
    },
  });
  return depends;
}

/**
 * Refuses an operation over GATEWAY_MAX_COST after its operation is known and before the plan
 * runs. The cost of a document whose list sizes do not come from variables is remembered
 * (bounded), so repeats — the customer 360 with a new phone number each time — cost nothing.
 */
export function costLimitPlugin(maxCost: number): ApolloServerPlugin<GatewayContext> {
  const bySchema = new WeakMap<GraphQLSchema, Map<string, number | 'per-request'>>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, request, queryHash, operationName }) {
          let known = bySchema.get(schema);
          if (!known) bySchema.set(schema, (known = new Map()));
          const key = `${queryHash}\u0000${operationName ?? ''}`;
          let entry = known.get(key);
          let cost: number | undefined = typeof entry === 'number' ? entry : undefined;
          if (cost === undefined) {
            try {
              cost = costOf(schema, document, operationName ?? undefined, request.variables);
            } catch {
              // Variables that do not fit the operation: execution refuses them with its own, precise error.
              return;
            }
            if (entry === undefined) {
              entry = costDependsOnVariables(document) ? 'per-request' : cost;
              if (known.size >= 5000) known.clear();
              known.set(key, entry);
            }
          }
          if (cost > maxCost) {
            throw tooComplex(`cost ${cost} is over the limit of ${maxCost} (GATEWAY_MAX_COST). Every field costs 1, multiplied by the lists around it (\`first\`, or ${ASSUMED_LIST_SIZE} for a list without it): ask for smaller pages or fewer nested lists.`);
          }
        },
      };
    },
  };
}
