import type { Resolvers } from '../generated/resolvers-types.js';
import { Customer } from './Customer.js';

/** The loyalty subgraph's resolver map: one file per GraphQL type. */
export const resolvers: Resolvers = { Customer };
