/**
 * Legacy local times → ISO-8601 with offset. All three legacy systems write Asia/Shanghai wall
 * time without a zone (legacy-contracts.md §1–§3); China has had no daylight saving since 1991, so
 * the offset is always +08:00.
 */
export const SHANGHAI_OFFSET = '+08:00';
const SHANGHAI_OFFSET_MS = 8 * 3600_000;

const p2 = (n: number) => String(n).padStart(2, '0');

/**
 * Builds `YYYY-MM-DDTHH:mm:ss+08:00` from wall-clock fields, or undefined when they name no real
 * time (a month 13, a 30 February).
 */
export function shanghaiIso(y: number, mo: number, d: number, h = 0, mi = 0, s = 0): string | undefined {
  const t = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d || t.getUTCHours() !== h || t.getUTCMinutes() !== mi || t.getUTCSeconds() !== s) {
    return undefined;
  }
  return `${String(y).padStart(4, '0')}-${p2(mo)}-${p2(d)}T${p2(h)}:${p2(mi)}:${p2(s)}${SHANGHAI_OFFSET}`;
}

/** An instant (epoch ms) as Shanghai ISO-8601 with offset. */
export function instantToShanghaiIso(ms: number): string {
  const t = new Date(ms + SHANGHAI_OFFSET_MS);
  return shanghaiIso(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate(), t.getUTCHours(), t.getUTCMinutes(), t.getUTCSeconds())!;
}

/** Parses any ISO-8601 instant with offset (as clients send in arguments) to epoch ms. */
export function isoToInstant(iso: string): number {
  return Date.parse(iso);
}
