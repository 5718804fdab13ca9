import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { Permutation } from '../../emulators/shared/permutation.js';
import { LOCAL_NETWORKS, PROVINCES, RegionRange, REGION_SLOTS } from '../../emulators/shared/regions.js';
import { formatLocal, parseLocal } from '../../emulators/shared/time.js';
import { MAX_LINES, World } from '../../emulators/shared/world.js';

const world = new World({ customers: 10_000 });
const NOW = Date.parse('2026-11-24T10:00:00+08:00');

describe('Permutation', () => {
  it('is a bijection on its domain and inverts exactly', () => {
    for (const size of [2, 97, 36 ** 6, 7_000_000_000]) {
      const p = new Permutation(size, 7);
      const seen = new Set<number>();
      const n = Math.min(size, 5000);
      for (let x = 0; x < n; x++) {
        const y = p.forward(x);
        expect(y).toBeGreaterThanOrEqual(0);
        expect(y).toBeLessThan(size);
        expect(p.inverse(y)).toBe(x);
        seen.add(y);
      }
      expect(seen.size).toBe(n);
    }
  });

  it('depends on its key', () => {
    expect(new Permutation(1000, 1).forward(5)).not.toBe(new Permutation(1000, 2).forward(5));
  });
});

describe('regions', () => {
  it('has at least five provinces with their local networks', () => {
    expect(PROVINCES.length).toBeGreaterThanOrEqual(5);
    expect(PROVINCES.find((p) => p.code === 'GD')!.networks.map((n) => n.code)).toEqual(['GZ', 'SZ', 'FS', 'DG']);
    expect(new Set(LOCAL_NETWORKS.map((l) => l.code)).size).toBe(LOCAL_NETWORKS.length);
  });

  it('lists the customers of a region page by page without a scan, in index order', () => {
    for (const total of [1, 27, 28, 29, 1000, 10_007]) {
      for (const p of PROVINCES) {
        const range = new RegionRange(p.firstSlot, p.slotCount, total);
        const expected: number[] = [];
        for (let i = 0; i < total; i++) if (i % REGION_SLOTS >= p.firstSlot && i % REGION_SLOTS < p.firstSlot + p.slotCount) expected.push(i);
        expect(range.count).toBe(expected.length);
        expect(Array.from({ length: range.count }, (_, k) => range.at(k))).toEqual(expected);
        expected.forEach((i, k) => expect(range.positionOf(i)).toBe(k));
        expect(range.at(range.count)).toBe(-1);
      }
    }
  });
});

describe('local time', () => {
  it('formats and parses Asia/Shanghai wall-clock time (UTC+8, no DST)', () => {
    const ms = Date.parse('2026-11-24T06:02:11Z');
    expect(formatLocal(ms, 'yyyyMMddHHmmss')).toBe('20261124140211');
    expect(formatLocal(ms, 'MM/dd/yyyy HH:mm:ss')).toBe('11/24/2026 14:02:11');
    expect(parseLocal('2026-11-24 14:02:11', 'yyyy-MM-dd HH:mm:ss')).toBe(ms);
    expect(parseLocal('2026-02-30 00:00:00', 'yyyy-MM-dd HH:mm:ss')).toBeUndefined();
  });
});

describe('World', () => {
  it('is deterministic: the same seed gives the same customer, another seed another', () => {
    const again = new World({ customers: 10_000 });
    expect(again.customer(1234)).toEqual(world.customer(1234));
    expect(again.lines(1234)).toEqual(world.lines(1234));
    expect(new World({ customers: 10_000, seed: 1 }).customer(1234).name).not.toBe(world.customer(1234).name);
  });

  it('derives every key invertibly from the index: CRM id, CustKey, AcctKey, service number, ID number, phone', () => {
    for (let i = 0; i < 2000; i++) {
      const c = world.customer(i);
      expect(c.id).toMatch(/^1-[0-9A-Z]{6}$/);
      expect(c.custKey).toMatch(/^88\d{8}$/);
      expect(world.customerIndexById(c.id)).toBe(i);
      expect(world.customerIndexByCustKey(c.custKey)).toBe(i);
      expect(world.customerIndexByIdNumber(c.idNumber)).toBe(i);
      expect(world.customerIndexByPhone(c.phone)).toBe(i);
      for (const a of world.accounts(i)) {
        expect(a.key).toMatch(/^33\d{8}$/);
        expect(world.account(a.key)).toEqual(a);
        expect(world.account(`PRE-${a.key}`)).toEqual(a);
      }
      for (const l of world.lines(i)) {
        expect(world.line(l.serviceNumber)).toEqual(l);
        expect(world.lineByServiceId(l.serviceId)).toEqual(l);
        expect(world.account(l.accountKey)!.customer).toBe(i);
      }
    }
  });

  it('formats service numbers as design.md says for each kind', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 3000; i++) {
      for (const l of world.lines(i)) {
        seen.add(l.kind);
        const pattern = {
          MOBILE: /^1[3-9]\d{9}$/,
          FIXED: /^0\d{10,11}$/,
          BROADBAND: /^AD\d{10}$/,
          LEASED_LINE: /^[A-Z]{2}-[A-Z]{2}-(MSTP|SDH|OTN|PTN)-\d{2}-\d{5}$/,
        }[l.kind];
        expect(l.serviceNumber).toMatch(pattern);
        if (l.kind === 'LEASED_LINE') expect(l.serviceNumber.startsWith(`${l.province}-${l.localNetwork}-`)).toBe(true);
        if (l.kind === 'MOBILE') {
          expect(l.imsi).toMatch(/^460\d{12}$/);
          expect(l.iccid).toMatch(/^89\d{18}$/);
        }
      }
    }
    expect(seen).toEqual(new Set(['MOBILE', 'FIXED', 'BROADBAND', 'LEASED_LINE']));
  });

  it('answers keys outside the world, or malformed, with nothing', () => {
    // Same seed, bigger world: its last customer's keys decode to an index this world lacks.
    const bigger = new World({ customers: 100_000 });
    const outside = bigger.customer(99_999);
    expect(world.customerIndexById(outside.id)).toBe(-1);
    expect(world.customerIndexByCustKey(outside.custKey)).toBe(-1);
    expect(world.customerIndexByIdNumber(outside.idNumber)).toBe(-1);
    for (const l of bigger.lines(99_999)) expect(world.line(l.serviceNumber)).toBeUndefined();
    expect(world.customerIndexById('not-an-id')).toBe(-1);
    expect(world.line('AD')).toBeUndefined();
    expect(world.account('3300000000x')).toBeUndefined();
  });

  it('has the contract proportions: ~85 % individuals, ~3 % big customers, ~2 % stale CRM lists, a few GB18030-only names', () => {
    let orgs = 0;
    let big = 0;
    let stale = 0;
    let rare = 0;
    const n = world.customerCount;
    for (let i = 0; i < n; i++) {
      const c = world.customer(i);
      if (c.kind === 'ORGANIZATION') orgs++;
      if (c.bigCustomerClass) big++;
      if (c.staleServiceList) stale++;
      // Encodable in GB18030 but not in GBK (iconv-lite writes '?' for what GBK lacks).
      if (iconv.decode(iconv.encode(c.name, 'gbk'), 'gbk') !== c.name) {
        rare++;
        expect(iconv.decode(iconv.encode(c.name, 'gb18030'), 'gb18030')).toBe(c.name);
      }
      expect(c.lineCount).toBeGreaterThanOrEqual(1);
      expect(c.lineCount).toBeLessThanOrEqual(5);
      expect(c.accountCount).toBeGreaterThanOrEqual(1);
      expect(c.accountCount).toBeLessThanOrEqual(3);
      if (c.kind === 'INDIVIDUAL') expect(c.starLevel).toMatch(/^(Near Star|[1-4] Star|5 Star (Silver|Gold|Diamond))$/);
      else expect(c.starLevel).toBeNull();
    }
    expect(orgs / n).toBeGreaterThan(0.12);
    expect(orgs / n).toBeLessThan(0.18);
    expect(big / n).toBeGreaterThan(0.02);
    expect(big / n).toBeLessThan(0.045);
    expect(stale / n).toBeGreaterThan(0.012);
    expect(stale / n).toBeLessThan(0.03);
    expect(rare).toBeGreaterThan(5);
  });

  it('makes a stale CRM list differ from billing by exactly one number, unknown to billing when extra', () => {
    let checked = 0;
    for (let i = 0; i < world.customerCount && checked < 40; i++) {
      const c = world.customer(i);
      const billing = world.lines(i).map((l) => l.serviceNumber);
      const crm = world.crmServiceNumbers(i);
      if (!c.staleServiceList) {
        expect(crm).toEqual(billing);
        continue;
      }
      checked++;
      const extra = crm.filter((s) => !billing.includes(s));
      const missing = billing.filter((s) => !crm.includes(s));
      expect(extra.length + missing.length).toBeGreaterThanOrEqual(1);
      expect(missing.length).toBeLessThanOrEqual(1);
      expect(extra.length).toBeLessThanOrEqual(1);
      for (const s of extra) expect(world.line(s)).toBeUndefined();
    }
    expect(checked).toBe(40);
  });

  it('forms groups: organisations whose members sit in the same local network and point at the parent', () => {
    let groups = 0;
    for (let g = 0; g < world.customerCount; g++) {
      const parent = world.customer(g);
      if (!parent.isGroupParent) continue;
      groups++;
      expect(parent.kind).toBe('ORGANIZATION');
      expect(parent.bigCustomerClass).toBe('Group');
      const members = world.groupMembers(g);
      expect(members.length).toBeGreaterThanOrEqual(1);
      for (const m of members) {
        const member = world.customer(m);
        expect(member.groupParent).toBe(g);
        expect(member.kind).toBe('ORGANIZATION');
        expect(member.localNetwork).toBe(parent.localNetwork);
      }
    }
    expect(groups).toBeGreaterThan(50);
  });

  it('places every line on access → aggregation → core elements of its own local network', () => {
    const onAggregation = new Map<number, Set<number>>();
    const ridesOn = (agg: number) => {
      if (!onAggregation.has(agg)) onAggregation.set(agg, new Set(world.linesOnAggregation(agg).map((x) => x.key)));
      return onAggregation.get(agg)!;
    };
    for (let i = 0; i < 500; i++) {
      for (const l of world.lines(i)) {
        const [access, agg, core] = l.supporting.map((e) => world.elements[e]!);
        expect(access!.kind).toBe('ACCESS');
        expect(agg!.kind).toBe('AGGREGATION');
        expect(core!.kind).toBe('CORE');
        expect(access!.parent).toBe(agg!.index);
        expect(agg!.parent).toBe(core!.index);
        expect(access!.localNetwork).toBe(l.localNetwork);
        expect(core!.province).toBe(l.province);
        expect(access!.id).toMatch(/^[A-Z]{2}-(BTS|OLT|PTN)-\d{2,4}$/);
        expect(ridesOn(agg!.index).has(l.key)).toBe(true);
      }
    }
  });

  it('keeps at least one open outage in every province at any time, with a critical root-cause alarm on an aggregation element', () => {
    for (let t = NOW - 2 * 86_400_000; t < NOW + 86_400_000; t += 17 * 60_000) {
      for (const p of PROVINCES) {
        const open = world.outages(p.code, t).filter((o) => World.isOpen(o, t));
        expect(open.length, `${p.code} at ${new Date(t).toISOString()}`).toBeGreaterThanOrEqual(1);
      }
    }
    const [o] = world.outages('GD', NOW);
    expect(world.outage(o!.id, NOW)).toEqual(o);
    const root = world.alarm(o!.rootCauseAlarmId, NOW)!;
    expect(root.severity).toBe('CRITICAL');
    expect(root.serviceAffecting).toBe(true);
    expect(world.elements[root.element]!.kind).toBe('AGGREGATION');
    const lines = world.linesOnAggregation(o!.aggregation);
    expect(lines.length).toBeGreaterThan(0);
    const state = world.lineNetworkState(lines[0]!, NOW);
    expect(state.affected).toBe(true);
    expect(state.outageIds).toContain(o!.id);
  });

  it('reads alarms back by id, and never shows an alarm before it is raised', () => {
    let listed = 0;
    for (const e of world.elements.slice(0, 400)) {
      for (const a of world.alarmsOnElement(e.index, NOW)) {
        listed++;
        expect(world.alarm(a.id, NOW)).toEqual(a);
        expect(a.raisedAt).toBeLessThanOrEqual(NOW);
        expect(world.alarm(a.id, a.raisedAt - 1)).toBeUndefined();
        expect(a.managedObjectInstance).toContain(`ManagedElement=${e.id}`);
      }
    }
    expect(listed).toBeGreaterThan(50);
  });

  it('does not grow with the number of customers: a million-customer world holds no per-customer state', () => {
    const before = process.memoryUsage().heapUsed;
    const big = new World({ customers: 1_000_000 });
    const last = big.customer(999_999);
    expect(big.customerIndexById(last.id)).toBe(999_999);
    expect(big.lines(999_999).length).toBe(last.lineCount);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(20 * 1024 * 1024);
    expect(big.customerCount * MAX_LINES).toBe(5_000_000);
  });
});
