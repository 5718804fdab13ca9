/**
 * The lower bound on legacy calls a query needs, and the critical-path latency bound, by the
 * issue's rule: per system and dependency level, ceil(keys ÷ max batch) for an operation with a
 * batch form (OR-ed searchspecs and the `:lookup`/`:byCustomer` batches on the CRM), one call per
 * key for an operation without one, plus the pages the data needs; the critical path is the sum
 * over the levels of the slowest system in the level, where a system takes
 * ceil(its calls ÷ its concurrency limit) × its latency.
 *
 * The keys are counted in the answer itself (accounts, lines, customers, alarms it holds), so the
 * bound is the one for exactly the data returned. Dependency levels follow the data: a level can
 * only use keys that an earlier level returned (billing owns line → customer and the lines and
 * accounts of a customer; the NMS owns the elements a line rides on and an alarm's element).
 */

export type LegacySystem = 'customer-service' | 'billing' | 'network';
/** Legacy calls per system, one entry per dependency level. */
export type Levels = Partial<Record<LegacySystem, number>>[];

/** Calls in flight each system accepts (contract limits): CRM 5 per session, billing 20, NMS 10. */
export const SYSTEM_LIMITS: Record<LegacySystem, number> = { 'customer-service': 5, billing: 20, network: 10 };

/** Max keys per batch call, per the legacy contracts (docs/legacy-systems/). */
const BATCH = {
  crmLookup: 50, // customers:lookup, ServiceRequest:byCustomer, OR-ed searchspecs
  crmPage: 100, // PageSize at most 100
  billingCustomer: 100, // BatchQueryCustomerInfo
  billingBalance: 50, // BatchQueryBalance; QueryBillList has no batch form
  nms: 100, // every NMS batch (services, nes, alarms by ids, alarms by elements)
  nmsPage: 5000, // limit=0 answers up to 5 000
};

export function criticalPathMs(levels: Levels, latency: Record<LegacySystem, number>): number {
  let total = 0;
  for (const level of levels) {
    let slowest = 0;
    for (const [s, calls] of Object.entries(level) as [LegacySystem, number][]) {
      if (calls > 0) slowest = Math.max(slowest, Math.ceil(calls / SYSTEM_LIMITS[s]) * latency[s]);
    }
    total += slowest;
  }
  return total;
}

const batches = (keys: number, max: number) => Math.ceil(keys / max);
const arr = (v: unknown): any[] => (Array.isArray(v) ? v : []);
const distinct = (values: unknown[]) => new Set(values.filter((v) => v !== null && v !== undefined)).size;

/** Customer-360 fields under one or more customers (S1, S2): accounts, balances, bills, lines, network status, open tickets. */
function customerLevels(customers: any[]): { crm: number; billingBalance: number; billingBills: number; nmsServices: number; lines: number } {
  const accounts = customers.flatMap((c) => arr(c?.accounts));
  const lines = customers.flatMap((c) => arr(c?.serviceLines));
  return {
    crm: batches(customers.length, BATCH.crmLookup), // open tickets: ServiceRequest:byCustomer
    billingBalance: batches(accounts.length, BATCH.billingBalance),
    billingBills: accounts.filter((a) => a?.type !== 'PREPAID').length, // QueryBillList: one call per postpaid account, no batch form (prepaid accounts have no bills)
    nmsServices: batches(distinct(lines.map((l) => l?.serviceNumber)), BATCH.nms),
    lines: lines.length,
  };
}

export function lowerBound(scenario: string, data: any): Levels {
  if (!data) return [];
  switch (scenario) {
    case 'S1': {
      const c = data.customerByServiceNumber;
      if (!c) return [{ billing: 1 }];
      const k = customerLevels([c]);
      return [
        { billing: 1 }, // the line → customer, its accounts and lines (BatchQueryCustomerInfo by service number)
        { 'customer-service': 1 + k.crm, billing: k.billingBalance + k.billingBills, network: k.nmsServices }, // CRM customer by id + open tickets
        { network: k.lines ? 1 : 0 }, // active alarms on the elements the lines ride on (alarms/_query, ≤ 100 elements)
      ];
    }
    case 'S2': {
      const nodes = arr(data.customers?.edges).map((e) => e?.node);
      const k = customerLevels(nodes);
      return [
        { 'customer-service': Math.max(1, batches(nodes.length, BATCH.crmPage)) }, // the page of customers
        { 'customer-service': k.crm, billing: batches(nodes.length, BATCH.billingCustomer) }, // open tickets; accounts and lines
        { billing: k.billingBalance + k.billingBills, network: k.nmsServices }, // balances, bills; network status
      ];
    }
    case 'S3': {
      const tickets = arr(data.tickets?.edges).map((e) => e?.node);
      const lines = distinct(tickets.map((t) => t?.serviceLine?.serviceNumber));
      const alarms = distinct(tickets.map((t) => t?.alarm?.id));
      const elements = distinct(tickets.map((t) => t?.alarm?.element?.id));
      return [
        { 'customer-service': Math.max(1, batches(tickets.length, BATCH.crmPage)) }, // the page of tickets (searchspec)
        {
          'customer-service': batches(distinct(tickets.map((t) => t?.customer?.id)), BATCH.crmLookup), // customer names
          billing: batches(lines, BATCH.billingCustomer), // line kind and status
          network: batches(lines, BATCH.nms) + batches(alarms, BATCH.nms), // network status; alarms by id
        },
        { network: batches(elements, BATCH.nms) }, // the alarms' element names
      ];
    }
    case 'S4': {
      const o = data.outage;
      if (!o) return [{ network: 1 }];
      const lines = arr(o.affectedServiceLines?.edges).map((e) => e?.node);
      const customers = distinct(lines.map((l) => l?.customer?.id));
      const rootAlarms = arr(o.rootCauseAlarms);
      return [
        { network: 1 + Math.max(1, batches(lines.length, BATCH.nmsPage)) }, // the outage; its affected services (with their status)
        { network: batches(rootAlarms.length, BATCH.nms), billing: batches(lines.length, BATCH.billingCustomer) }, // root-cause alarms; line → customer
        {
          network: batches(distinct(rootAlarms.map((a) => a?.element?.id)), BATCH.nms), // the alarms' element names
          'customer-service': 2 * batches(customers, BATCH.crmLookup), // customers by id; their open tickets
        },
      ];
    }
    default:
      return [];
  }
}
