import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startBillingEmulator } from '../../../emulators/billing/index.js';
import { addCycles, cycleOf, formatLocal, parseLocal } from '../../../emulators/shared/time.js';
import type { Account } from '../../../emulators/shared/world.js';
import { startTestEmulator, testWorld, type TestEmulator } from '../../helpers/emulators.js';
import { NOW, customerIn, someAccounts, subjects } from './fixtures.js';
import { faultCodeName, list, nextSeq, soapCall, type CallOptions, type Doc } from './soap.js';

const world = testWorld;
let em: TestEmulator;

beforeAll(async () => {
  em = await startTestEmulator('billing', startBillingEmulator);
});
afterAll(async () => {
  await em.close();
});
beforeEach(async () => {
  await em.reset();
});

const call = (op: string, request: string, o: CallOptions = {}) => soapCall(em.url, op, request, o);
const time = (ms: number) => formatLocal(ms, 'yyyyMMddHHmmss');
const prefixed = (a: Account) => (a.type === 'PREPAID' ? `PRE-${a.key}` : a.key);

/** What QueryCustomerInfo must answer for customer i, computed from the world. */
function expectedCustomer(i: number) {
  const c = world.customer(i);
  return {
    Customer: { CustKey: c.custKey, CrmCustId: c.id, CustName: c.name, ProvinceCode: c.province, RegionCode: c.localNetwork },
    Account: world.accounts(i).map((a) => ({ AcctKey: prefixed(a), PaymentType: a.type, Status: a.status, ParentAcctKey: a.parentKey ?? '' })),
    Subscriber: world.lines(i).map((l) => ({
      ServiceNumber: l.serviceNumber,
      ServiceType: l.kind,
      IMSI: l.imsi ?? '',
      ICCID: l.iccid ?? '',
      ProductName: l.productName,
      Status: l.status,
      ActiveTime: l.status === 'created' || l.status === 'pendingActive' ? '' : time(l.activatedAt),
      AcctKey: l.accountKey,
    })),
  };
}

/** Pages through a paged operation to the end, `fetch` rows at a time. */
async function pageAll(op: string, request: string, element: string, fetch: number) {
  const rows: Doc[] = [];
  let total = -1;
  for (let begin = 0; total < 0 || begin < total; begin += fetch) {
    const a = await call(op, `${request}<BeginRowNum>${begin}</BeginRowNum><FetchRowNum>${fetch}</FetchRowNum>`);
    expect(a.header.ResultCode).toBe('0');
    total = Number(a.result.TotalRowNum);
    expect(Number(a.result.BeginRowNum)).toBe(begin);
    const page = list(a.result[element]);
    expect(page.length).toBe(Math.min(fetch, Math.max(0, total - begin)));
    rows.push(...page);
    if (page.length === 0) break;
  }
  return { rows, total };
}

describe('billing QueryCustomerInfo', () => {
  it('answers the customer, its accounts and its lines by each kind of key, as the world has them', async () => {
    const i = subjects.prepaidCustomer;
    const c = world.customer(i);
    const prepaid = world.accounts(i).find((a) => a.type === 'PREPAID')!;
    const keys: [string, string][] = [
      ['ServiceNumber', world.lines(i)[1]!.serviceNumber],
      ['CustKey', c.custKey],
      ['CrmCustId', c.id],
      ['AcctKey', prepaid.key],
      ['AcctKey', `PRE-${prepaid.key}`],
    ];
    for (const [kind, key] of keys) {
      const a = await call('QueryCustomerInfo', `<${kind}>${key}</${kind}>`);
      expect(a.status).toBe(200);
      expect(a.header).toMatchObject({ Version: '1.0', ResultCode: '0', ResultDesc: 'Operation successfully.' });
      expect(a.result).toEqual(expectedCustomer(i));
    }
  });

  it('writes prepaid AcctKeys with PRE- on the Account record and without it on the Subscriber', async () => {
    const i = subjects.prepaidCustomer;
    const a = await call('QueryCustomerInfo', `<CustKey>${world.custKey(i)}</CustKey>`);
    const prepaid = world.accounts(i).find((x) => x.type === 'PREPAID')!;
    expect(list(a.result.Account).map((x: Doc) => x.AcctKey)).toContain(`PRE-${prepaid.key}`);
    const subs = list(a.result.Subscriber).filter((s: Doc) => s.AcctKey === prepaid.key);
    expect(subs.length).toBeGreaterThan(0);
    expect(a.text).not.toContain(`<AcctKey>PRE-${prepaid.key}</AcctKey></Subscriber>`);
  });

  it('writes a null as an empty element and does not wrap a list of one', async () => {
    const i = subjects.singleCustomer;
    const a = await call('QueryCustomerInfo', `<CustKey>${world.custKey(i)}</CustKey>`);
    expect(a.text).toMatch(/<Account><AcctKey>[^<]+<\/AcctKey><PaymentType>\w+<\/PaymentType><Status>\w+<\/Status><ParentAcctKey\/><\/Account><Subscriber>/);
    expect(a.text.match(/<Account>/g)).toHaveLength(1);
    expect(a.text).not.toMatch(/<Accounts>|<Subscribers>/);
    const member = subjects.groupMemberAccount;
    const g = await call('QueryCustomerInfo', `<AcctKey>${member.key}</AcctKey>`);
    expect(list(g.result.Account).find((x: Doc) => x.AcctKey === prefixed(member))?.ParentAcctKey).toBe(member.parentKey);
  });

  it('answers 102 for an unknown key', async () => {
    for (const req of ['<ServiceNumber>13000000000</ServiceNumber>', '<CustKey>8800000000</CustKey>', '<CrmCustId>1-ZZZZZZ</CrmCustId>', '<AcctKey>garbage</AcctKey>']) {
      const a = await call('QueryCustomerInfo', req);
      expect(a.status).toBe(200);
      expect(a.header.ResultCode).toBe('102');
      expect(a.result).toBeUndefined();
    }
  });

  it('answers 103 for a customer outside ProvinceCode/RegionCode, and the record inside it', async () => {
    const gd = customerIn('GD');
    const c = world.customer(gd);
    const key = `<CustKey>${c.custKey}</CustKey>`;
    expect((await call('QueryCustomerInfo', key, { province: 'BJ' })).header.ResultCode).toBe('103');
    const otherRegion = c.localNetwork === 'SZ' ? 'GZ' : 'SZ';
    expect((await call('QueryCustomerInfo', key, { province: 'GD', region: otherRegion })).header.ResultCode).toBe('103');
    const ok = await call('QueryCustomerInfo', key, { province: 'GD', region: c.localNetwork });
    expect(ok.header.ResultCode).toBe('0');
    expect(ok.result.Customer.CustKey).toBe(c.custKey);
  });

  it('is a Client fault unless exactly one key is given', async () => {
    const i = subjects.singleCustomer;
    for (const req of ['', `<CustKey>${world.custKey(i)}</CustKey><CrmCustId>${world.customerId(i)}</CrmCustId>`, '<CustKey/>']) {
      const a = await call('QueryCustomerInfo', req);
      expect(a.status).toBe(500);
      expect(faultCodeName(a.fault)).toBe('Client');
      expect(a.fault.detail.ErrorCode).toBe('8004');
    }
  });
});

describe('billing BatchQueryCustomerInfo', () => {
  it('answers one CustomerInfo per key in request order, each with its own Key and ResultCode', async () => {
    const gd = customerIn('GD');
    const notGd = customerIn('GD', true);
    const keys = [world.custKey(subjects.singleCustomer), '8800000000', world.custKey(notGd), world.custKey(gd), world.custKey(subjects.singleCustomer)];
    const a = await call('BatchQueryCustomerInfo', keys.map((k) => `<CustKey>${k}</CustKey>`).join(''), { province: 'GD' });
    expect(a.header.ResultCode).toBe('0');
    const items = list(a.result.CustomerInfo);
    expect(items.map((x: Doc) => x.Key)).toEqual(keys);
    const inGd = world.customer(subjects.singleCustomer).province === 'GD';
    expect(items.map((x: Doc) => x.ResultCode)).toEqual([inGd ? '0' : '103', '102', '103', '0', inGd ? '0' : '103']);
    const found = items[3];
    const { Customer, Account, Subscriber } = expectedCustomer(gd);
    expect(found).toEqual({ Key: keys[3], ResultCode: '0', ResultDesc: 'Operation successfully.', Customer, Account, Subscriber });
    expect(items[1].Customer).toBeUndefined();
  });

  it('takes 100 keys and answers 1010 "exceed max batch size" to 101', async () => {
    const numbers: string[] = [];
    for (let i = 0; numbers.length < 101; i++) numbers.push(...world.lines(i).map((l) => l.serviceNumber));
    const req = (n: number) => numbers.slice(0, n).map((s) => `<ServiceNumber>${s}</ServiceNumber>`).join('');
    const ok = await call('BatchQueryCustomerInfo', req(100));
    expect(ok.header.ResultCode).toBe('0');
    const items = list(ok.result.CustomerInfo);
    expect(items).toHaveLength(100);
    expect(items.map((x: Doc) => x.Key)).toEqual(numbers.slice(0, 100));
    expect(items.every((x: Doc) => x.ResultCode === '0')).toBe(true);
    expect(items[99].Customer.CustKey).toBe(world.custKey(world.line(numbers[99]!)!.customer));
    const over = await call('BatchQueryCustomerInfo', req(101));
    expect(over.status).toBe(200);
    expect(over.header).toMatchObject({ ResultCode: '1010', ResultDesc: 'exceed max batch size' });
    expect(over.result).toBeUndefined();
  });

  it('is a Client fault to mix kinds of key', async () => {
    const i = subjects.singleCustomer;
    const a = await call('BatchQueryCustomerInfo', `<CustKey>${world.custKey(i)}</CustKey><CrmCustId>${world.customerId(i)}</CrmCustId>`);
    expect(a.status).toBe(500);
    expect(faultCodeName(a.fault)).toBe('Client');
  });
});

describe('billing balances', () => {
  it('answers a prepaid account with PRE-, MAIN in fen and CreditLimit "0" as a string', async () => {
    const acct = subjects.prepaidAccount;
    const a = await call('QueryBalance', `<AcctKey>${acct.key}</AcctKey>`);
    expect(a.header.ResultCode).toBe('0');
    expect(a.result.AcctKey).toBe(`PRE-${acct.key}`);
    expect(a.result.CreditLimit).toBe('0');
    const types = list(a.result.Balance).map((b: Doc) => b.BalanceType);
    expect(types[0]).toBe('MAIN');
    expect(types.every((t: string) => t === 'MAIN' || t === 'BONUS')).toBe(true);
    expect(list(a.result.Balance).every((b: Doc) => /^-?\d+$/.test(b.Amount))).toBe(true);
  });

  it('answers a postpaid MAIN of minus the unpaid bill remainders, and its credit limit', async () => {
    const acct = subjects.owingAccount;
    const a = await call('QueryBalance', `<AcctKey>${acct.key}</AcctKey>`);
    expect(a.result.AcctKey).toBe(acct.key);
    expect(a.result.CreditLimit).toBe(String(acct.creditLimitFen));
    const bills = await pageAll('QueryBillList', `<AcctKey>${acct.key}</AcctKey>`, 'BillInfo', 200);
    const owed = bills.rows.reduce((s, b: Doc) => s + Number(b.Remaining), 0);
    expect(owed).toBeGreaterThan(0);
    const main = list(a.result.Balance).find((b: Doc) => b.BalanceType === 'MAIN');
    expect(Number(main.Amount)).toBe(-owed);
    expect(list(a.result.Balance).every((b: Doc) => b.BalanceType === 'MAIN' || b.BalanceType === 'DEPOSIT')).toBe(true);
  });

  it('BatchQueryBalance answers one BalanceInfo per key in order, with 102/103 per key, 50 at most', async () => {
    const accts = someAccounts(51);
    const first = accts[0]!;
    const province = world.customer(first.customer).province;
    const keys = [first.key, '3300000000', ...accts.slice(1, 48).map((a) => a.key), `PRE-${first.key}`];
    expect(keys).toHaveLength(50);
    const a = await call('BatchQueryBalance', keys.map((k) => `<AcctKey>${k}</AcctKey>`).join(''), { province });
    expect(a.header.ResultCode).toBe('0');
    const items = list(a.result.BalanceInfo);
    expect(items.map((x: Doc) => x.Key)).toEqual(keys);
    expect(items[1].ResultCode).toBe('102');
    keys.forEach((k, n) => {
      if (n === 1) return;
      const acct = world.account(k)!;
      const expected = world.customer(acct.customer).province === province ? '0' : '103';
      expect(items[n].ResultCode, k).toBe(expected);
      if (expected === '0') {
        expect(items[n].AcctKey).toBe(prefixed(acct));
        expect(items[n].CreditLimit).toBe(String(acct.creditLimitFen));
      } else expect(items[n].Balance).toBeUndefined();
    });
    const over = await call('BatchQueryBalance', accts.map((x) => `<AcctKey>${x.key}</AcctKey>`).join(''));
    expect(over.header).toMatchObject({ ResultCode: '1010', ResultDesc: 'exceed max batch size' });
  });
});

describe('billing keyed reads', () => {
  it('answer 102 for an unknown account or line and 103 outside the scope, with no Result element', async () => {
    const acct = subjects.owingAccount;
    const line = subjects.mobileLine;
    const outsideAcct = world.customer(acct.customer).province === 'BJ' ? 'SH' : 'BJ';
    const outsideLine = world.customer(line.customer).province === 'BJ' ? 'SH' : 'BJ';
    const window = '<StartTime>20261101000000</StartTime><EndTime>20261102000000</EndTime>';
    const cases: [string, string, string, string][] = [
      ['QueryBalance', '<AcctKey>3300000000</AcctKey>', `<AcctKey>${acct.key}</AcctKey>`, outsideAcct],
      ['QueryBillList', '<AcctKey>PRE-3300000000</AcctKey>', `<AcctKey>${acct.key}</AcctKey>`, outsideAcct],
      ['QueryPaymentLog', '<AcctKey>nonsense</AcctKey>', `<AcctKey>${acct.key}</AcctKey>`, outsideAcct],
      ['QueryCDR', `<ServiceNumber>${world.formerNumber(line.customer)}</ServiceNumber>${window}`, `<ServiceNumber>${line.serviceNumber}</ServiceNumber>${window}`, outsideLine],
    ];
    for (const [op, unknown, known, province] of cases) {
      const a = await call(op, unknown);
      expect(a.header.ResultCode, op).toBe('102');
      expect(a.result).toBeUndefined();
      const b = await call(op, known, { province });
      expect(b.header.ResultCode, op).toBe('103');
      expect(b.result).toBeUndefined();
      expect((await call(op, known)).header.ResultCode, op).toBe('0');
    }
  });
});

describe('billing QueryBillList', () => {
  it('pages the bills of a postpaid account to the end, newest first, consistent with their states', async () => {
    const acct = subjects.owingAccount;
    const { rows, total } = await pageAll('QueryBillList', `<AcctKey>${acct.key}</AcctKey>`, 'BillInfo', 7);
    // One bill per cycle from the account's creation up to the last complete cycle, at most 36.
    const last = addCycles(cycleOf(NOW), -1);
    const firstCycle = Math.max(cycleOf(acct.createdAt), addCycles(last, -35));
    const cycles: string[] = [];
    for (let c = last; c >= firstCycle; c = addCycles(c, -1)) cycles.push(String(c));
    expect(total).toBe(cycles.length);
    expect(rows.map((b: Doc) => b.BillCycle)).toEqual(cycles);
    expect(new Set(rows.map((b: Doc) => b.BillNo)).size).toBe(total);
    for (const b of rows) {
      expect(b.BillNo).toBe(`${b.BillCycle}${acct.key}`);
      const next = addCycles(Number(b.BillCycle), 1);
      expect(b.BillDate).toBe(`${next}01000000`);
      expect(b.DueDate).toBe(`${next}20235959`);
      const due = Number(b.AmountDue);
      const rem = Number(b.Remaining);
      expect(rem).toBeGreaterThanOrEqual(0);
      expect(rem).toBeLessThanOrEqual(due);
      const state = rem === 0 ? ['settled'] : rem === due ? ['sent', 'onHold'] : ['partiallyPaid'];
      expect(state, `${b.BillNo} ${b.Status} ${rem}/${due}`).toContain(b.Status);
    }
    // Old bills are settled; only the last few may be open.
    expect(rows.slice(3).every((b: Doc) => b.Status === 'settled')).toBe(true);
  });

  it('bills from the lines monthly fees, and filters by BeginMonth/EndMonth', async () => {
    const acct = subjects.youngPostpaid;
    const lines = world.lines(acct.customer).filter((l) => l.accountKey === acct.key);
    const fees = lines.filter((l) => l.status !== 'created' && l.status !== 'pendingActive' && l.status !== 'terminated').reduce((s, l) => s + l.monthlyFeeFen, 0);
    const a = await call('QueryBillList', `<AcctKey>${acct.key}</AcctKey><BeginMonth>202607</BeginMonth><EndMonth>202609</EndMonth>`);
    const bills = list(a.result.BillInfo);
    expect(bills.map((b: Doc) => b.BillCycle)).toEqual(['202609', '202608', '202607'].filter((c) => Number(c) >= cycleOf(acct.createdAt)));
    for (const b of bills) {
      const activeAll = lines.every((l) => l.activatedAt < Date.parse(`${b.BillCycle.slice(0, 4)}-${b.BillCycle.slice(4)}-01T00:00:00+08:00`));
      if (activeAll) expect(Number(b.AmountDue)).toBeGreaterThanOrEqual(fees);
    }
  });

  it('answers no bills for a prepaid account', async () => {
    const a = await call('QueryBillList', `<AcctKey>PRE-${subjects.prepaidAccount.key}</AcctKey>`);
    expect(a.header.ResultCode).toBe('0');
    expect(a.result.TotalRowNum).toBe('0');
    expect(a.result.BillInfo).toBeUndefined();
  });
});

describe('billing QueryPaymentLog', () => {
  it('pages payments to the end, newest first, adding up to what the bills were paid', async () => {
    const acct = subjects.owingAccount;
    const { rows, total } = await pageAll('QueryPaymentLog', `<AcctKey>${acct.key}</AcctKey>`, 'PaymentInfo', 13);
    expect(rows).toHaveLength(total);
    expect(new Set(rows.map((p: Doc) => p.PaymentId)).size).toBe(total);
    const times = rows.map((p: Doc) => parseLocal(p.PayTime, 'yyyyMMddHHmmss')!);
    expect([...times].sort((x, y) => y - x)).toEqual(times);
    expect(times.every((t) => t <= NOW)).toBe(true);
    for (const p of rows) {
      expect(['Counter', 'Online', 'Bank', 'Agent']).toContain(p.Channel);
      expect(['Cash', 'Card', 'Alipay', 'WeChat', 'BankTransfer']).toContain(p.PayMethod);
    }
    const bills = (await pageAll('QueryBillList', `<AcctKey>${acct.key}</AcctKey>`, 'BillInfo', 200)).rows;
    const paid = bills.reduce((s, b: Doc) => s + Number(b.AmountDue) - Number(b.Remaining), 0);
    expect(rows.reduce((s, p: Doc) => s + Number(p.Amount), 0)).toBe(paid);
  });

  it('answers top-ups of a prepaid account within StartTime/EndTime', async () => {
    const acct = subjects.prepaidAccount;
    const all = (await pageAll('QueryPaymentLog', `<AcctKey>${acct.key}</AcctKey>`, 'PaymentInfo', 200)).rows;
    expect(all.length).toBeGreaterThan(0);
    const a = await call('QueryPaymentLog', `<AcctKey>${acct.key}</AcctKey><StartTime>20260101000000</StartTime><EndTime>20260630235959</EndTime><FetchRowNum>200</FetchRowNum>`);
    const inRange = all.filter((p: Doc) => p.PayTime >= '20260101000000' && p.PayTime <= '20260630235959');
    expect(list(a.result.PaymentInfo)).toEqual(inRange);
    expect(Number(a.result.TotalRowNum)).toBe(inRange.length);
  });
});

describe('billing QueryCDR', () => {
  it('pages CDRs to the end, oldest first, with dateOfEvent/timeOfEvent, duration and duraction', async () => {
    const line = subjects.mobileLine;
    const req = `<ServiceNumber>${line.serviceNumber}</ServiceNumber><StartTime>20261001083000</StartTime><EndTime>20261031120000</EndTime>`;
    const { rows, total } = await pageAll('QueryCDR', req, 'CDRInfo', 50);
    expect(rows).toHaveLength(total);
    expect(total).toBeGreaterThan(0);
    const stamps = rows.map((r: Doc) => `${r.dateOfEvent}${r.timeOfEvent}`);
    expect([...stamps].sort()).toEqual(stamps);
    expect(stamps[0]! >= '20261001083000' && stamps.at(-1)! <= '20261031120000').toBe(true);
    const perDay = new Map<string, number>();
    for (const r of rows) {
      expect(r.dateOfEvent).toMatch(/^\d{8}$/);
      expect(r.timeOfEvent).toMatch(/^\d{6}$/);
      expect(['VOICE', 'SMS', 'DATA']).toContain(r.CdrType);
      expect(r.duration).toMatch(/^\d+$/);
      expect(r.duraction).toBe(r.duration);
      expect(r.Charge).toMatch(/^\d+$/);
      if (r.CdrType === 'DATA') {
        expect(Number(r.Volume)).toBeGreaterThan(0);
        expect(r.CalledNumber).toBe('');
      } else {
        expect(r.Volume).toBe('');
        expect(r.CalledNumber).toMatch(/^\d{11,12}$/);
      }
      perDay.set(r.dateOfEvent, (perDay.get(r.dateOfEvent) ?? 0) + 1);
    }
    expect(Math.max(...perDay.values())).toBeLessThanOrEqual(8);
    // Deterministic: the same window gives the same records.
    const again = await call('QueryCDR', `${req}<FetchRowNum>50</FetchRowNum>`);
    expect(list(again.result.CDRInfo)).toEqual(rows.slice(0, 50));
  });

  it('cuts FetchRowNum above 200 to 200 and says so in the answer', async () => {
    const line = subjects.mobileLine;
    const a = await call('QueryCDR', `<ServiceNumber>${line.serviceNumber}</ServiceNumber><StartTime>20260801000000</StartTime><EndTime>20261124000000</EndTime><FetchRowNum>500</FetchRowNum>`);
    expect(Number(a.result.TotalRowNum)).toBeGreaterThan(200);
    expect(a.result.FetchRowNum).toBe('200');
    expect(list(a.result.CDRInfo)).toHaveLength(200);
    const d = await call('QueryCDR', `<ServiceNumber>${line.serviceNumber}</ServiceNumber><StartTime>20260801000000</StartTime><EndTime>20261124000000</EndTime>`);
    expect(d.result.FetchRowNum).toBe('20');
    expect(list(d.result.CDRInfo)).toHaveLength(20);
  });

  it('has DATA-only records for broadband and none for a leased line', async () => {
    const window = '<StartTime>20261101000000</StartTime><EndTime>20261124235959</EndTime><FetchRowNum>200</FetchRowNum>';
    const bb = await call('QueryCDR', `<ServiceNumber>${subjects.broadbandLine.serviceNumber}</ServiceNumber>${window}`);
    expect(list(bb.result.CDRInfo).every((r: Doc) => r.CdrType === 'DATA')).toBe(true);
    const ll = await call('QueryCDR', `<ServiceNumber>${subjects.leasedLine.serviceNumber}</ServiceNumber>${window}`);
    expect(ll.header.ResultCode).toBe('0');
    expect(ll.result.TotalRowNum).toBe('0');
  });

  it('is a Client fault without StartTime/EndTime or with bad paging numbers', async () => {
    const sn = `<ServiceNumber>${subjects.mobileLine.serviceNumber}</ServiceNumber>`;
    for (const req of [sn, `${sn}<StartTime>2026-10-01</StartTime><EndTime>20261031000000</EndTime>`, `${sn}<StartTime>20261001000000</StartTime><EndTime>20261031000000</EndTime><BeginRowNum>-1</BeginRowNum>`, `${sn}<StartTime>20261001000000</StartTime><EndTime>20261031000000</EndTime><FetchRowNum>ten</FetchRowNum>`]) {
      const a = await call('QueryCDR', req);
      expect(a.status).toBe(500);
      expect(faultCodeName(a.fault)).toBe('Client');
    }
  });
});

describe('billing AdjustBalance and QueryTransaction', () => {
  it('applies a signed adjustment to MAIN, reflected in QueryBalance', async () => {
    const acct = subjects.prepaidAccount;
    const mainOf = async () => Number(list((await call('QueryBalance', `<AcctKey>${acct.key}</AcctKey>`)).result.Balance)[0].Amount);
    const before = await mainOf();
    const a = await call('AdjustBalance', `<AcctKey>PRE-${acct.key}</AcctKey><Amount>-1234</Amount><Reason>goodwill reversal</Reason>`);
    expect(a.header.ResultCode).toBe('0');
    expect(a.result).toEqual({ AcctKey: acct.key, BalanceType: 'MAIN', Amount: '-1234', NewBalance: String(before - 1234) });
    expect(await mainOf()).toBe(before - 1234);
    await call('AdjustBalance', `<AcctKey>${acct.key}</AcctKey><Amount>500</Amount><Reason>compensation</Reason>`);
    expect(await mainOf()).toBe(before - 734);
    await em.reset();
    expect(await mainOf()).toBe(before);
  });

  it('refuses a repeated MessageSeq with a Client fault "Duplicate MessageSeq"; QueryTransaction reports the first as applied', async () => {
    const acct = subjects.owingAccount;
    const seq = nextSeq();
    const body = `<AcctKey>${acct.key}</AcctKey><Amount>10000</Amount><Reason>refund</Reason>`;
    const first = await call('AdjustBalance', body, { seq });
    expect(first.header).toMatchObject({ ResultCode: '0', MessageSeq: seq });
    const again = await call('AdjustBalance', body, { seq });
    expect(again.status).toBe(500);
    expect(faultCodeName(again.fault)).toBe('Client');
    expect(again.fault.faultstring).toBe('Duplicate MessageSeq');
    expect(again.fault.detail.ErrorCode).toBe('8006');
    const q = await call('QueryTransaction', `<MessageSeq>${seq}</MessageSeq>`);
    expect(q.header.ResultCode).toBe('0');
    expect(q.result).toMatchObject({ MessageSeq: seq, BusinessCode: 'AdjustBalance', Applied: 'true', TransResultCode: '0', AcctKey: acct.key, Amount: '10000' });
    // Applied once only.
    const bal = await call('QueryBalance', `<AcctKey>${acct.key}</AcctKey>`);
    expect(Number(bal.result.Balance[0].Amount)).toBe(Number(first.result.NewBalance));
  });

  it('answers 104 on a Closed account, recorded as not applied; an unknown MessageSeq answers 102', async () => {
    const seq = nextSeq();
    const a = await call('AdjustBalance', `<AcctKey>${subjects.closedAccount.key}</AcctKey><Amount>100</Amount><Reason>x</Reason>`, { seq });
    expect(a.status).toBe(200);
    expect(a.header.ResultCode).toBe('104');
    const q = await call('QueryTransaction', `<MessageSeq>${seq}</MessageSeq>`);
    expect(q.result).toMatchObject({ Applied: 'false', TransResultCode: '104' });
    const unknown = await call('QueryTransaction', `<MessageSeq>${nextSeq()}</MessageSeq>`);
    expect(unknown.header.ResultCode).toBe('102');
  });

  it('answers 103 to an adjustment outside the scope and applies nothing', async () => {
    const acct = subjects.prepaidAccount;
    const province = world.customer(acct.customer).province === 'BJ' ? 'SH' : 'BJ';
    const a = await call('AdjustBalance', `<AcctKey>${acct.key}</AcctKey><Amount>100</Amount><Reason>x</Reason>`, { province });
    expect(a.header.ResultCode).toBe('103');
    const b = await call('QueryBalance', `<AcctKey>${acct.key}</AcctKey>`);
    const fresh = await startTestEmulator('billing', startBillingEmulator);
    try {
      const c = await soapCall(fresh.url, 'QueryBalance', `<AcctKey>${acct.key}</AcctKey>`);
      expect(b.result).toEqual(c.result);
    } finally {
      await fresh.close();
    }
  });

  it('is a Client fault without Reason, with a non-integer or zero Amount', async () => {
    const k = subjects.prepaidAccount.key;
    for (const req of [`<AcctKey>${k}</AcctKey><Amount>100</Amount>`, `<AcctKey>${k}</AcctKey><Amount>1.5</Amount><Reason>x</Reason>`, `<AcctKey>${k}</AcctKey><Amount>0</Amount><Reason>x</Reason>`]) {
      const a = await call('AdjustBalance', req);
      expect(a.status).toBe(500);
      expect(faultCodeName(a.fault)).toBe('Client');
    }
  });
});
