import type { ProductError } from '../../../lib/errors.js';
import type { Customer, CustomerSearch, Interaction, Page, Survey, Ticket, TicketSearch, TicketStatus } from '../domain.js';
import type { CrmRegion, CustomerServiceClient } from './CustomerServiceClient.js';

/**
 * An in-memory CRM for resolver and loader tests (style.md 4): the same answers as the HTTP client
 * gives — domain values, unknown keys absent, newest first — from records the test supplies, with
 * every call recorded (to count legacy calls) and failures on demand. No HTTP.
 */

export type FakeMethod = keyof CustomerServiceClient;

export interface FakeCall {
  readonly method: FakeMethod;
  /** The keys of a batch call (ids, customer ids); empty for searches. */
  readonly keys: readonly string[];
  readonly args: readonly unknown[];
}

export interface FakeData {
  customers?: readonly Customer[];
  tickets?: readonly Ticket[];
  interactions?: readonly Interaction[];
  surveys?: readonly Survey[];
}

/** Newest first by an ISO-8601 `+08:00` field (same offset everywhere: text order is time order). */
const newestFirst =
  <T>(at: (x: T) => string) =>
  (a: T, b: T) =>
    at(a) < at(b) ? 1 : at(a) > at(b) ? -1 : 0;

export class FakeCustomerServiceClient implements CustomerServiceClient {
  readonly calls: FakeCall[] = [];
  readonly customers: Customer[];
  readonly tickets: Ticket[];
  readonly interactions: Interaction[];
  readonly surveys: Survey[];
  private failures = new Map<FakeMethod | '*', ProductError>();

  constructor(data: FakeData = {}) {
    this.customers = [...(data.customers ?? [])];
    this.tickets = [...(data.tickets ?? [])];
    this.interactions = [...(data.interactions ?? [])];
    this.surveys = [...(data.surveys ?? [])];
  }

  /** Makes `method` (or every method, `'*'`) reject with `error` until {@link heal}. */
  failWith(error: ProductError, method: FakeMethod | '*' = '*'): this {
    this.failures.set(method, error);
    return this;
  }

  heal(): this {
    this.failures.clear();
    return this;
  }

  /** The calls of one method (all of them without an argument). */
  callsOf(method?: FakeMethod): FakeCall[] {
    return method ? this.calls.filter((c) => c.method === method) : [...this.calls];
  }

  private async record(method: FakeMethod, keys: readonly string[], args: readonly unknown[]): Promise<void> {
    this.calls.push({ method, keys: [...keys], args });
    // Answer asynchronously, as the network would, so loaders batch what a tick gathers.
    await Promise.resolve();
    const failure = this.failures.get(method) ?? this.failures.get('*');
    if (failure) throw failure;
  }

  async customersByIds(ids: readonly string[]): Promise<Customer[]> {
    await this.record('customersByIds', ids, [ids]);
    const wanted = new Set(ids);
    // contract §3: in request order, each once, unknown keys absent.
    return [...wanted].map((id) => this.customers.find((c) => c.id === id)).filter((c): c is Customer => c !== undefined);
  }

  async searchCustomers(filter: CustomerSearch, offset: number, count: number): Promise<Page<Customer>> {
    await this.record('searchCustomers', [], [filter, offset, count]);
    const all = this.customers.filter((c) => matchesCustomer(c, filter));
    return { items: all.slice(offset, offset + count), hasNextPage: all.length > offset + count };
  }

  async ticketsByIds(ids: readonly string[]): Promise<Ticket[]> {
    await this.record('ticketsByIds', ids, [ids]);
    const wanted = new Set(ids);
    return this.tickets.filter((t) => wanted.has(t.id));
  }

  async searchTickets(filter: TicketSearch, offset: number, count: number): Promise<Page<Ticket>> {
    await this.record('searchTickets', [], [filter, offset, count]);
    const all = this.tickets.filter((t) => matchesTicket(t, filter)).sort(newestFirst((t) => t.openedAt));
    return { items: all.slice(offset, offset + count), hasNextPage: all.length > offset + count };
  }

  async ticketsByCustomers(customerIds: readonly string[], statuses: readonly TicketStatus[] | undefined, limitPerCustomer: number, region?: CrmRegion): Promise<Ticket[]> {
    await this.record('ticketsByCustomers', customerIds, region === undefined ? [customerIds, statuses, limitPerCustomer] : [customerIds, statuses, limitPerCustomer, region]);
    return [...new Set(customerIds)].flatMap((id) =>
      this.tickets
        .filter((t) => t.customerId === id && (statuses === undefined || statuses.includes(t.status)) && (region === undefined || matchesTicket(t, region)))
        .sort(newestFirst((t) => t.openedAt))
        .slice(0, limitPerCustomer),
    );
  }

  async interactionsByCustomers(customerIds: readonly string[], limitPerCustomer: number): Promise<Interaction[]> {
    await this.record('interactionsByCustomers', customerIds, [customerIds, limitPerCustomer]);
    return [...new Set(customerIds)].flatMap((id) =>
      this.interactions
        .filter((a) => a.customerId === id)
        .sort(newestFirst((a) => a.startedAt))
        .slice(0, limitPerCustomer),
    );
  }

  async latestSurveys(customerIds: readonly string[]): Promise<Survey[]> {
    await this.record('latestSurveys', customerIds, [customerIds]);
    return [...new Set(customerIds)].flatMap((id) =>
      this.surveys
        .filter((s) => s.customerId === id)
        .sort(newestFirst((s) => s.surveyedAt))
        .slice(0, 1),
    );
  }
}

function matchesCustomer(c: Customer, f: CustomerSearch): boolean {
  return (
    (f.province === undefined || c.region?.province === f.province) &&
    (f.localNetwork === undefined || c.region?.localNetwork === f.localNetwork) &&
    (f.segment === undefined || c.segment === f.segment) &&
    (f.bigCustomer === undefined || (c.bigCustomerClass !== null) === f.bigCustomer) &&
    (f.namePrefix === undefined || (c.name ?? '').startsWith(f.namePrefix)) &&
    (f.idNumber === undefined || c.identification?.number === f.idNumber) &&
    (f.phone === undefined || c.contacts?.phone === f.phone) &&
    (f.groupId === undefined || c.groupId === f.groupId)
  );
}

function matchesTicket(t: Ticket, f: TicketSearch): boolean {
  return (
    (f.province === undefined || t.region.province === f.province) &&
    (f.localNetwork === undefined || t.region.localNetwork === f.localNetwork) &&
    (f.customerId === undefined || t.customerId === f.customerId) &&
    (f.statuses === undefined || f.statuses.includes(t.status))
  );
}

// ------------------------------------------------------------------ sample records for tests

/** A customer with plausible values; override what the test is about. */
export function sampleCustomer(id: string, overrides: Partial<Customer> = {}): Customer {
  return {
    id,
    name: '陈晓明',
    kind: 'INDIVIDUAL',
    status: 'ACTIVE',
    region: { province: 'GD', localNetwork: 'SZ' },
    segment: 'MASS',
    starLevel: '4 Star',
    bigCustomerClass: null,
    accountManager: null,
    groupId: null,
    identification: { type: 'Resident ID', number: '440305198803150012' },
    contacts: { phone: '13812345678', email: null, preferredChannel: 'Phone' },
    customerSince: '2019-03-15T09:30:00+08:00',
    serviceNumbers: ['13812345678'],
    billingAccountNumbers: ['3300098765'],
    ...overrides,
  };
}

/** A ticket with plausible values; override what the test is about. */
export function sampleTicket(id: string, customerId: string, overrides: Partial<Ticket> = {}): Ticket {
  return {
    id,
    customerId,
    type: 'INCIDENT',
    status: 'ACKNOWLEDGED',
    priority: 'HIGH',
    channel: 'Phone',
    summary: '宽带频繁掉线',
    region: { province: 'GD', localNetwork: 'SZ' },
    openedAt: '2026-11-20T10:15:00+08:00',
    closedAt: null,
    slaDueAt: '2026-11-21T10:15:00+08:00',
    resolutionCode: null,
    serviceNumber: null,
    alarmId: null,
    externalRef: null,
    ...overrides,
  };
}

export function sampleInteraction(id: string, customerId: string, overrides: Partial<Interaction> = {}): Interaction {
  return {
    id,
    customerId,
    direction: 'INBOUND',
    channel: 'Phone',
    reason: '咨询话费账单',
    startedAt: '2026-11-20T09:00:00+08:00',
    agent: '王芳',
    status: 'Done',
    ...overrides,
  };
}

export function sampleSurvey(customerId: string, overrides: Partial<Survey> = {}): Survey {
  return { customerId, csat: 4, nps: 8, surveyedAt: '2026-11-21T12:00:00+08:00', ...overrides };
}
