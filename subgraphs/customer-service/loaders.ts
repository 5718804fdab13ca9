import DataLoader from 'dataloader';
import { staleIfError, type StaleContext } from '../shared/staleCache.js';
import { rememberedOrLoad, remember, type MemoryContext } from '../shared/requestMemory.js';
import type { CrmRegion, CustomerServiceClient } from './client/CustomerServiceClient.js';
import { TICKET_STATUSES, type Customer, type CustomerSearch, type Interaction, type Page, type Survey, type Ticket, type TicketSearch, type TicketStatus } from './domain.js';
import { normalizeCustomerId, normalizeTicketId } from './keys.js';

/**
 * Per-request DataLoaders in front of every CRM read (design.md, "Performance principles"). Each
 * answers in key order with `null` (or `[]`) for what the CRM does not know; a failed call rejects
 * every key of its batch; nothing is read twice within a request. Malformed keys never reach the
 * CRM: they are unknown here. Nothing is cached across requests.
 */

/** The tickets of one customer: `first` newest, only `statuses` (absent = all). */
export interface CustomerTicketsKey {
  readonly customerId: string;
  readonly statuses?: readonly TicketStatus[] | undefined;
  readonly first: number;
}

/** The `first` newest interactions of one customer. */
export interface CustomerInteractionsKey {
  readonly customerId: string;
  readonly first: number;
}

/** A page of a customer search. */
export interface CustomerPageKey {
  readonly filter: CustomerSearch;
  readonly offset: number;
  readonly count: number;
}

/** A page of a ticket search. */
export interface TicketPageKey {
  readonly filter: TicketSearch;
  readonly offset: number;
  readonly count: number;
}

export interface Loaders {
  /** By CRM Row Id (`POST customers:lookup`, 50 a call). */
  readonly customer: DataLoader<string, Customer | null>;
  /** By SR number (`GET data/ServiceRequest`, 50 OR-ed `[SR Number]` terms a call). */
  readonly ticket: DataLoader<string, Ticket | null>;
  /** A customer's tickets (`POST ServiceRequest:byCustomer`, 50 customers a call per statuses/first). */
  readonly customerTickets: DataLoader<CustomerTicketsKey, Ticket[], string>;
  /** A customer's interactions (`POST Activity:byCustomer`, 50 customers a call per first). */
  readonly customerInteractions: DataLoader<CustomerInteractionsKey, Interaction[], string>;
  /** A customer's latest survey (`POST Survey:byCustomer`, limitPerCustomer 1, 50 a call). */
  readonly satisfaction: DataLoader<string, Survey | null>;
  /** Customer search pages (`GET data/Customer`; no batch form: one read per page, deduplicated). */
  readonly customerPage: DataLoader<CustomerPageKey, Page<Customer>, string>;
  /** Ticket search pages (`GET data/ServiceRequest`; one read per page, deduplicated). */
  readonly ticketPage: DataLoader<TicketPageKey, Page<Ticket>, string>;
}

export interface LoaderOptions {
  /** Keys per batch call. @default 50 (contract §3) */
  readonly batchSize?: number;
  /** Stale-if-error for customers (subgraphs/shared/staleCache.ts). @default none */
  readonly stale?: StaleContext | undefined;
  /** What this gateway request already read in its earlier fetches (subgraphs/shared/requestMemory.ts). @default none */
  readonly memory?: MemoryContext | undefined;
  /**
   * The viewer's region (scope.ts `crmRegionOf`): a customer's tickets are asked of the CRM in it
   * only, so that `first` counts the tickets the viewer may see. @default none (headquarters)
   */
  readonly region?: CrmRegion | undefined;
}

/** Answers `keys` in order from what was found, `null` where nothing was. */
function inKeyOrder<V>(keys: readonly string[], found: readonly V[], keyOf: (v: V) => string): (V | null)[] {
  const byKey = new Map<string, V>();
  for (const v of found) if (!byKey.has(keyOf(v))) byKey.set(keyOf(v), v);
  return keys.map((k) => byKey.get(k) ?? null);
}

/** Groups a child list by customer. */
function byCustomer<V extends { customerId: string }>(items: readonly V[]): Map<string, V[]> {
  const out = new Map<string, V[]>();
  for (const v of items) {
    const list = out.get(v.customerId);
    if (list) list.push(v);
    else out.set(v.customerId, [v]);
  }
  return out;
}

/** Statuses as one canonical list (sorted in schema order, each once): the same set is the same key. */
export function canonicalStatuses(statuses: readonly TicketStatus[] | null | undefined): readonly TicketStatus[] | undefined {
  if (statuses === null || statuses === undefined) return undefined;
  const wanted = new Set(statuses);
  return TICKET_STATUSES.filter((s) => wanted.has(s));
}

const statusesKey = (s: readonly TicketStatus[] | undefined) => (s === undefined ? '*' : `[${s.join(',')}]`);

/** A stable text for a filter object (keys sorted, undefined dropped), for cache keys. */
function stableKey(value: object): string {
  return JSON.stringify(Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1))));
}

export function createLoaders(client: CustomerServiceClient, options: LoaderOptions = {}): Loaders {
  const maxBatchSize = options.batchSize ?? 50;

  const customer = new DataLoader<string, Customer | null>(
    (keys) =>
      // A customer this gateway request read in an earlier fetch (a look-up, a page of a search) is not read again.
      rememberedOrLoad(options.memory, options.stale, 'Customer', keys, async (missing) => {
        const valid = missing.filter((k) => normalizeCustomerId(k) === k);
        return inKeyOrder(missing, valid.length ? await client.customersByIds(valid) : [], (c) => c.id);
      }),
    // Keys are trimmed before they get here (`loadCustomer`), so ` 1-7QX3KD` is no second read.
    { maxBatchSize },
  );

  const ticket = new DataLoader<string, Ticket | null>(
    async (keys) => {
      const valid = keys.filter((k) => normalizeTicketId(k) === k);
      return inKeyOrder(keys, valid.length ? await client.ticketsByIds(valid) : [], (t) => t.id);
    },
    { maxBatchSize },
  );

  const primeTickets = (tickets: readonly Ticket[]) => {
    for (const t of tickets) ticket.prime(t.id, t);
  };

  const customerTickets = new DataLoader<CustomerTicketsKey, Ticket[], string>(
    async (keys) => {
      // One `:byCustomer` per (statuses, first) the request asks — all the customers that ask it
      // together, 50 a call (the client chunks). Different statuses cannot share a call: the
      // filter and the per-customer limit apply to every customer of it.
      const groups = new Map<string, { statuses: readonly TicketStatus[] | undefined; first: number; ids: Set<string> }>();
      for (const k of keys) {
        if (normalizeCustomerId(k.customerId) !== k.customerId || k.first < 1) continue;
        const g = `${statusesKey(k.statuses)}|${k.first}`;
        const group = groups.get(g) ?? { statuses: k.statuses, first: k.first, ids: new Set() };
        group.ids.add(k.customerId);
        groups.set(g, group);
      }
      const results = new Map<string, Map<string, Ticket[]>>();
      await Promise.all(
        [...groups].map(async ([g, { statuses, first, ids }]) => {
          const tickets = await client.ticketsByCustomers([...ids], statuses, first, options.region);
          primeTickets(tickets);
          results.set(g, byCustomer(tickets));
        }),
      );
      return keys.map((k) => (results.get(`${statusesKey(k.statuses)}|${k.first}`)?.get(k.customerId) ?? []).slice(0, k.first));
    },
    { cacheKeyFn: (k) => `${k.customerId}|${statusesKey(k.statuses)}|${k.first}` },
  );

  const customerInteractions = new DataLoader<CustomerInteractionsKey, Interaction[], string>(
    async (keys) => {
      const groups = new Map<number, Set<string>>();
      for (const k of keys) {
        if (normalizeCustomerId(k.customerId) !== k.customerId || k.first < 1) continue;
        const ids = groups.get(k.first) ?? new Set<string>();
        ids.add(k.customerId);
        groups.set(k.first, ids);
      }
      const results = new Map<number, Map<string, Interaction[]>>();
      await Promise.all([...groups].map(async ([first, ids]) => results.set(first, byCustomer(await client.interactionsByCustomers([...ids], first)))));
      return keys.map((k) => (results.get(k.first)?.get(k.customerId) ?? []).slice(0, k.first));
    },
    { cacheKeyFn: (k) => `${k.customerId}|${k.first}` },
  );

  const satisfaction = new DataLoader<string, Survey | null>(
    async (keys) => {
      const valid = keys.filter((k) => normalizeCustomerId(k) === k);
      return inKeyOrder(keys, valid.length ? await client.latestSurveys(valid) : [], (s) => s.customerId);
    },
    { maxBatchSize },
  );

  const customerPage = new DataLoader<CustomerPageKey, Page<Customer>, string>(
    (keys) =>
      Promise.all(
        keys.map(async (k) => {
          const page = await client.searchCustomers(k.filter, k.offset, k.count);
          // The records of a page make later look-ups of the same customers free (e.g. `group`).
          for (const c of page.items) {
            customer.prime(c.id, c);
            remember(options.memory, 'Customer', c.id, c);
          }
          return page;
        }),
      ),
    { cacheKeyFn: (k) => `${stableKey(k.filter)}@${k.offset}+${k.count}` },
  );

  const ticketPage = new DataLoader<TicketPageKey, Page<Ticket>, string>(
    (keys) =>
      Promise.all(
        keys.map(async (k) => {
          const page = await client.searchTickets(k.filter, k.offset, k.count);
          primeTickets(page.items);
          return page;
        }),
      ),
    {
      cacheKeyFn: (k) => `${stableKey({ ...k.filter, statuses: k.filter.statuses && statusesKey(canonicalStatuses(k.filter.statuses)) })}@${k.offset}+${k.count}`,
    },
  );

  return { customer, ticket, customerTickets, customerInteractions, satisfaction, customerPage, ticketPage };
}

/** Loads a customer by any spelling of its id (blanks around it); null for a malformed or unknown one. */
export function loadCustomer(loaders: Loaders, id: string): Promise<Customer | null> {
  const key = normalizeCustomerId(id);
  return key === undefined ? Promise.resolve(null) : loaders.customer.load(key);
}

/** Loads a ticket by SR number; null for a malformed or unknown one. */
export function loadTicket(loaders: Loaders, id: string): Promise<Ticket | null> {
  const key = normalizeTicketId(id);
  return key === undefined ? Promise.resolve(null) : loaders.ticket.load(key);
}
