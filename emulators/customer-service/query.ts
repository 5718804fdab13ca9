import { hashString } from '../shared/hash.js';
import { fail } from './errors.js';
import { localNetwork as findLocalNetwork, type RegionRange } from '../shared/regions.js';
import { World } from '../shared/world.js';
import { OPEN_SR_STATUSES, SR_STATUSES, type BusinessComponent, type Row } from './fields.js';
import type { CrmModel } from './model.js';
import { LIST_FIELDS } from './customers.js';
import { comparator, fieldsOf, matches, toDnf, type Expr, type SortKey, type Term } from './searchspec.js';
import { OPEN_WEEKS_BACK, OUTAGE_OPEN_SLOTS, RETENTION_WEEKS, ticketRow, weekOf, type TicketFacts } from './ticketFacts.js';

/**
 * Planning and running a `GET /crm/v1/data/{BC}` search (contract §3).
 *
 * The spec is put in disjunctive normal form; each OR-branch is served by its best indexed
 * equality term (a direct look-up, a group, a region range, or — for service requests — a
 * region's weeks, bounded to the recent ones when the branch asks for an open status), and the
 * candidates of all branches are merged, de-duplicated and filtered by the whole spec. A branch
 * with no indexed equality term makes the whole search a scan, which is slow by contract: it
 * waits {@link SCAN_DELAY_MS}–{@link SCAN_DELAY_MS}×2 on top of the work.
 */

export const SCAN_DELAY_MS = 1500;
/**
 * A search still running after this long is cancelled with a 500 (SBL-DBC-00123), as the CRM's
 * database would: a forgotten scan of a million customers must not run on for minutes after
 * its caller gave up.
 */
export const QUERY_TIMEOUT_MS = 30_000;

/** Indexed equality terms, per component (contract §3 lists them). */
const INDEXED: Record<BusinessComponent, ReadonlySet<string>> = {
  Customer: new Set(['Row Id', 'Province', 'Local Network', 'Parent Row Id', 'Service Numbers', 'ID Number', 'Phone']),
  ServiceRequest: new Set(['SR Number', 'Customer Id', 'Province', 'Local Network', 'Status']),
  Activity: new Set(['Activity Id', 'Customer Id']),
  Survey: new Set(['Customer Id']),
};

export interface Page {
  items: Row[];
  lastPage: boolean;
  /** The search had no index for some branch and scanned. */
  scanned: boolean;
}

export interface SearchRequest {
  spec: Expr | undefined;
  specText: string;
  sort: SortKey[] | undefined;
  start: number;
  size: number;
  now: number;
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A stream of candidate rows; `null` is a tick a generator sends while it skips candidates
 * itself, so that a long run of misses still gives the event loop a turn.
 */
type Candidates = Iterable<Row | null>;

/** Filters, pages and (with a sortspec) sorts a stream of candidate rows without blocking the loop. */
async function collect(rows: Candidates, req: SearchRequest): Promise<{ items: Row[]; lastPage: boolean }> {
  const { spec, sort, start, size } = req;
  let steps = 0;
  const started = performance.now();
  const yieldToLoop = async () => {
    await tick();
    if (performance.now() - started > QUERY_TIMEOUT_MS) fail('queryTimeout', QUERY_TIMEOUT_MS / 1000);
  };
  if (!sort) {
    const items: Row[] = [];
    let seen = 0;
    for (const row of rows) {
      if (++steps % 512 === 0) await yieldToLoop();
      if (row === null || !matches(spec, row)) continue;
      if (items.length === size) return { items, lastPage: false };
      if (seen++ >= start) items.push(row);
    }
    return { items, lastPage: true };
  }
  // Sorted: keep the best start+size rows seen so far, trimming now and then.
  const cmp = comparator(sort);
  const keep = start + size;
  let buffer: Row[] = [];
  let total = 0;
  for (const row of rows) {
    if (++steps % 512 === 0) await yieldToLoop();
    if (row === null || !matches(spec, row)) continue;
    total++;
    buffer.push(row);
    if (buffer.length >= Math.max(2 * keep, 1024)) buffer = buffer.sort(cmp).slice(0, keep);
  }
  buffer.sort(cmp);
  return { items: buffer.slice(start, start + size), lastPage: total <= start + size };
}

/** Yields the union of ascending index streams, ascending, without duplicates. */
function* mergeAscending(sources: Iterable<number>[]): Generator<number> {
  const heads = sources.map((s) => {
    const it = s[Symbol.iterator]();
    return { it, cur: it.next() };
  });
  let last = -1;
  for (;;) {
    let best = -1;
    for (let k = 0; k < heads.length; k++) {
      const h = heads[k]!;
      if (!h.cur.done && (best < 0 || h.cur.value < heads[best]!.cur.value)) best = k;
    }
    if (best < 0) return;
    const h = heads[best]!;
    const v = h.cur.value as number;
    h.cur = h.it.next();
    if (v !== last) yield v;
    last = v;
  }
}

function* rangeOf(r: RegionRange | undefined): Generator<number> {
  if (!r) return;
  for (let k = 0; k < r.count; k++) yield r.at(k);
}

function* allCustomers(n: number): Generator<number> {
  for (let i = 0; i < n; i++) yield i;
}

/** The equality terms of a branch on indexed fields, with a non-empty value. */
function indexedTerms(branch: readonly Term[], bc: BusinessComponent): Term[] {
  return branch.filter((t) => t.op === '=' && INDEXED[bc].has(t.field));
}

/** One branch per OR, or undefined when some branch has no indexed equality term (a scan). */
function branchesOf(spec: Expr | undefined, bc: BusinessComponent): Term[][] | undefined {
  if (!spec) return undefined;
  const dnf = toDnf(spec);
  if (!dnf) return undefined;
  const out: Term[][] = [];
  for (const branch of dnf) {
    const terms = indexedTerms(branch, bc);
    if (!terms.length) return undefined;
    out.push(terms);
  }
  return out;
}

export class QueryRunner {
  constructor(private readonly model: CrmModel) {}

  async search(bc: BusinessComponent, req: SearchRequest): Promise<Page> {
    const branches = branchesOf(req.spec, bc);
    const scanned = branches === undefined;
    if (scanned) await sleep(SCAN_DELAY_MS + (hashString(req.specText) % SCAN_DELAY_MS));
    let rows: Candidates;
    switch (bc) {
      case 'Customer':
        rows = this.customerRows(branches, req.spec);
        break;
      case 'ServiceRequest':
        rows = this.ticketRows(branches, req.now);
        break;
      case 'Activity':
      case 'Survey':
        rows = this.perCustomerRows(bc, branches, req.now);
        break;
    }
    return { ...(await collect(rows, req)), scanned };
  }

  // ---------------------------------------------------------------- customers

  private *customerRows(branches: Term[][] | undefined, spec: Expr | undefined): Generator<Row | null> {
    const { world, customers } = this.model;
    let indexes: Iterable<number>;
    if (!branches) indexes = allCustomers(world.customerCount);
    else {
      indexes = mergeAscending(
        branches.map((terms) => {
          // Prefer a direct look-up over a group, and a group over a region.
          const rank = (t: Term) => (t.field === 'Province' ? 3 : t.field === 'Local Network' ? 2 : t.field === 'Parent Row Id' ? 1 : 0);
          const best = [...terms].sort((a, b) => rank(a) - rank(b))[0]!;
          return this.customerSource(best);
        }),
      );
    }
    // Without list fields in the spec, a candidate is first tested on the record without them:
    // a scan then does not derive every customer's lines.
    const fields = fieldsOf(spec);
    const cheap = spec !== undefined && ![...fields].some((f) => LIST_FIELDS.has(f));
    for (const i of indexes) {
      if (cheap && !matches(spec, customers.partialRow(i))) yield null;
      else yield customers.row(i);
    }
  }

  private customerSource(t: Term): Iterable<number> {
    const { world, customers } = this.model;
    const one = (i: number) => (i >= 0 ? [i] : []);
    switch (t.field) {
      case 'Row Id':
        return one(world.customerIndexById(t.value));
      case 'ID Number':
        return one(world.customerIndexByIdNumber(t.value));
      case 'Phone':
        return one(world.customerIndexByPhone(t.value));
      case 'Service Numbers':
        return one(customers.byServiceNumber(t.value));
      case 'Parent Row Id': {
        const g = world.customerIndexById(t.value);
        return g >= 0 ? world.groupMembers(g) : [];
      }
      case 'Local Network': {
        const ln = findLocalNetwork(t.value);
        return rangeOf(ln ? world.customersIn(ln.province, ln.code) : undefined);
      }
      default:
        return rangeOf(world.customersIn(t.value));
    }
  }

  // ---------------------------------------------------------------- service requests

  private *ticketRows(branches: Term[][] | undefined, now: number): Generator<Row | null> {
    const { world, tickets, overlay } = this.model;
    const points = new Map<string, TicketFacts>();
    const fullLns = new Set<(typeof tickets.lns)[number]>();
    const openLns = new Set<(typeof tickets.lns)[number]>();
    const addPoint = (t: TicketFacts | undefined) => t && points.set(t.sr, t);
    for (const terms of branches ?? [[]]) {
      const sr = terms.find((t) => t.field === 'SR Number');
      const customer = terms.find((t) => t.field === 'Customer Id');
      if (sr) addPoint(this.model.ticket(sr.value, now));
      else if (customer) {
        const i = world.customerIndexById(customer.value);
        if (i >= 0) for (const t of this.model.ticketsOf(i, now)) addPoint(t);
      } else {
        // A region (all of them when only Status is given), bounded to recent weeks for an open status.
        let lns = tickets.lns.filter((l) => terms.every((t) => (t.field === 'Province' ? l.ln.province === t.value : t.field === 'Local Network' ? l.ln.code === t.value : true)));
        const statuses = terms.filter((t) => t.field === 'Status').map((t) => t.value);
        if (statuses.some((s) => !(SR_STATUSES as readonly string[]).includes(s))) lns = [];
        const openOnly = statuses.some((s) => OPEN_SR_STATUSES.has(s));
        for (const l of lns) {
          (openOnly ? openLns : fullLns).add(l);
          // Tickets written through the API stay open whatever their age.
          for (const t of overlay.ticketsByLocalNetwork.get(l.ln.code) ?? []) addPoint(t);
        }
      }
    }
    for (const l of fullLns) openLns.delete(l);

    const cur = weekOf(now);
    const byWeek = new Map<number, TicketFacts[]>();
    for (const t of points.values()) {
      const w = weekOf(t.opened);
      const list = byWeek.get(w);
      if (list) list.push(t);
      else byWeek.set(w, [t]);
    }
    const weeks = new Set(byWeek.keys());
    const fullFrom = cur - RETENTION_WEEKS + 1;
    const openFrom = cur - OPEN_WEEKS_BACK;
    if (fullLns.size) for (let w = fullFrom; w <= cur; w++) weeks.add(w);
    if (openLns.size) for (let w = openFrom; w <= cur; w++) weeks.add(w);
    const full = [...fullLns];
    const open = [...openLns];
    const outageFrom = World.slotOf(now) - OUTAGE_OPEN_SLOTS;
    for (const w of [...weeks].sort((a, b) => b - a)) {
      const found = new Map<string, TicketFacts>();
      for (const t of byWeek.get(w) ?? []) found.set(t.sr, t);
      // One local network at a time, with a tick between: a week of a big world is a lot of tickets.
      if (w >= fullFrom) {
        for (const l of full) {
          for (const t of tickets.ticketsInWeek([l], w, now)) found.set(t.sr, t);
          yield null;
        }
      }
      if (w >= openFrom) {
        for (const l of open) {
          for (const t of tickets.ticketsInWeek([l], w, now, outageFrom)) found.set(t.sr, t);
          yield null;
        }
      }
      const list = [...found.values()].sort((a, b) => b.opened - a.opened || (a.sr < b.sr ? -1 : 1));
      for (const t of list) yield ticketRow(t, world.customerId(t.customer), now);
    }
  }

  // ---------------------------------------------------------------- activities and surveys

  private *perCustomerRows(bc: 'Activity' | 'Survey', branches: Term[][] | undefined, now: number): Generator<Row | null> {
    const { world } = this.model;
    const rowsOf = (i: number) => (bc === 'Activity' ? this.model.activityRowsOf(i, now) : this.model.surveyRowsOf(i, now));
    if (!branches) {
      // A scan: customer by customer, each newest first.
      for (let i = 0; i < world.customerCount; i++) {
        yield* rowsOf(i);
        yield null;
      }
      return;
    }
    const seen = new Set<string>();
    const out: Row[] = [];
    const add = (row: Row) => {
      const key = bc === 'Activity' ? row['Activity Id']! : JSON.stringify(row);
      if (!seen.has(key)) {
        seen.add(key);
        out.push(row);
      }
    };
    for (const terms of branches) {
      const id = terms.find((t) => t.field === 'Activity Id');
      if (id) {
        const a = this.model.activity(id.value, now);
        if (a) add(a);
        continue;
      }
      const i = world.customerIndexById(terms.find((t) => t.field === 'Customer Id')!.value);
      if (i >= 0) rowsOf(i).forEach(add);
    }
    const field = bc === 'Activity' ? 'Start' : 'Date';
    yield* out.sort(comparator([{ field, kind: 'date', descending: true }]));
  }
}
