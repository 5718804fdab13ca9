import { GraphQLError } from 'graphql';

/**
 * The closed set of public error codes (design.md, "Errors") and the one error class that carries
 * them. Each legacy client turns whatever its system does wrong into a {@link ProductError};
 * resolvers let it propagate; the server turns it into a GraphQL error with
 * `extensions: { code, system, retryable, retryAfterSeconds? }`.
 */

export const ERROR_CODES = [
  'LEGACY_UNAVAILABLE',
  'LEGACY_TIMEOUT',
  'LEGACY_REJECTED',
  'LEGACY_BAD_RESPONSE',
  'NOT_FOUND',
  'FORBIDDEN',
  'UNAUTHENTICATED',
  'BAD_USER_INPUT',
  'QUERY_TOO_COMPLEX',
  'SUBGRAPH_UNAVAILABLE',
  'INTERNAL_SERVER_ERROR',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Who failed: a legacy system, or the gateway itself. */
export type ErrorSystem = 'billing' | 'network' | 'customer-service' | 'loyalty' | 'gateway';

/** Retryable unless said otherwise, per design.md's table. */
const RETRYABLE: Record<ErrorCode, boolean> = {
  LEGACY_UNAVAILABLE: true,
  LEGACY_TIMEOUT: true,
  LEGACY_REJECTED: false,
  LEGACY_BAD_RESPONSE: false,
  NOT_FOUND: false,
  FORBIDDEN: false,
  UNAUTHENTICATED: false,
  BAD_USER_INPUT: false,
  QUERY_TOO_COMPLEX: false,
  SUBGRAPH_UNAVAILABLE: true,
  INTERNAL_SERVER_ERROR: false,
};

export interface ProductErrorOptions {
  /** Overrides the code's default (e.g. wrong credentials: LEGACY_UNAVAILABLE, not retryable). */
  retryable?: boolean;
  retryAfterSeconds?: number;
  cause?: unknown;
  /** Extra extensions for the client (e.g. `argument`). Never put secrets or raw payloads here. */
  extensions?: Record<string, unknown>;
}

export class ProductError extends Error {
  override name = 'ProductError';
  readonly retryable: boolean;
  readonly retryAfterSeconds: number | undefined;
  readonly extra: Record<string, unknown>;

  constructor(
    readonly code: ErrorCode,
    readonly system: ErrorSystem,
    message: string,
    options: ProductErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options.retryable ?? RETRYABLE[code];
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.extra = options.extensions ?? {};
  }

  /** The public form: a GraphQL error whose extensions follow design.md. */
  toGraphQLError(): GraphQLError {
    return new GraphQLError(this.message, {
      extensions: {
        ...this.extra,
        code: this.code,
        system: this.system,
        retryable: this.retryable,
        ...(this.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: this.retryAfterSeconds }),
      },
    });
  }
}

/**
 * A malformed argument, refused before any legacy system is asked. The message names the argument
 * and the expected format, e.g. `serviceNumber "12" is not a service number: expected …`.
 */
export function badUserInput(system: ErrorSystem, argument: string, value: unknown, expected: string): ProductError {
  return new ProductError('BAD_USER_INPUT', system, `${argument} ${JSON.stringify(value)} is not valid: expected ${expected}.`, {
    extensions: { argument },
  });
}

/** Finds the {@link ProductError} behind an error thrown anywhere in a resolver chain. */
export function findProductError(err: unknown): ProductError | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    if (e instanceof ProductError) return e;
    e = (e as { originalError?: unknown; cause?: unknown }).originalError ?? (e as { cause?: unknown }).cause;
  }
  return undefined;
}
