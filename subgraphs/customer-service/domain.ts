/**
 * The customer-service subgraph's domain values: what the CRM knows, in the graph's vocabulary
 * (TMF621 ticket statuses, schema enums, ISO-8601 times with `+08:00`, arrays that are arrays,
 * null where the CRM wrote an empty string). `client/normalize.ts` produces them from the wire;
 * loaders and resolvers only ever see these.
 */

export type CustomerKind = 'INDIVIDUAL' | 'ORGANIZATION';
export type CustomerStatus = 'ACTIVE' | 'INACTIVE' | 'SUSPENDED';
export type Segment = 'MASS' | 'SME' | 'ENTERPRISE' | 'GOVERNMENT';
export type TicketType = 'COMPLAINT' | 'INCIDENT' | 'REQUEST';
export type TicketPriority = 'ASAP' | 'HIGH' | 'MEDIUM' | 'LOW';
/** TMF621. This CRM never produces HELD or REJECTED. */
export type TicketStatus = 'ACKNOWLEDGED' | 'IN_PROGRESS' | 'PENDING' | 'HELD' | 'RESOLVED' | 'CLOSED' | 'CANCELLED' | 'REJECTED';
export type Direction = 'INBOUND' | 'OUTBOUND';

export const TICKET_STATUSES: readonly TicketStatus[] = ['ACKNOWLEDGED', 'IN_PROGRESS', 'PENDING', 'HELD', 'RESOLVED', 'CLOSED', 'CANCELLED', 'REJECTED'];

export interface Region {
  readonly province: string;
  /** Null at province level. */
  readonly localNetwork: string | null;
}

export interface Identification {
  /** `Resident ID`, `Business License`, … */
  readonly type: string;
  readonly number: string | null;
}

export interface Contacts {
  readonly phone: string | null;
  readonly email: string | null;
  readonly preferredChannel: string | null;
}

/** A customer as the CRM records it (`Customer` business component). */
export interface Customer {
  /** CRM `Row Id`, `1-` + 6 upper-case letters or digits. */
  readonly id: string;
  readonly name: string | null;
  readonly kind: CustomerKind | null;
  readonly status: CustomerStatus | null;
  readonly region: Region | null;
  readonly segment: Segment | null;
  readonly starLevel: string | null;
  readonly bigCustomerClass: string | null;
  readonly accountManager: string | null;
  /** `Parent Row Id`: the group (集团) parent, if any. */
  readonly groupId: string | null;
  /** As the CRM has it; masking by the viewer's role is applied at the edge (`pii.ts`). */
  readonly identification: Identification | null;
  readonly contacts: Contacts | null;
  readonly customerSince: string | null;
  /** The CRM's own (possibly stale) list; billing is the truth for service lines. */
  readonly serviceNumbers: readonly string[];
  readonly billingAccountNumbers: readonly string[];
}

/** A trouble ticket (`ServiceRequest` business component). */
export interface Ticket {
  /** `SR Number`, `1-` + 9 digits. */
  readonly id: string;
  readonly customerId: string;
  readonly type: TicketType;
  readonly status: TicketStatus;
  readonly priority: TicketPriority;
  readonly channel: string | null;
  readonly summary: string | null;
  readonly region: Region;
  readonly openedAt: string;
  readonly closedAt: string | null;
  readonly slaDueAt: string | null;
  readonly resolutionCode: string | null;
  readonly serviceNumber: string | null;
  readonly alarmId: string | null;
  readonly externalRef: string | null;
}

/** A contact with the customer (`Activity` business component). */
export interface Interaction {
  readonly id: string;
  readonly customerId: string;
  readonly direction: Direction;
  readonly channel: string;
  readonly reason: string | null;
  readonly startedAt: string;
  readonly agent: string | null;
  readonly status: string;
}

/** A satisfaction survey answer (`Survey` business component). */
export interface Survey {
  readonly customerId: string;
  readonly csat: number | null;
  readonly nps: number | null;
  readonly surveyedAt: string;
}

/** One page of a search: the items from some offset, and whether more follow. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly hasNextPage: boolean;
}

/** What to look for among customers; every condition given must hold. */
export interface CustomerSearch {
  readonly province?: string | undefined;
  readonly localNetwork?: string | undefined;
  readonly segment?: Segment | undefined;
  /** true: only big customers; false: only the others. */
  readonly bigCustomer?: boolean | undefined;
  /** A name prefix, without wildcards. */
  readonly namePrefix?: string | undefined;
  readonly idNumber?: string | undefined;
  readonly phone?: string | undefined;
  /** Members of this group (`Parent Row Id`). */
  readonly groupId?: string | undefined;
}

/** What to look for among tickets; every condition given must hold. */
export interface TicketSearch {
  readonly province?: string | undefined;
  readonly localNetwork?: string | undefined;
  /** Any of these; absent = any status. An empty list matches nothing. */
  readonly statuses?: readonly TicketStatus[] | undefined;
  readonly customerId?: string | undefined;
}
