import { formatLocal } from '../shared/time.js';
import type { Line, World } from '../shared/world.js';
import type { Row } from './fields.js';

/** CRM date-times: local Asia/Shanghai `MM/DD/YYYY HH:MM:SS` (contract §3). */
export const CRM_TIME = 'MM/dd/yyyy HH:mm:ss';

/** Entries kept by each of the small caches below (cleared when full, like the world's own). */
const CACHE_SIZE = 8192;

function cached<V>(cache: Map<number, V>, i: number, make: (i: number) => V): V {
  let v = cache.get(i);
  if (v === undefined) {
    v = make(i);
    if (cache.size >= CACHE_SIZE) cache.clear();
    cache.set(i, v);
  }
  return v;
}

/** The fields of a customer that take the world longest to derive (its lines). */
export const LIST_FIELDS: ReadonlySet<string> = new Set(['Billing Account Numbers', 'Service Numbers']);

export function crmTime(ms: number): string {
  return formatLocal(ms, CRM_TIME);
}

/**
 * Customers as the CRM holds them: the world's customer with the CRM's field names, and the
 * look-ups the CRM's indexes answer without a scan.
 */
export class CustomerStore {
  // Bounded caches of what the world derives slowly (a customer's lines cost tens of µs).
  private readonly lineCache = new Map<number, readonly Line[]>();
  private readonly numberCache = new Map<number, readonly string[]>();
  private readonly rowCache = new Map<number, Row>();

  constructor(private readonly world: World) {}

  /** Customer `i`'s lines as billing knows them. */
  lines(i: number): readonly Line[] {
    return cached(this.lineCache, i, (k) => this.world.lines(k));
  }

  /** The service numbers the CRM records for customer `i` (possibly stale). */
  crmNumbers(i: number): readonly string[] {
    return cached(this.numberCache, i, (k) => this.world.crmServiceNumbers(k));
  }

  /** The CRM record of customer `i` (contract §3 field list; every empty value is ""). Do not mutate. */
  row(i: number): Row {
    return cached(this.rowCache, i, (k) => this.makeRow(k, true));
  }

  /** The record without its list fields, cheap to derive: enough to filter a scan on other fields. */
  partialRow(i: number): Row {
    return this.rowCache.get(i) ?? this.makeRow(i, false);
  }

  private makeRow(i: number, withLists: boolean): Row {
    const w = this.world;
    const c = w.customer(i);
    const row: Row = {
      'Row Id': c.id,
      Name: c.name,
      'Customer Type': c.kind === 'INDIVIDUAL' ? 'Individual' : 'Organization',
      Status: c.status,
      Segment: c.segment,
      'Star Level': c.starLevel ?? '',
      'Big Customer Class': c.bigCustomerClass ?? '',
      Province: c.province,
      'Local Network': c.localNetwork,
      'Account Manager': c.accountManager ?? '',
      'Parent Row Id': c.groupParent >= 0 ? w.customerId(c.groupParent) : '',
      'ID Type': c.idType,
      'ID Number': c.idNumber,
      Phone: c.phone,
      Email: c.email ?? '',
      'Preferred Channel': c.preferredChannel,
      'Billing Account Numbers': '',
      'Service Numbers': '',
      Created: crmTime(c.createdAt),
    };
    if (withLists) {
      // contract §3: list fields are comma-separated strings; Service Numbers is the CRM's own
      // (possibly stale) list, not billing's.
      row['Billing Account Numbers'] = w.accounts(i).map((a) => a.key).join(',');
      row['Service Numbers'] = this.crmNumbers(i).join(',');
    }
    return row;
  }

  /** The customer whose CRM list of service numbers holds this number (stale extras included), or -1. */
  byServiceNumber(number: string): number {
    const w = this.world;
    let i = -1;
    const line = w.line(number);
    if (line) i = line.customer;
    else {
      // Not a line billing knows: maybe the stale "extra" number of a customer (world.formerNumber).
      i = w.customerIndexByFormerNumber(number);
      if (i < 0) return -1;
    }
    return this.crmNumbers(i).includes(number) ? i : -1;
  }
}
