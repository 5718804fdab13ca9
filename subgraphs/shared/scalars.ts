import { GraphQLScalarType, Kind } from 'graphql';

/**
 * `DateTime`: an ISO-8601 instant with an explicit offset, never `Z` for legacy local times
 * (design.md, "Keys and formats"). Values are produced by each client's normalize step already
 * formatted; input values are checked here.
 */
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?([+-]\d{2}:\d{2}|Z)$/;

function check(value: unknown): string {
  if (typeof value !== 'string' || !ISO_WITH_OFFSET.test(value) || Number.isNaN(Date.parse(value))) {
    throw new TypeError(`DateTime must be an ISO-8601 instant with an offset, e.g. 2026-11-24T14:02:11+08:00; got ${JSON.stringify(value)}`);
  }
  return value;
}

export const DateTime = new GraphQLScalarType<string, string>({
  name: 'DateTime',
  description: 'An ISO-8601 instant with the offset the legacy system meant, e.g. `2026-11-24T14:02:11+08:00`.',
  serialize: (v) => check(v),
  parseValue: (v) => check(v),
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new TypeError('DateTime must be a string, e.g. "2026-11-24T14:02:11+08:00"');
    return check(ast.value);
  },
});
