import { describe, expect, it } from 'vitest';
import { ProductError } from '../../../lib/errors.js';
import { createLoaders } from '../../../subgraphs/billing/loaders.js';
import { accountNumber, billsFor, customerId, fakeBilling, makeCustomer, NOW, paymentsFor, serviceNumber } from './fixtures.js';

/** The loaders count legacy calls: batches at billing's limits, one read per thing per request. */

const customers = Array.from({ length: 260 }, (_, n) => makeCustomer(n, { accounts: ['POSTPAID', 'PREPAID'], lines: [{ acct: 0 }, { acct: 1 }] }));

describe('createLoaders', () => {
  it('reads 250 service numbers in 3 BatchQueryCustomerInfo calls of 100/100/50', async () => {
    const fake = fakeBilling(customers);
    const loaders = createLoaders(fake, { now: () => NOW });
    const found = await Promise.all(Array.from({ length: 250 }, (_, n) => loaders.customerByServiceNumber.load(serviceNumber(n, 0))));
    expect(found.map((c) => c?.id)).toEqual(Array.from({ length: 250 }, (_, n) => customerId(n)));
    expect(fake.callsOf('customers').map((c) => [c.kind, c.keys.length])).toEqual([
      ['ServiceNumber', 100],
      ['ServiceNumber', 100],
      ['ServiceNumber', 50],
    ]);
  });

  it('reads the same key once, however it is written (PRE- prefix, lower case, blanks)', async () => {
    const fake = fakeBilling(customers);
    const loaders = createLoaders(fake);
    const acct = accountNumber(7, 1);
    const [a, b, c] = await Promise.all([
      loaders.customerByAccount.load(acct),
      loaders.customerByAccount.load(`PRE-${acct}`),
      loaders.customerByAccount.load(` ${acct} `),
    ]);
    expect(a).toBe(b);
    expect(b).toBe(c);
    expect(fake.callsOf('customers')).toEqual([{ method: 'customers', kind: 'AcctKey', keys: [acct] }]);
    await loaders.balances.loadMany([acct, `PRE-${acct}`]);
    await loaders.balances.load(acct);
    expect(fake.callsOf('balances')).toEqual([{ method: 'balances', keys: [acct] }]);
  });

  it('primes the other customer loaders: a customer read by one key costs nothing by its others', async () => {
    const fake = fakeBilling(customers);
    const loaders = createLoaders(fake);
    const c = await loaders.customerByServiceNumber.load(serviceNumber(3, 0));
    const again = await Promise.all([
      loaders.customerById.load(customerId(3)),
      loaders.customerByAccount.load(accountNumber(3, 1)),
      loaders.customerByAccount.load(`PRE-${accountNumber(3, 1)}`),
      loaders.customerByServiceNumber.load(serviceNumber(3, 1)),
    ]);
    expect(again.every((x) => x === c)).toBe(true);
    expect(fake.count('customers')).toBe(1);
  });

  it('answers null for an unknown key and an Error for a key billing refuses, alone', async () => {
    const fake = fakeBilling(customers);
    fake.keyFailures.set(customerId(2), new ProductError('FORBIDDEN', 'billing', 'outside scope'));
    const loaders = createLoaders(fake);
    const [known, unknown, forbidden] = await loaders.customerById.loadMany([customerId(1), '1-ZZZZZZ', customerId(2)]);
    expect(known).toMatchObject({ id: customerId(1) });
    expect(unknown).toBeNull();
    expect(forbidden).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('rejects every key of a failed batch', async () => {
    const fake = fakeBilling(customers);
    fake.failures.customers = new ProductError('LEGACY_UNAVAILABLE', 'billing', 'down');
    const loaders = createLoaders(fake);
    const results = await loaders.customerById.loadMany([customerId(1), customerId(2)]);
    expect(results.map((r) => (r as ProductError).code)).toEqual(['LEGACY_UNAVAILABLE', 'LEGACY_UNAVAILABLE']);
  });

  it('reads 120 balances in 3 BatchQueryBalance calls of 50/50/20', async () => {
    const fake = fakeBilling(customers);
    const loaders = createLoaders(fake);
    await loaders.balances.loadMany(Array.from({ length: 60 }, (_, n) => [accountNumber(n, 0), accountNumber(n, 1)]).flat());
    expect(fake.callsOf('balances').map((c) => c.keys.length)).toEqual([50, 50, 20]);
  });

  it('reads the bills of one account once for several `last`s, windowed on the last complete cycles', async () => {
    const acct = accountNumber(1, 0);
    const fake = fakeBilling(customers, { bills: { [acct]: billsFor(acct, 12_800) } });
    const loaders = createLoaders(fake, { now: () => NOW });
    const [six, three] = await Promise.all([loaders.bills.load({ accountNumber: acct, last: 6 }), loaders.bills.load({ accountNumber: `PRE-${acct}`, last: 3 })]);
    expect(six!.map((b) => b.period)).toEqual(['2026-10', '2026-09', '2026-08', '2026-07', '2026-06', '2026-05']);
    expect(three!.map((b) => b.period)).toEqual(['2026-10', '2026-09', '2026-08']);
    expect(fake.callsOf('bills')).toEqual([{ method: 'bills', keys: [acct], options: { from: '2026-05', to: '2026-10' } }]);
  });

  it('fails only the keys of the account whose bills could not be read', async () => {
    const a = accountNumber(1, 0);
    const b = accountNumber(2, 0);
    const fake = fakeBilling(customers, { bills: { [b]: billsFor(b, 100) } });
    fake.keyFailures.set(a, new ProductError('LEGACY_UNAVAILABLE', 'billing', 'bill run', { retryAfterSeconds: 300 }));
    const loaders = createLoaders(fake, { now: () => NOW });
    const [ra, rb] = await loaders.bills.loadMany([
      { accountNumber: a, last: 6 },
      { accountNumber: b, last: 2 },
    ]);
    expect(ra).toMatchObject({ code: 'LEGACY_UNAVAILABLE', retryAfterSeconds: 300 });
    expect((rb as { period: string }[]).map((x) => x.period)).toEqual(['2026-10', '2026-09']);
  });

  it('reads payments once per account for the largest `first`, from 12 months back', async () => {
    const acct = accountNumber(4, 0);
    const fake = fakeBilling(customers, { payments: { [acct]: paymentsFor(acct, 30) } });
    const loaders = createLoaders(fake, { now: () => NOW });
    const [five, twenty] = await Promise.all([loaders.payments.load({ accountNumber: acct, first: 5 }), loaders.payments.load({ accountNumber: acct, first: 20 })]);
    expect(five).toHaveLength(5);
    // Monthly on the 11th: December 2025 … October 2026 fall within 12 months of 24 November 2026.
    expect(twenty).toHaveLength(11);
    expect(fake.callsOf('payments')).toEqual([{ method: 'payments', keys: [acct], options: { since: Date.parse('2025-11-24T10:00:00+08:00'), count: 20 } }]);
  });

  it('reads one usage page once however often it is asked', async () => {
    const fake = fakeBilling(customers);
    const loaders = createLoaders(fake);
    const key = { serviceNumber: serviceNumber(1, 0), from: 0, to: 1000, offset: 0, count: 10 };
    await Promise.all([loaders.usage.load(key), loaders.usage.load({ ...key }), loaders.usage.load({ ...key, offset: 10 })]);
    expect(fake.callsOf('usage').map((c) => (c.options as { offset: number }).offset)).toEqual([0, 10]);
  });
});
