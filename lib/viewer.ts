import { z } from 'zod';

/**
 * Who is asking, and what they may see (design.md, "Viewers, roles and scope"). The gateway builds
 * a {@link Viewer} from the caller's JWT and re-signs it for the subgraphs (`viewerToken.ts`);
 * every subgraph enforces scope and role with the functions here, so there is one reading of the
 * permission matrix in the whole product.
 */

export const ROLES = ['agent', 'billing', 'noc', 'analyst', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Where a viewer sits: absent province = headquarters; a local network only within a province. */
export interface ViewerRegion {
  readonly province?: string;
  readonly localNetwork?: string;
}

export interface Viewer {
  /** The subject of the caller's token (an operator's login); sent to billing as `OperatorID`. */
  readonly sub: string;
  /** Known roles only, sorted, no duplicates. */
  readonly roles: readonly Role[];
  readonly region: ViewerRegion;
}

/** A region code as the systems write them: `GD`, `SZ`. */
const REGION_CODE = /^[A-Z]{2,8}$/;

/** The claims a viewer is made of, in the caller's JWT and in the gateway's token alike. */
export const viewerClaims = z.object({
  sub: z.string().min(1, 'sub is empty').max(128, 'sub is longer than 128 characters'),
  roles: z.array(z.string().max(64)).max(32),
  region: z
    .object({
      province: z.string().regex(REGION_CODE, 'region.province is not a region code such as GD').optional(),
      localNetwork: z.string().regex(REGION_CODE, 'region.localNetwork is not a region code such as SZ').optional(),
    })
    .refine((r) => r.localNetwork === undefined || r.province !== undefined, 'region.localNetwork needs region.province')
    .optional(),
});

export class ViewerError extends Error {
  override name = 'ViewerError';
}

/** The viewer of a verified token's payload, or a {@link ViewerError} saying which claim is wrong. */
export function viewerFromClaims(payload: unknown): Viewer {
  const parsed = viewerClaims.safeParse(payload);
  if (!parsed.success) {
    throw new ViewerError(`the token's claims are not a viewer: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'claims'}: ${i.message}`).join('; ')}`);
  }
  const roles = [...new Set(parsed.data.roles.filter((r): r is Role => (ROLES as readonly string[]).includes(r)))].sort();
  if (!roles.length) throw new ViewerError(`the token carries no role this gateway knows (roles: ${JSON.stringify(parsed.data.roles)}; known: ${ROLES.join(', ')})`);
  const r = parsed.data.region ?? {};
  const region: ViewerRegion = r.province === undefined ? {} : r.localNetwork === undefined ? { province: r.province } : { province: r.province, localNetwork: r.localNetwork };
  return Object.freeze({ sub: parsed.data.sub, roles: Object.freeze(roles), region: Object.freeze(region) });
}

/** The viewer of every request when authentication is off (`AUTH_DISABLED=true`, benchmarks only): headquarters, every role's reach. */
export const UNRESTRICTED_VIEWER: Viewer = viewerFromClaims({ sub: 'auth-disabled', roles: ['admin'], region: {} });

/** `GD/SZ`, `GD`, or `HQ`: how a scope is written in messages and logs. */
export function scopeLabel(region: ViewerRegion): string {
  return region.province === undefined ? 'HQ' : region.localNetwork === undefined ? region.province : `${region.province}/${region.localNetwork}`;
}

/**
 * The part of every cross-request cache and deduplication key that says whose data it is
 * (design.md, "Performance principles"): roles and region. Two viewers share an entry only when
 * both are equal, since what a subgraph answers depends on nothing else of the viewer.
 */
export function scopeKeyOf(viewer: Viewer): string {
  return `${viewer.roles.join('+')}@${scopeLabel(viewer.region)}`;
}

/** A region a system records for an entity (a customer, a ticket, a service, an element, an outage). */
export interface RecordRegion {
  readonly province?: string | null;
  readonly localNetwork?: string | null;
}

/**
 * Whether `viewer` may see an entity recorded in `region`. Headquarters sees everything; a
 * province viewer sees its province; a local-network viewer sees its local network only. An
 * entity whose region is unknown is headquarters' alone.
 */
export function inScope(viewer: Viewer, region: RecordRegion | null | undefined): boolean {
  const { province, localNetwork } = viewer.region;
  if (province === undefined) return true;
  if (!region?.province || region.province !== province) return false;
  if (localNetwork === undefined) return true;
  return region.localNetwork === localNetwork;
}

/**
 * What a role may read, by area of the graph. design.md's matrix: agent, billing, analyst and
 * admin read every area (analysts without PII, see {@link piiAccessOf}); the NOC reads the network,
 * a customer's name, region and lines, and tickets.
 */
export type Area =
  /** `Customer.id`, `name`, `region`, `kind`, `status`. */
  | 'customer-basic'
  /** The rest of the CRM's customer profile: segment, star level, manager, group, interactions, satisfaction. */
  | 'customer-profile'
  /** Tickets and `Customer.tickets`. */
  | 'tickets'
  /** `Customer.serviceLines` and a line's number, kind, product and status. */
  | 'lines'
  /** Accounts, balances, bills, payments, usage, ARPU, SIM data. */
  | 'billing'
  /** Network status, elements, alarms, outages. */
  | 'network'
  /** Loyalty points. */
  | 'loyalty';

const NOC_AREAS: ReadonlySet<Area> = new Set(['customer-basic', 'tickets', 'lines', 'network']);

export function mayRead(viewer: Viewer, area: Area): boolean {
  return viewer.roles.some((role) => role !== 'noc' || NOC_AREAS.has(area));
}

/** Billing writes (adjustments): the billing role and admins only. */
export function mayWriteBilling(viewer: Viewer): boolean {
  return viewer.roles.includes('billing') || viewer.roles.includes('admin');
}

/**
 * How much personal data (`identification.number`, `contacts`) a viewer sees:
 * `full` (admin), `agent` (contacts in full, ID number masked but the last 4), `masked` (billing,
 * noc), `none` (analyst: null). With several roles, the most that any of them allows.
 */
export type PiiAccess = 'full' | 'agent' | 'masked' | 'none';
const PII_ORDER: readonly PiiAccess[] = ['none', 'masked', 'agent', 'full'];
const PII_OF_ROLE: Record<Role, PiiAccess> = { admin: 'full', agent: 'agent', billing: 'masked', noc: 'masked', analyst: 'none' };

export function piiAccessOf(viewer: Viewer): PiiAccess {
  let best = 0;
  for (const role of viewer.roles) best = Math.max(best, PII_ORDER.indexOf(PII_OF_ROLE[role]));
  return PII_ORDER[best]!;
}

/** Keeps `keepStart` and `keepEnd` characters and stars the rest (at least one star): `138****5678`. */
export function maskMiddle(value: string, keepStart: number, keepEnd: number): string {
  const chars = [...value];
  if (chars.length <= keepStart + keepEnd) return '*'.repeat(Math.max(chars.length, 1));
  return chars.slice(0, keepStart).join('') + '*'.repeat(chars.length - keepStart - keepEnd) + chars.slice(chars.length - keepEnd).join('');
}

/** A phone number as the masked roles see it: `13812345678` → `138****5678`. */
export function maskPhone(phone: string): string {
  const digits = [...phone].length;
  return digits >= 11 ? maskMiddle(phone, 3, 4) : maskMiddle(phone, Math.min(2, Math.floor(digits / 4)), Math.min(2, Math.floor(digits / 4)));
}

/** An e-mail address as the masked roles see it: `zhang.wei@example.cn` → `z********@example.cn`. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return maskMiddle(email, 1, 0);
  return maskMiddle(email.slice(0, at), 1, 0) + email.slice(at);
}

/** An identification number: `agent` keeps the last 4; the masked roles see none of it. */
export function maskIdNumber(value: string, access: Exclude<PiiAccess, 'full' | 'none'>): string {
  return access === 'agent' ? maskMiddle(value, 0, 4) : '*'.repeat([...value].length);
}
