/**
 * Local time in Asia/Shanghai, the zone every emulated legacy system speaks without saying so.
 * China has had no daylight saving since 1991, so local time is UTC+8 all year.
 */

export const SHANGHAI_OFFSET_MS = 8 * 3600_000;
export const MINUTE = 60_000;
export const HOUR = 3600_000;
export const DAY = 86_400_000;

/** Calendar fields of an instant, as read on a wall clock in Shanghai. */
export function localParts(ms: number): { y: number; mo: number; d: number; h: number; mi: number; s: number; ms: number } {
  const t = new Date(ms + SHANGHAI_OFFSET_MS);
  return {
    y: t.getUTCFullYear(),
    mo: t.getUTCMonth() + 1,
    d: t.getUTCDate(),
    h: t.getUTCHours(),
    mi: t.getUTCMinutes(),
    s: t.getUTCSeconds(),
    ms: t.getUTCMilliseconds(),
  };
}

/** The instant of a Shanghai wall-clock time. Month is 1-based. */
export function fromLocal(y: number, mo: number, d = 1, h = 0, mi = 0, s = 0): number {
  return Date.UTC(y, mo - 1, d, h, mi, s) - SHANGHAI_OFFSET_MS;
}

const p2 = (n: number) => String(n).padStart(2, '0');

/**
 * Formats an instant as Shanghai local time with a pattern of the tokens
 * `yyyy MM dd HH mm ss SSS` (anything else is copied), e.g. `yyyyMMddHHmmss`, `MM/dd/yyyy HH:mm:ss`.
 */
export function formatLocal(ms: number, pattern: string): string {
  const t = localParts(ms);
  return pattern.replace(/yyyy|MM|dd|HH|mm|ss|SSS/g, (tok) => {
    switch (tok) {
      case 'yyyy':
        return String(t.y).padStart(4, '0');
      case 'MM':
        return p2(t.mo);
      case 'dd':
        return p2(t.d);
      case 'HH':
        return p2(t.h);
      case 'mm':
        return p2(t.mi);
      case 'ss':
        return p2(t.s);
      default:
        return String(t.ms).padStart(3, '0');
    }
  });
}

/**
 * Parses Shanghai local time written with the same tokens as {@link formatLocal}.
 * Returns `undefined` when the text does not match the pattern or names no real date.
 */
export function parseLocal(text: string, pattern: string): number | undefined {
  const tokens: string[] = [];
  const source = pattern.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&').replace(/yyyy|MM|dd|HH|mm|ss|SSS/g, (tok) => {
    tokens.push(tok);
    return tok === 'yyyy' ? '(\\d{4})' : tok === 'SSS' ? '(\\d{3})' : '(\\d{2})';
  });
  const m = new RegExp(`^${source}$`).exec(text);
  if (!m) return undefined;
  const f: Record<string, number> = { yyyy: 1970, MM: 1, dd: 1, HH: 0, mm: 0, ss: 0, SSS: 0 };
  tokens.forEach((tok, k) => (f[tok] = Number(m[k + 1])));
  const ms = fromLocal(f.yyyy!, f.MM!, f.dd!, f.HH!, f.mm!, f.ss!) + f.SSS!;
  const back = localParts(ms);
  if (back.mo !== f.MM || back.d !== f.dd || back.h !== f.HH || back.mi !== f.mm || back.s !== f.ss) return undefined;
  return ms;
}

/** `yyyyMM` of the month an instant falls in (Shanghai time), as a number like 202611. */
export function cycleOf(ms: number): number {
  const t = localParts(ms);
  return t.y * 100 + t.mo;
}

/** The cycle `n` months after (or before, when negative) `cycle`. */
export function addCycles(cycle: number, n: number): number {
  const m = Math.floor(cycle / 100) * 12 + (cycle % 100) - 1 + n;
  return Math.floor(m / 12) * 100 + (m % 12) + 1;
}

/** The first instant of a cycle (`yyyyMM`). */
export function cycleStart(cycle: number): number {
  return fromLocal(Math.floor(cycle / 100), cycle % 100, 1);
}
