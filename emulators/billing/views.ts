import { formatLocal } from '../shared/time.js';
import type { Account, Line } from '../shared/world.js';
import type { Bill, Payment } from './ledger.js';
import type { Balances, CustomerView } from './model.js';
import type { Cdr } from './usage.js';
import type { XmlChild } from './wire.js';

/**
 * How records look on this system's wire (contract §1 quirks): money as integer fen, times as
 * local `yyyyMMddHHmmss`, null as an empty element, `CreditLimit` as a string, and prepaid
 * AcctKeys with the `PRE-` prefix in some places and without it in others.
 */

const time = (ms: number) => formatLocal(ms, 'yyyyMMddHHmmss');

/**
 * contract §1: "prepaid account keys appear with a `PRE-` prefix in some answers and without it
 * in others". Where they carry it is fixed per place: the `Account` record of customer info and
 * the `AcctKey` of balance answers have it; a `Subscriber`'s `AcctKey`, `ParentAcctKey`,
 * `AdjustBalance` and `QueryTransaction` answers do not.
 */
export function acctKeyWithPrefix(account: Account): string {
  return account.type === 'PREPAID' ? `PRE-${account.key}` : account.key;
}

/** `Customer`, then one `Account` per account, then one `Subscriber` per line (lists unwrapped). */
export function customerContent(view: CustomerView): XmlChild[] {
  const c = view.customer;
  const out: XmlChild[] = [
    [
      'Customer',
      [
        ['CustKey', c.custKey],
        ['CrmCustId', c.id],
        ['CustName', c.name],
        ['ProvinceCode', c.province],
        ['RegionCode', c.localNetwork],
      ],
    ],
  ];
  for (const a of view.accounts) {
    out.push([
      'Account',
      [
        ['AcctKey', acctKeyWithPrefix(a)],
        ['PaymentType', a.type],
        ['Status', a.status],
        ['ParentAcctKey', a.parentKey],
      ],
    ]);
  }
  for (const l of view.lines) out.push(['Subscriber', subscriberContent(l)]);
  return out;
}

function subscriberContent(l: Line): XmlChild[] {
  // A line not yet activated has no activation time: an empty element.
  const activated = l.status !== 'created' && l.status !== 'pendingActive';
  return [
    ['ServiceNumber', l.serviceNumber],
    ['ServiceType', l.kind],
    ['IMSI', l.imsi],
    ['ICCID', l.iccid],
    ['ProductName', l.productName],
    ['Status', l.status],
    ['ActiveTime', activated ? time(l.activatedAt) : null],
    ['AcctKey', l.accountKey],
  ];
}

export function balanceContent(account: Account, b: Balances): XmlChild[] {
  return [
    ['AcctKey', acctKeyWithPrefix(account)],
    ...b.balances.map(
      (x): XmlChild => [
        'Balance',
        [
          ['BalanceType', x.type],
          ['Amount', x.amount],
        ],
      ],
    ),
    ['CreditLimit', b.creditLimit],
  ];
}

export function billContent(b: Bill): XmlChild[] {
  return [
    ['BillNo', b.billNo],
    ['BillCycle', String(b.cycle)],
    ['BillDate', time(b.billDate)],
    ['DueDate', time(b.dueDate)],
    ['AmountDue', b.amountDue],
    ['Remaining', b.remaining],
    ['Status', b.status],
  ];
}

export function paymentContent(p: Payment): XmlChild[] {
  return [
    ['PaymentId', p.id],
    ['PayTime', time(p.at)],
    ['Amount', p.amount],
    ['Channel', p.channel],
    ['PayMethod', p.method],
  ];
}

/** contract §1: `duration` is a string of seconds and the misspelt duplicate `duraction` is present. */
export function cdrContent(c: Cdr): XmlChild[] {
  return [
    ['CdrType', c.type],
    ['dateOfEvent', formatLocal(c.at, 'yyyyMMdd')],
    ['timeOfEvent', formatLocal(c.at, 'HHmmss')],
    ['duration', String(c.durationSeconds)],
    ['duraction', String(c.durationSeconds)],
    ['Volume', c.volume],
    ['CalledNumber', c.calledNumber],
    ['Charge', c.chargeFen],
  ];
}

/** The paging fields that open every paged answer. */
export function pageHeader(total: number, begin: number, fetch: number): XmlChild[] {
  return [
    ['TotalRowNum', total],
    ['BeginRowNum', begin],
    ['FetchRowNum', fetch],
  ];
}
