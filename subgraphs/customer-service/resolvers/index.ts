import { DateTime } from '../../shared/scalars.js';
import type { Resolvers } from '../generated/resolvers-types.js';
import { Customer } from './Customer.js';
import { Query } from './Query.js';
import { Ticket } from './Ticket.js';

/**
 * The customer-service subgraph's resolver map: one file per GraphQL type that needs more than
 * the default resolvers (Interaction, Satisfaction, Identification, Contacts and Region are domain
 * values whose fields are read as they are).
 */
export const resolvers: Resolvers = { DateTime, Query, Customer, Ticket };
