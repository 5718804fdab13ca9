import { DateTime } from '../../shared/scalars.js';
import type { Resolvers } from '../generated/resolvers-types.js';
import { BillingAccount } from './BillingAccount.js';
import { Customer } from './Customer.js';
import { Query } from './Query.js';
import { ServiceLine } from './ServiceLine.js';

/**
 * The billing subgraph's resolvers, one file per GraphQL type. Types whose domain value already
 * has the schema's shape (Money, Balance, Bill, Payment, UsageRecord, the connection) need none.
 */
export const resolvers: Resolvers = { DateTime, Query, Customer, BillingAccount, ServiceLine };
