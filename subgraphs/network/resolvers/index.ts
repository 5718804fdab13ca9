import { DateTime } from '../../shared/scalars.js';
import type { Resolvers } from '../generated/resolvers-types.js';
import { Alarm } from './Alarm.js';
import { Customer } from './Customer.js';
import { NetworkElement } from './NetworkElement.js';
import { Outage } from './Outage.js';
import { Query } from './Query.js';
import { ServiceLine } from './ServiceLine.js';

/** The network subgraph's resolver map: one file per GraphQL type. */
export const resolvers: Resolvers = { DateTime, Query, ServiceLine, Customer, NetworkElement, Alarm, Outage };
