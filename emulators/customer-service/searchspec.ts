import { fail } from './errors.js';
import { FIELDS, type BusinessComponent, type FieldKind, type Row } from './fields.js';

/**
 * Siebel search and sort specifications (contract §3).
 *
 * Grammar (keywords in any case; `AND` binds tighter than `OR`; parentheses group):
 *
 *     spec    := or
 *     or      := and ( OR and )*
 *     and     := primary ( AND primary )*
 *     primary := '(' or ')' | term
 *     term    := '[' Field ']' ( '=' lit | '<>' lit | LIKE lit | IS NULL | IS NOT NULL )
 *     lit     := "'" chars "'"        a quote inside is doubled: 'O''Brien'
 *
 * At most {@link MAX_TERMS} terms and {@link MAX_SPEC_LENGTH} characters. Semantics: an empty
 * value is null; `= ''` is `IS NULL` and `<> ''` is `IS NOT NULL`; `<>` and `LIKE` never match a
 * null (SQL semantics: the CRM turns a searchspec into SQL); `LIKE` takes `*` (any run of
 * characters) and `?` (one character) and is case-sensitive like every comparison; on a list
 * field (`Service Numbers`, `Billing Account Numbers`) `=` means "the list contains it", `<>`
 * "the list is not empty and does not contain it", `LIKE` "some element matches".
 */

export const MAX_TERMS = 50;
export const MAX_SPEC_LENGTH = 2000;

export type Op = '=' | '<>' | 'LIKE' | 'IS NULL' | 'IS NOT NULL';

export interface Term {
  readonly kind: 'term';
  readonly field: string;
  readonly fieldKind: FieldKind;
  readonly op: Op;
  readonly value: string;
  /** LIKE only: the compiled pattern. */
  readonly re?: RegExp;
}

export type Expr = Term | { readonly kind: 'and' | 'or'; readonly items: readonly Expr[] };

type Token =
  | { t: 'field'; v: string; at: number }
  | { t: 'lit'; v: string; at: number }
  | { t: 'kw'; v: 'AND' | 'OR' | 'LIKE' | 'IS' | 'NOT' | 'NULL'; at: number }
  | { t: '(' | ')' | '=' | '<>'; at: number }
  | { t: 'end'; at: number };

const KEYWORDS = new Set(['AND', 'OR', 'LIKE', 'IS', 'NOT', 'NULL']);

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let k = 0;
  while (k < text.length) {
    const ch = text[k]!;
    if (/\s/.test(ch)) {
      k++;
      continue;
    }
    const at = k;
    if (ch === '[') {
      const close = text.indexOf(']', k + 1);
      if (close < 0) fail('badSearchSpec', `unclosed '[' at position ${at}`);
      const name = text.slice(k + 1, close).trim();
      if (!name) fail('badSearchSpec', `empty field name at position ${at}`);
      out.push({ t: 'field', v: name, at });
      k = close + 1;
    } else if (ch === "'") {
      let v = '';
      k++;
      for (;;) {
        if (k >= text.length) fail('badSearchSpec', `unterminated literal starting at position ${at}`);
        if (text[k] === "'") {
          if (text[k + 1] === "'") {
            v += "'";
            k += 2;
            continue;
          }
          k++;
          break;
        }
        v += text[k];
        k++;
      }
      out.push({ t: 'lit', v, at });
    } else if (ch === '(' || ch === ')' || ch === '=') {
      out.push({ t: ch, at });
      k++;
    } else if (ch === '<' && text[k + 1] === '>') {
      out.push({ t: '<>', at });
      k += 2;
    } else if (/[A-Za-z]/.test(ch)) {
      let end = k;
      while (end < text.length && /[A-Za-z]/.test(text[end]!)) end++;
      const word = text.slice(k, end).toUpperCase();
      if (!KEYWORDS.has(word)) fail('badSearchSpec', `unexpected word '${text.slice(k, end)}' at position ${at} (field names go in [brackets], values in 'quotes')`);
      out.push({ t: 'kw', v: word as 'AND', at });
      k = end;
    } else {
      fail('badSearchSpec', `unexpected '${ch}' at position ${at}`);
    }
  }
  out.push({ t: 'end', at: text.length });
  return out;
}

function likeToRegExp(pattern: string): RegExp {
  let src = '';
  for (const ch of pattern) {
    if (ch === '*') src += '[\\s\\S]*';
    else if (ch === '?') src += '[\\s\\S]';
    else src += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${src}$`, 'u');
}

/**
 * Parses a searchspec for one business component. Throws the CRM's 400 answer for a broken
 * expression, an unknown field or a spec over the limits. An empty spec means "no filter".
 */
export function parseSearchSpec(text: string, bc: BusinessComponent): Expr | undefined {
  if (text.length > MAX_SPEC_LENGTH) fail('searchSpecTooLarge', `${text.length} characters, at most ${MAX_SPEC_LENGTH}`);
  if (!text.trim()) return undefined;
  const fields = FIELDS[bc];
  const tokens = tokenize(text);
  let pos = 0;
  let terms = 0;
  const peek = () => tokens[pos]!;
  const describe = (tok: Token) => (tok.t === 'end' ? 'end of text' : `'${text.slice(tok.at, tok.at + 12)}' at position ${tok.at}`);

  const parseOr = (): Expr => {
    const items = [parseAnd()];
    while (peek().t === 'kw' && (peek() as { v: string }).v === 'OR') {
      pos++;
      items.push(parseAnd());
    }
    return items.length === 1 ? items[0]! : { kind: 'or', items };
  };
  const parseAnd = (): Expr => {
    const items = [parsePrimary()];
    while (peek().t === 'kw' && (peek() as { v: string }).v === 'AND') {
      pos++;
      items.push(parsePrimary());
    }
    return items.length === 1 ? items[0]! : { kind: 'and', items };
  };
  const parsePrimary = (): Expr => {
    const tok = peek();
    if (tok.t === '(') {
      pos++;
      const e = parseOr();
      if (peek().t !== ')') fail('badSearchSpec', `expected ')' but found ${describe(peek())}`);
      pos++;
      return e;
    }
    if (tok.t !== 'field') fail('badSearchSpec', `expected [Field] or '(' but found ${describe(tok)}`);
    pos++;
    const fieldKind = fields.get(tok.v);
    if (!fieldKind) fail('unknownField', tok.v, bc);
    if (++terms > MAX_TERMS) fail('searchSpecTooLarge', `more than ${MAX_TERMS} terms`);
    const opTok = peek();
    pos++;
    const literal = (): string => {
      const lit = peek();
      if (lit.t !== 'lit') fail('badSearchSpec', `expected a 'quoted value' after [${tok.v}] but found ${describe(lit)}`);
      pos++;
      return lit.v;
    };
    if (opTok.t === '=' || opTok.t === '<>') {
      const value = literal();
      // contract §3: an empty string means null.
      if (value === '') return { kind: 'term', field: tok.v, fieldKind, op: opTok.t === '=' ? 'IS NULL' : 'IS NOT NULL', value };
      return { kind: 'term', field: tok.v, fieldKind, op: opTok.t, value };
    }
    if (opTok.t === 'kw' && opTok.v === 'LIKE') {
      const value = literal();
      return { kind: 'term', field: tok.v, fieldKind, op: 'LIKE', value, re: likeToRegExp(value) };
    }
    if (opTok.t === 'kw' && opTok.v === 'IS') {
      let op: Op = 'IS NULL';
      if (peek().t === 'kw' && (peek() as { v: string }).v === 'NOT') {
        pos++;
        op = 'IS NOT NULL';
      }
      const nul = peek();
      if (!(nul.t === 'kw' && nul.v === 'NULL')) fail('badSearchSpec', `expected NULL after IS but found ${describe(nul)}`);
      pos++;
      return { kind: 'term', field: tok.v, fieldKind, op, value: '' };
    }
    return fail('badSearchSpec', `expected =, <>, LIKE or IS after [${tok.v}] but found ${describe(opTok)}`);
  };

  const expr = parseOr();
  if (peek().t !== 'end') fail('badSearchSpec', `unexpected ${describe(peek())}`);
  return expr;
}

function listOf(value: string): string[] {
  return value === '' ? [] : value.split(',');
}

function termMatches(t: Term, row: Row): boolean {
  const v = row[t.field] ?? '';
  if (t.fieldKind === 'list') {
    const list = listOf(v);
    switch (t.op) {
      case '=':
        return list.includes(t.value);
      case '<>':
        return list.length > 0 && !list.includes(t.value);
      case 'LIKE':
        return list.some((x) => t.re!.test(x));
      case 'IS NULL':
        return list.length === 0;
      case 'IS NOT NULL':
        return list.length > 0;
    }
  }
  switch (t.op) {
    case '=':
      return v === t.value;
    case '<>':
      return v !== '' && v !== t.value;
    case 'LIKE':
      return v !== '' && t.re!.test(v);
    case 'IS NULL':
      return v === '';
    case 'IS NOT NULL':
      return v !== '';
  }
}

/** Whether a record matches a parsed searchspec (no spec matches everything). */
export function matches(expr: Expr | undefined, row: Row): boolean {
  if (!expr) return true;
  switch (expr.kind) {
    case 'term':
      return termMatches(expr, row);
    case 'and':
      return expr.items.every((e) => matches(e, row));
    case 'or':
      return expr.items.some((e) => matches(e, row));
  }
}

/** The fields a spec names. */
export function fieldsOf(expr: Expr | undefined, out = new Set<string>()): Set<string> {
  if (!expr) return out;
  if (expr.kind === 'term') out.add(expr.field);
  else for (const e of expr.items) fieldsOf(e, out);
  return out;
}

/**
 * The spec as OR-ed conjunctions of terms (disjunctive normal form), for planning which index
 * serves each branch; undefined when the expansion would exceed `limit` branches (then the
 * planner scans).
 */
export function toDnf(expr: Expr, limit = 64): Term[][] | undefined {
  switch (expr.kind) {
    case 'term':
      return [[expr]];
    case 'or': {
      const out: Term[][] = [];
      for (const item of expr.items) {
        const sub = toDnf(item, limit);
        if (!sub) return undefined;
        out.push(...sub);
        if (out.length > limit) return undefined;
      }
      return out;
    }
    case 'and': {
      let acc: Term[][] = [[]];
      for (const item of expr.items) {
        const sub = toDnf(item, limit);
        if (!sub || acc.length * sub.length > limit) return undefined;
        const next: Term[][] = [];
        for (const a of acc) for (const b of sub) next.push([...a, ...b]);
        acc = next;
      }
      return acc;
    }
  }
}

// ------------------------------------------------------------------ sortspec

export interface SortKey {
  readonly field: string;
  readonly kind: FieldKind;
  readonly descending: boolean;
}

/**
 * Parses `[Field] (ASCENDING|DESCENDING)`, several keys separated by commas; the direction is
 * optional (ascending).
 */
export function parseSortSpec(text: string, bc: BusinessComponent): SortKey[] | undefined {
  if (!text.trim()) return undefined;
  const fields = FIELDS[bc];
  return text.split(',').map((part) => {
    const m = /^\s*\[([^\]]+)\]\s*(?:\(\s*([A-Za-z]+)\s*\))?\s*$/.exec(part);
    if (!m) fail('badSortSpec', `'${part.trim()}' is not [Field] (ASCENDING|DESCENDING)`);
    const field = m[1]!.trim();
    const kind = fields.get(field);
    if (!kind) fail('unknownField', field, bc);
    const dir = (m[2] ?? 'ASCENDING').toUpperCase();
    if (dir !== 'ASCENDING' && dir !== 'DESCENDING') fail('badSortSpec', `direction '${m[2]}' is not ASCENDING or DESCENDING`);
    return { field, kind, descending: dir === 'DESCENDING' };
  });
}

/** `MM/DD/YYYY HH:MM:SS` → `YYYYMMDDHHMMSS`, which sorts in time order. */
function dateKey(v: string): string {
  return v.length === 19 ? v.slice(6, 10) + v.slice(0, 2) + v.slice(3, 5) + v.slice(11, 13) + v.slice(14, 16) + v.slice(17, 19) : v;
}

/**
 * A comparator for sort keys. Nulls (empty values) sort last ascending and first descending, as
 * the CRM's database does; ties keep the internal order (the sort is stable).
 */
export function comparator(keys: readonly SortKey[]): (a: Row, b: Row) => number {
  return (a, b) => {
    for (const k of keys) {
      const x = a[k.field] ?? '';
      const y = b[k.field] ?? '';
      if (x === y) continue;
      let c: number;
      if (x === '') c = 1;
      else if (y === '') c = -1;
      else if (k.kind === 'date') c = dateKey(x) < dateKey(y) ? -1 : 1;
      else if (k.kind === 'number') c = Number(x) - Number(y) || (x < y ? -1 : 1);
      else c = x < y ? -1 : 1;
      return k.descending ? -c : c;
    }
    return 0;
  };
}
