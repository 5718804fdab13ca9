import { startCustomerServiceEmulator } from '../../../emulators/customer-service/index.js';
import { startTestEmulator, TEST_NOW, type TestEmulator } from '../../helpers/emulators.js';

/** Helpers shared by the CRM emulator's contract tests: start it, log in, call it. */

export const NOW = Date.parse(TEST_NOW);

export function startCrm(): Promise<TestEmulator> {
  return startTestEmulator('customer-service', startCustomerServiceEmulator);
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body (undefined when it is not JSON). */
  body: any;
  ms: number;
}

export async function call(
  emu: TestEmulator,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; rawBody?: string; signal?: AbortSignal } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const t0 = performance.now();
  const res = await fetch(`${emu.url}${path}`, {
    method,
    headers,
    body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
    signal: options.signal,
  });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, text, body, ms: performance.now() - t0 };
}

export async function login(emu: TestEmulator): Promise<string> {
  const r = await call(emu, 'POST', '/crm/v1/session', { body: { user: 'gateway', password: 'gateway-dev' } });
  if (r.status !== 200) throw new Error(`login failed: ${r.status} ${r.text}`);
  return r.body.token as string;
}

/** `GET /crm/v1/data/{bc}` with query parameters. */
export function search(
  emu: TestEmulator,
  token: string,
  bc: string,
  params: Record<string, string | number> = {},
  signal?: AbortSignal,
): Promise<Answer> {
  const qs = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]));
  return call(emu, 'GET', `/crm/v1/data/${bc}${qs.size ? `?${qs}` : ''}`, { token, signal });
}

/** Every record of a search, page by page (PageSize 100) until LastPage. */
export async function searchAll(emu: TestEmulator, token: string, bc: string, searchspec: string, extra: Record<string, string> = {}): Promise<any[]> {
  const out: any[] = [];
  for (let start = 0; ; start += 100) {
    const r = await search(emu, token, bc, { searchspec, PageSize: 100, StartRowNum: start, ...extra });
    if (r.status !== 200) throw new Error(`search failed: ${r.status} ${r.text}`);
    out.push(...r.body.items);
    if (r.body.LastPage) return out;
    if (r.body.items.length !== 100) throw new Error('a page that is not the last must be full');
  }
}

/** A CRM local time `MM/DD/YYYY HH:MM:SS` as an instant (Asia/Shanghai, UTC+8). */
export function crmInstant(s: string): number {
  const m = /^(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2})$/.exec(s);
  if (!m) throw new Error(`not a CRM time: ${s}`);
  return Date.parse(`${m[3]}-${m[1]}-${m[2]}T${m[4]}:${m[5]}:${m[6]}+08:00`);
}
