import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSearchSpec } from '../../../emulators/customer-service/searchspec.js';
import { SblFailure } from '../../../emulators/customer-service/errors.js';
import type { TestEmulator } from '../../helpers/emulators.js';
import { testWorld } from '../../helpers/emulators.js';
import { call, crmInstant, login, search, searchAll, startCrm } from './crm.js';

let emu: TestEmulator;
let token: string;
beforeAll(async () => {
  emu = await startCrm();
  token = await login(emu);
});
afterAll(() => emu.close());

const w = testWorld;
const ids = (items: any[]) => items.map((c) => c['Row Id']);
/** The world's customers of a region, in the CRM's internal (index) order. */
function regionIds(province: string, ln?: string, filter: (i: number) => boolean = () => true): string[] {
  const r = w.customersIn(province, ln)!;
  const out: string[] = [];
  for (let k = 0; k < r.count; k++) if (filter(r.at(k))) out.push(w.customerId(r.at(k)));
  return out;
}
function firstIndex(p: (i: number) => boolean): number {
  for (let i = 0; i < w.customerCount; i++) if (p(i)) return i;
  throw new Error('no such customer in testWorld');
}

describe('CRM Customer records (contract §3)', () => {
  it('answers a Row Id search with the world customer, every field a string, lists comma-separated, times local MM/DD/YYYY', async () => {
    const i = firstIndex((k) => w.customer(k).kind === 'INDIVIDUAL' && w.accounts(k).length > 1 && w.lines(k).length > 1 && !w.customer(k).email);
    const c = w.customer(i);
    const r = await search(emu, token, 'Customer', { searchspec: `[Row Id]='${c.id}'` });
    expect(r.status).toBe(200);
    expect(r.body.LastPage).toBe(true);
    const rec = r.body.items[0];
    expect(rec).toEqual({
      'Row Id': c.id,
      Name: c.name,
      'Customer Type': 'Individual',
      Status: c.status,
      Segment: c.segment,
      'Star Level': c.starLevel,
      'Big Customer Class': c.bigCustomerClass ?? '',
      Province: c.province,
      'Local Network': c.localNetwork,
      'Account Manager': c.accountManager ?? '',
      'Parent Row Id': '',
      'ID Type': 'Resident ID',
      'ID Number': c.idNumber,
      Phone: c.phone,
      Email: '',
      'Preferred Channel': c.preferredChannel,
      'Billing Account Numbers': w.accounts(i).map((a) => a.key).join(','),
      'Service Numbers': w.crmServiceNumbers(i).join(','),
      Created: expect.stringMatching(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2}$/),
    });
    expect(rec['Billing Account Numbers']).toContain(',');
    expect(Object.values(rec).every((v) => typeof v === 'string')).toBe(true);
    expect(crmInstant(rec.Created)).toBe(c.createdAt); // Asia/Shanghai wall clock, no zone
  });

  it('sends organisations with an empty Star Level and group members with their Parent Row Id', async () => {
    const g = firstIndex((k) => w.groupMembers(k).length > 0);
    const members = w.groupMembers(g);
    const r = await search(emu, token, 'Customer', { searchspec: `[Parent Row Id]='${w.customerId(g)}'` });
    expect(ids(r.body.items)).toEqual(members.map((m) => w.customerId(m)));
    for (const rec of r.body.items) {
      expect(rec['Customer Type']).toBe('Organization');
      expect(rec['Star Level']).toBe('');
      expect(rec['Parent Row Id']).toBe(w.customerId(g));
    }
  });

  it("keeps the CRM's stale service-number list where the world says it is stale", async () => {
    const extra = firstIndex((k) => w.customer(k).staleServiceList === 'extra');
    const missing = firstIndex((k) => w.customer(k).staleServiceList === 'missing' && w.customer(k).lineCount > 1);
    for (const i of [extra, missing]) {
      const r = await search(emu, token, 'Customer', { searchspec: `[Row Id]='${w.customerId(i)}'` });
      const listed = r.body.items[0]['Service Numbers'].split(',');
      expect(listed).toEqual(w.crmServiceNumbers(i));
      expect(listed).not.toEqual(w.lines(i).map((l) => l.serviceNumber));
    }
    // The extra (former) number finds the customer; the number the CRM lacks does not.
    const byExtra = await search(emu, token, 'Customer', { searchspec: `[Service Numbers]='${w.formerNumber(extra)}'` });
    expect(ids(byExtra.body.items)).toEqual([w.customerId(extra)]);
    const lacking = w.lines(missing).at(-1)!.serviceNumber;
    const byMissing = await search(emu, token, 'Customer', { searchspec: `[Service Numbers]='${lacking}'` });
    expect(byMissing.body.items).toEqual([]);
  });

  it('finds customers by ID Number, Phone and any one of their service numbers (list contains)', async () => {
    const i = 77;
    const c = w.customer(i);
    for (const spec of [`[ID Number]='${c.idNumber}'`, `[Phone]='${c.phone}'`, `[Service Numbers]='${w.crmServiceNumbers(i).at(-1)}'`]) {
      const r = await search(emu, token, 'Customer', { searchspec: spec });
      expect(ids(r.body.items), spec).toEqual([c.id]);
    }
  });
});

describe('CRM searchspec (contract §3)', () => {
  it('supports =, <>, LIKE prefix*, IS NULL and IS NOT NULL', async () => {
    const bj = (p: (i: number) => boolean) => regionIds('BJ', undefined, p);
    expect(ids(await searchAll(emu, token, 'Customer', "[Province]='BJ' AND [Email] IS NULL"))).toEqual(bj((i) => !w.customer(i).email));
    expect(ids(await searchAll(emu, token, 'Customer', "[Province]='BJ' AND [Email] IS NOT NULL"))).toEqual(bj((i) => !!w.customer(i).email));
    expect(ids(await searchAll(emu, token, 'Customer', "[Province]='BJ' AND [Email]=''"))).toEqual(bj((i) => !w.customer(i).email));
    expect(ids(await searchAll(emu, token, 'Customer', "[Province]='BJ' AND [Customer Type]<>'Individual'"))).toEqual(bj((i) => w.customer(i).kind === 'ORGANIZATION'));
    // <> never matches a null (SQL semantics): customers without a class are not "<> 'Group'".
    expect(ids(await searchAll(emu, token, 'Customer', "[Province]='BJ' AND [Big Customer Class]<>'Group'"))).toEqual(
      bj((i) => !!w.customer(i).bigCustomerClass && w.customer(i).bigCustomerClass !== 'Group'),
    );
    const like = await searchAll(emu, token, 'Customer', "[Province]='BJ' AND [Name] LIKE '王*'");
    expect(like.length).toBeGreaterThan(0);
    expect(ids(like)).toEqual(bj((i) => w.customer(i).name.startsWith('王')));
    const mobile = await searchAll(emu, token, 'Customer', "[Local Network]='NB' AND [Service Numbers] LIKE 'AD*'");
    expect(ids(mobile)).toEqual(regionIds('ZJ', 'NB', (i) => w.crmServiceNumbers(i).some((n) => n.startsWith('AD'))));
  });

  it("reads a doubled quote inside a literal as one quote ('O''Brien')", async () => {
    const spec = parseSearchSpec("[Name]='O''Brien' OR [Name] LIKE 'it''s*'", 'Customer');
    expect(spec).toMatchObject({ kind: 'or', items: [{ field: 'Name', op: '=', value: "O'Brien" }, { field: 'Name', op: 'LIKE', value: "it's*" }] });
    const id = w.customerId(12);
    const r = await search(emu, token, 'Customer', { searchspec: `[Province]='${w.customer(12).province}' AND ([Name]='O''Brien' OR [Row Id]='${id}')` });
    expect(r.status).toBe(200);
    expect(ids(r.body.items)).toEqual([id]);
  });

  it('combines terms with AND and OR, AND binding tighter, parentheses grouping', async () => {
    const grouped = await searchAll(emu, token, 'Customer', "([Local Network]='NB' OR [Local Network]='WZ') AND [Segment]='Government'");
    const expected = [...regionIds('ZJ', undefined, (i) => ['NB', 'WZ'].includes(w.customer(i).localNetwork) && w.customer(i).segment === 'Government')];
    expect(grouped.length).toBeGreaterThan(0);
    expect(ids(grouped)).toEqual(expected);
    const precedence = await searchAll(emu, token, 'Customer', "[Local Network]='NB' AND [Segment]='Government' OR [Local Network]='WZ' AND [Segment]='Government'");
    expect(ids(precedence)).toEqual(expected);
  });

  it('answers an unknown field with 400 SBL-DAT-00398', async () => {
    const r = await search(emu, token, 'Customer', { searchspec: "[Nickname]='x'" });
    expect(r.status).toBe(400);
    expect(r.body.ErrorCode).toBe('SBL-DAT-00398');
    expect(r.body.ErrorMsg).toContain("'Nickname'");
    const sr = await search(emu, token, 'ServiceRequest', { searchspec: "[Name]='x'" });
    expect(sr.body.ErrorCode).toBe('SBL-DAT-00398');
  });

  it('answers a broken expression with 400 SBL-DAT-00358', async () => {
    for (const spec of ["[Name]='x", "[Name] = x", "[Name]='a' AND", "([Name]='a'", "[Name]='a' [Phone]='b'", "[Name] > 'a'", '[Name]="a"', "[Name] IS 'a'", "[Name='a'"]) {
      const r = await search(emu, token, 'Customer', { searchspec: spec });
      expect(r.status, spec).toBe(400);
      expect(r.body.ErrorCode, spec).toBe('SBL-DAT-00358');
    }
  });

  it('accepts 50 terms and refuses 51 terms or more than 2 000 characters with 400', async () => {
    const fifty = Array.from({ length: 50 }, (_, k) => `[Row Id]='${w.customerId(k * 3)}'`).join(' OR ');
    const ok = await search(emu, token, 'Customer', { searchspec: fifty, PageSize: 100 });
    expect(ok.status).toBe(200);
    // An OR of Row Ids is a direct multi-get, in the CRM's internal order.
    expect(ids(ok.body.items)).toEqual(Array.from({ length: 50 }, (_, k) => w.customerId(k * 3)));
    expect(ok.ms).toBeLessThan(1000);
    const r51 = await search(emu, token, 'Customer', { searchspec: `${fifty} OR [Row Id]='1-AAAAAA'` });
    expect(r51.status).toBe(400);
    expect(r51.body.ErrorCode).toBe('SBL-DAT-00359');
    const long = await search(emu, token, 'Customer', { searchspec: `[Name]='${'x'.repeat(1995)}'` });
    expect(long.status).toBe(400);
    expect(long.body.ErrorCode).toBe('SBL-DAT-00359');
  });

  it('scans for a Name search, which is noticeably slower than an indexed search', async () => {
    const c = w.customer(4321);
    const indexed = await search(emu, token, 'Customer', { searchspec: `[Row Id]='${c.id}'` });
    const scan = await search(emu, token, 'Customer', { searchspec: `[Name]='${c.name}'` });
    expect(scan.status).toBe(200);
    expect(ids(scan.body.items)).toContain(c.id);
    expect(scan.body.items.every((x: any) => x.Name === c.name)).toBe(true);
    expect(scan.ms).toBeGreaterThan(indexed.ms * 5);
    expect(scan.ms).toBeGreaterThan(1000);
  });
});

describe('CRM paging and sorting (contract §3)', () => {
  it('pages 10 records by default and at most 100, refusing bad PageSize and StartRowNum with 400', async () => {
    const spec = "[Province]='GD'";
    const d = await search(emu, token, 'Customer', { searchspec: spec });
    expect(d.body.items).toHaveLength(10);
    expect(d.body.LastPage).toBe(false);
    expect((await search(emu, token, 'Customer', { searchspec: spec, PageSize: 100 })).body.items).toHaveLength(100);
    for (const bad of [{ PageSize: 101 }, { PageSize: 0 }, { PageSize: 'ten' }, { StartRowNum: -1 }, { StartRowNum: '1.5' }] as Record<string, string | number>[]) {
      const r = await search(emu, token, 'Customer', { searchspec: spec, ...bad });
      expect(r.status, JSON.stringify(bad)).toBe(400);
      expect(r.body.ErrorCode).toBe('SBL-ODU-00271');
    }
  });

  it('pages to the end with StartRowNum, LastPage true only on the last page', async () => {
    const expected = regionIds('ZJ', 'NB');
    const got: string[] = [];
    const lastPages: boolean[] = [];
    for (let start = 0; ; start += 100) {
      const r = await search(emu, token, 'Customer', { searchspec: "[Local Network]='NB'", PageSize: 100, StartRowNum: start });
      got.push(...ids(r.body.items));
      lastPages.push(r.body.LastPage);
      if (r.body.LastPage) break;
    }
    expect(got).toEqual(expected);
    expect(lastPages).toEqual([...Array(Math.ceil(expected.length / 100) - 1).fill(false), true]);
    const past = await search(emu, token, 'Customer', { searchspec: "[Local Network]='NB'", StartRowNum: expected.length });
    expect(past.body).toEqual({ items: [], LastPage: true });
  });

  it('orders by sortspec [Field] (ASCENDING|DESCENDING), dates by time', async () => {
    const r = await searchAll(emu, token, 'Customer', "[Local Network]='WZ'", { sortspec: '[Created] (DESCENDING)' });
    const expected = regionIds('ZJ', 'WZ')
      .map((id) => w.customerIndexById(id))
      .sort((a, b) => w.customer(b).createdAt - w.customer(a).createdAt)
      .map((i) => w.customerId(i));
    expect(ids(r)).toEqual(expected);
    const page2 = await search(emu, token, 'Customer', { searchspec: "[Local Network]='WZ'", sortspec: '[Created] (DESCENDING)', StartRowNum: 10 });
    expect(ids(page2.body.items)).toEqual(expected.slice(10, 20));
    const bad = await search(emu, token, 'Customer', { searchspec: "[Local Network]='WZ'", sortspec: '[Shoe Size] (ASCENDING)' });
    expect(bad.body.ErrorCode).toBe('SBL-DAT-00398');
    const broken = await search(emu, token, 'Customer', { searchspec: "[Local Network]='WZ'", sortspec: '[Created] (UPWARDS)' });
    expect(broken.status).toBe(400);
  });
});

describe('CRM customers:lookup (contract §3)', () => {
  it('answers the records found, in request order, unknown ids absent', async () => {
    const keys = [w.customerId(9), '1-ZZZZZZ', w.customerId(2), 'garbage', w.customerId(500)];
    const r = await call(emu, 'POST', '/crm/v1/customers:lookup', { token, body: { ids: keys } });
    expect(r.status).toBe(200);
    expect(ids(r.body.items)).toEqual([w.customerId(9), w.customerId(2), w.customerId(500)]);
    expect(r.body.items[0]['Service Numbers']).toBe(w.crmServiceNumbers(9).join(','));
  });

  it("finds customers by any number in the CRM's list, stale extras included", async () => {
    const extra = firstIndex((k) => w.customer(k).staleServiceList === 'extra');
    const numbers = [w.lines(40)[0]!.serviceNumber, '13000000000', w.formerNumber(extra), w.lines(41).at(-1)!.serviceNumber];
    const r = await call(emu, 'POST', '/crm/v1/customers:lookup', { token, body: { serviceNumbers: numbers } });
    expect(ids(r.body.items)).toEqual([w.customerId(40), w.customerId(extra), w.customerId(41)]);
  });

  it('takes up to 50 keys and answers more with 400', async () => {
    const fifty = Array.from({ length: 50 }, (_, k) => w.customerId(k));
    const ok = await call(emu, 'POST', '/crm/v1/customers:lookup', { token, body: { ids: fifty } });
    expect(ids(ok.body.items)).toEqual(fifty);
    const over = await call(emu, 'POST', '/crm/v1/customers:lookup', { token, body: { ids: [...fifty, w.customerId(60)] } });
    expect(over.status).toBe(400);
    expect(over.body.ErrorCode).toBe('SBL-EAI-04451');
    const both = await call(emu, 'POST', '/crm/v1/customers:lookup', { token, body: { ids: [], serviceNumbers: [] } });
    expect(both.status).toBe(400);
    const neither = await call(emu, 'POST', '/crm/v1/customers:lookup', { token, body: {} });
    expect(neither.body.ErrorCode).toBe('SBL-ODU-00271');
  });
});

describe('searchspec parser', () => {
  it('throws the CRM error answer, never a crash', () => {
    expect(() => parseSearchSpec("[Row Id]='1-A' AND (", 'Customer')).toThrow(SblFailure);
    expect(parseSearchSpec('   ', 'Customer')).toBeUndefined();
  });
});
