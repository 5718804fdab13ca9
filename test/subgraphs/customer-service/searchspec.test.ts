import { describe, expect, it } from 'vitest';
// Tests may read the emulator: its parser is the CRM's grammar as our contract writes it.
import { parseSearchSpec, toDnf, type Term } from '../../../emulators/customer-service/searchspec.js';
import {
  and,
  customerSearchSpec,
  eq,
  isNull,
  literal,
  MAX_SPEC_LENGTH,
  MAX_TERMS,
  or,
  orChunks,
  startsWith,
  statusCondition,
  ticketSearchSpec,
} from '../../../subgraphs/customer-service/client/searchspec.js';

/** Searchspecs (legacy-contracts.md §3): one escaping function, hostile values, the limits. */

const HOSTILE = [
  "O'Brien",
  "''",
  "x' OR [Row Id] IS NOT NULL OR [Name]='",
  '[Name]',
  ']',
  'a*b?c',
  'OR',
  ' AND ',
  '(',
  "')",
  '\\',
  '陈\u0000晓',
  "'; DROP TABLE S_CONTACT; --",
  '𡒄㛃',
];

describe('searchspec literal', () => {
  it('doubles quotes inside a quoted literal', () => {
    expect(literal("O'Brien")).toBe("'O''Brien'");
    expect(literal('')).toBe("''");
    expect(literal("''")).toBe("''''''");
  });

  it.each(HOSTILE)('keeps %j one literal term, exactly that value, through the CRM grammar', (value) => {
    const spec = eq('Name', value);
    const parsed = parseSearchSpec(spec.text, 'Customer') as Term;
    expect(parsed).toMatchObject({ kind: 'term', field: 'Name', op: '=', value });
  });

  it('keeps hostile values apart inside AND / OR', () => {
    const spec = and(eq('Province', "GD' OR '1'='1"), or(eq('Name', 'OR'), eq('Name', "]'[")));
    const dnf = toDnf(parseSearchSpec(spec.text, 'Customer')!)!;
    expect(dnf.map((b) => b.map((t) => [t.field, t.value]))).toEqual([
      [
        ['Province', "GD' OR '1'='1"],
        ['Name', 'OR'],
      ],
      [
        ['Province', "GD' OR '1'='1"],
        ['Name', "]'["],
      ],
    ]);
  });

  it('refuses LIKE wildcards in a prefix (the CRM cannot escape them) and an empty equality', () => {
    expect(startsWith('Name', "陈'").text).toBe("[Name] LIKE '陈''*'");
    expect(() => startsWith('Name', 'a*')).toThrow();
    expect(() => startsWith('Name', 'a?')).toThrow();
    expect(() => eq('Name', '')).toThrow();
    expect(isNull('Big Customer Class').text).toBe('[Big Customer Class] IS NULL');
  });

  it('refuses a field name that could break out of its brackets', () => {
    expect(() => eq('Name] OR [Row Id', 'x')).toThrow();
  });
});

describe('orChunks', () => {
  it('splits OR-ed look-ups at 50 terms', () => {
    const chunks = orChunks(Array.from({ length: 120 }, (_, k) => eq('SR Number', `1-${String(k).padStart(9, '0')}`)));
    expect(chunks.map((c) => c.terms)).toEqual([50, 50, 20]);
    for (const c of chunks) expect(() => parseSearchSpec(c.text, 'ServiceRequest')).not.toThrow();
  });

  it('splits under 2 000 characters when values are long, counting the common part', () => {
    const long = (k: number) => eq('Name', `${'名'.repeat(90)}${k}`);
    const common = eq('Province', 'GD');
    const chunks = orChunks(Array.from({ length: 60 }, (_, k) => long(k)), common);
    expect(chunks.length).toBeGreaterThan(2);
    for (const c of chunks) {
      expect(c.text.length).toBeLessThanOrEqual(MAX_SPEC_LENGTH);
      expect(c.terms).toBeLessThanOrEqual(MAX_TERMS);
      expect(c.text.startsWith("[Province]='GD' AND (")).toBe(true);
      expect(() => parseSearchSpec(c.text, 'Customer')).not.toThrow();
    }
    expect(chunks.reduce((n, c) => n + c.terms - 1, 0)).toBe(60);
  });
});

describe('statusCondition', () => {
  it.each([
    [['ACKNOWLEDGED'], "[Status]='Open'"],
    [['IN_PROGRESS', 'PENDING'], "[Status]='Open - Escalated' OR [Status]='Pending'"],
    [['RESOLVED'], "[Status]='Closed' AND [Resolution Code] IS NOT NULL"],
    [['CLOSED'], "[Status]='Closed' AND [Resolution Code] IS NULL"],
    [['CLOSED', 'RESOLVED'], "[Status]='Closed'"],
    [['CANCELLED', 'HELD'], "[Status]='Cancelled'"],
  ] as const)('maps %j back to CRM values', (statuses, text) => {
    const spec = statusCondition(statuses);
    expect(spec).not.toBe('none');
    expect((spec as { text: string }).text).toBe(text);
  });

  it('matches nothing for HELD / REJECTED alone or an empty list, and everything for all six', () => {
    expect(statusCondition(['HELD', 'REJECTED'])).toBe('none');
    expect(statusCondition([])).toBe('none');
    expect(statusCondition(undefined)).toBe('all');
    expect(statusCondition(['ACKNOWLEDGED', 'IN_PROGRESS', 'PENDING', 'RESOLVED', 'CLOSED', 'CANCELLED'])).toBe('all');
  });
});

describe('customerSearchSpec and ticketSearchSpec', () => {
  it('builds every customer condition the filter has, with CRM value spellings', () => {
    const spec = customerSearchSpec({ province: 'GD', localNetwork: 'SZ', segment: 'ENTERPRISE', bigCustomer: false, namePrefix: "O'Br", idNumber: '44030519880315001X', phone: '13812345678' })!;
    expect(spec.text).toBe(
      "[ID Number]='44030519880315001X' AND [Phone]='13812345678' AND [Province]='GD' AND [Local Network]='SZ' AND [Segment]='Enterprise' AND [Big Customer Class] IS NULL AND [Name] LIKE 'O''Br*'",
    );
    expect(() => parseSearchSpec(spec.text, 'Customer')).not.toThrow();
    expect(customerSearchSpec({})).toBeUndefined();
  });

  it('parenthesises the status alternatives inside the AND', () => {
    const spec = ticketSearchSpec({ localNetwork: 'SZ', statuses: ['ACKNOWLEDGED', 'RESOLVED'] });
    expect(spec).toMatchObject({ text: "[Local Network]='SZ' AND ([Status]='Open' OR [Status]='Closed' AND [Resolution Code] IS NOT NULL)" });
    const dnf = toDnf(parseSearchSpec((spec as { text: string }).text, 'ServiceRequest')!)!;
    expect(dnf).toHaveLength(2);
    expect(ticketSearchSpec({ statuses: ['REJECTED'] })).toBe('none');
    expect(ticketSearchSpec({})).toBeUndefined();
  });
});
