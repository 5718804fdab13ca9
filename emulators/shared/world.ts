import { hash, Rng } from './hash.js';
import { organisationName, personName } from './names.js';
import { Permutation } from './permutation.js';
import {
  LOCAL_NETWORKS,
  PROVINCES,
  REGION_SLOTS,
  RegionRange,
  localNetwork as findLocalNetwork,
  localNetworkOfSlot,
  province as findProvince,
  type LocalNetwork,
} from './regions.js';
import { DAY, HOUR, MINUTE, fromLocal } from './time.js';

/**
 * The emulated operator's world, shared by the three emulators so that the same customer is the
 * same in the CRM, in billing and in the NMS.
 *
 * Every record is a pure function of `(seed, index)`: nothing is generated up front and memory
 * does not grow with the number of customers. Every key is an invertible function of its record's
 * index (see {@link Permutation}), so a look-up by any key needs no index either. Things that
 * change with time (alarms, outages) are pure functions of the emulator clock's `now`.
 *
 * What each system adds on top (bills, tickets, alarms' wire form…) lives in that emulator's model;
 * writes live in that emulator's overlay.
 */

export type CustomerKind = 'INDIVIDUAL' | 'ORGANIZATION';
export type CustomerStatus = 'Active' | 'Inactive' | 'Suspended';
export type Segment = 'Mass' | 'SME' | 'Enterprise' | 'Government';
export type ServiceKind = 'MOBILE' | 'BROADBAND' | 'FIXED' | 'LEASED_LINE';
/** TMF637 product states, as billing writes them (camelCase). */
export type LineStatus = 'created' | 'pendingActive' | 'active' | 'suspended' | 'pendingTerminate' | 'terminated';
export type AccountType = 'PREPAID' | 'POSTPAID';
export type AccountStatus = 'Active' | 'Suspended' | 'Closed';

export interface Customer {
  readonly index: number;
  /** CRM Row Id, `1-XXXXXX`. */
  readonly id: string;
  /** Billing CustKey, `88` + 8 digits. */
  readonly custKey: string;
  readonly kind: CustomerKind;
  readonly name: string;
  readonly province: string;
  readonly localNetwork: string;
  readonly status: CustomerStatus;
  readonly segment: Segment;
  /** `Near Star`, `1 Star` … `4 Star`, `5 Star Silver|Gold|Diamond`; null for organisations. */
  readonly starLevel: string | null;
  /** Strategic, Important, High-Value, Group, Individual; null when not a big customer. */
  readonly bigCustomerClass: string | null;
  readonly accountManager: string | null;
  /** Index of the group (集团) parent, or -1. */
  readonly groupParent: number;
  readonly isGroupParent: boolean;
  readonly idType: 'Resident ID' | 'Business License';
  readonly idNumber: string;
  readonly phone: string;
  readonly email: string | null;
  readonly preferredChannel: string;
  readonly createdAt: number;
  readonly accountCount: number;
  readonly lineCount: number;
  /** The ~2 % whose CRM list of service numbers is stale: one missing, or one extra. */
  readonly staleServiceList: 'missing' | 'extra' | null;
}

export interface Account {
  readonly customer: number;
  readonly slot: number;
  /** AcctKey without any `PRE-` prefix: `33` + 8 digits. */
  readonly key: string;
  readonly type: AccountType;
  readonly status: AccountStatus;
  /** The group parent's account this one rolls up to, or null. */
  readonly parentKey: string | null;
  readonly createdAt: number;
  /** Postpaid credit limit in fen; 0 for prepaid. */
  readonly creditLimitFen: number;
}

export interface Line {
  readonly customer: number;
  readonly slot: number;
  /** `customer * MAX_LINES + slot`: the index every per-line key is derived from. */
  readonly key: number;
  readonly serviceNumber: string;
  readonly kind: ServiceKind;
  readonly accountKey: string;
  readonly productName: string;
  /** Monthly recurring fee in fen. */
  readonly monthlyFeeFen: number;
  readonly status: LineStatus;
  readonly activatedAt: number;
  readonly imsi: string | null;
  readonly iccid: string | null;
  /** NMS service id, `SVC-` + 9 digits. */
  readonly serviceId: string;
  readonly province: string;
  readonly localNetwork: string;
  /** Element indexes: access, aggregation, core (the order the NMS lists supporting elements). */
  readonly supporting: readonly [number, number, number];
}

export type ElementKind = 'CORE' | 'AGGREGATION' | 'ACCESS';
export type ElementType = 'CORE' | 'AGG' | 'BTS' | 'OLT' | 'PTN';

export interface NetworkElement {
  readonly index: number;
  readonly id: string;
  readonly name: string;
  readonly kind: ElementKind;
  readonly type: ElementType;
  /** Parent element index (access → aggregation → core), or -1 for a core element. */
  readonly parent: number;
  readonly province: string;
  readonly localNetwork: string | null;
}

export type Severity = 'CRITICAL' | 'MAJOR' | 'MINOR' | 'WARNING' | 'INDETERMINATE';

export interface Alarm {
  readonly id: number;
  readonly element: number;
  readonly severity: Severity;
  readonly eventType: string;
  /** X.733 probable cause as this NMS numbers it (e.g. 305 lossOfSignal). */
  readonly probableCause: number;
  readonly specificProblem: string;
  readonly managedObjectInstance: string;
  readonly raisedAt: number;
  readonly lastEventAt: number;
  /** When it clears (may be after `now`: then it is still active). */
  readonly clearsAt: number;
  readonly serviceAffecting: boolean;
  readonly counter: number;
  readonly reductionKey: string;
  readonly ackUser: string | null;
  readonly ackAt: number | null;
  /** Set on an outage's root-cause alarm. */
  readonly outageId: string | null;
}

export interface Outage {
  readonly id: string;
  readonly province: string;
  readonly localNetwork: string;
  readonly slot: number;
  readonly aggregation: number;
  readonly startedAt: number;
  readonly clearsAt: number;
  readonly rootCauseAlarmId: number;
}

export interface LineNetworkState {
  readonly operState: 'ENABLED' | 'DISABLED';
  readonly adminState: 'LOCKED' | 'UNLOCKED' | 'SHUTTING_DOWN';
  readonly affected: boolean;
  readonly outageIds: readonly string[];
}

export interface WorldOptions {
  /** @default DEFAULT_SEED */
  readonly seed?: number;
  /** @default 10 000 */
  readonly customers?: number;
}

export const DEFAULT_SEED = 20_261_124;
export const DEFAULT_CUSTOMERS = 10_000;
export const MAX_CUSTOMERS = 5_000_000;
export const MAX_LINES = 5;
export const MAX_ACCOUNTS = 3;
/** Alarms and outages are generated per element (or province) per slot of this length. */
export const ALARM_SLOT_MS = 4 * HOUR;
/** The first alarm slot starts here; alarm ids count slots from it. */
export const ALARM_EPOCH = fromLocal(2020, 1, 1);
/** Cleared alarms stay listed this long. */
export const CLEARED_ALARM_RETENTION_MS = 24 * HOUR;
/** Alarms can be read by id this long after they were raised. */
export const ALARM_HISTORY_MS = 90 * DAY;
const ALARM_ID_BASE = 1_000_000;
const MAX_ALARM_DURATION_MS = 36 * HOUR;
const OUTAGE_OVERLAP_MS = 30 * MINUTE;

/** Independent random streams: one per kind of attribute. */
const enum S {
  Customer = 1,
  Group,
  Account,
  Line,
  Access,
  Alarm,
  Outage,
  OutageJitter,
  Email,
  Basics,
}

const BTS_PER_AGG = 12;
const OLT_PER_AGG = 3;

const STAR_LEVELS: [string, number][] = [
  ['Near Star', 25],
  ['1 Star', 20],
  ['2 Star', 20],
  ['3 Star', 15],
  ['4 Star', 10],
  ['5 Star Silver', 5],
  ['5 Star Gold', 3],
  ['5 Star Diamond', 2],
];

const PRODUCTS: Record<ServiceKind, [string, number][]> = {
  MOBILE: [
    ['神州行 18 元套餐', 1800],
    ['动感地带 58 元套餐', 5800],
    ['全球通 128 元套餐', 12800],
    ['5G 智享 199 元套餐', 19900],
    ['5G 尊享 399 元套餐', 39900],
  ],
  BROADBAND: [
    ['家庭宽带 300M', 6000],
    ['千兆宽带 1000M', 12000],
  ],
  FIXED: [
    ['固话基础套餐', 2000],
    ['商务固话套餐', 5000],
  ],
  LEASED_LINE: [
    ['MSTP 专线 100M', 300000],
    ['OTN 专线 1G', 1200000],
    ['互联网专线 500M', 600000],
  ],
};

const CIRCUIT_TYPES = ['MSTP', 'SDH', 'OTN', 'PTN'] as const;

const PROBABLE_CAUSES: Record<ElementType, [number, number][]> = {
  CORE: [[330, 3], [340, 2], [351, 4], [321, 2], [301, 1]],
  AGG: [[305, 3], [306, 2], [310, 3], [351, 3], [321, 2], [340, 1], [399, 1]],
  BTS: [[305, 3], [311, 3], [321, 3], [340, 2], [351, 2], [310, 1], [301, 1], [398, 1]],
  OLT: [[305, 3], [306, 2], [310, 2], [311, 2], [321, 2], [351, 2]],
  PTN: [[305, 3], [306, 2], [310, 2], [321, 1], [351, 2]],
};

/** X.733 event type and a vendor text for each probable cause the NMS uses. */
const CAUSE_TEXT: Record<number, [string, string]> = {
  301: ['processingErrorAlarm', 'Unknown fault'],
  305: ['communicationsAlarm', 'LOS on uplink'],
  306: ['communicationsAlarm', 'LOF on optical port'],
  310: ['communicationsAlarm', 'Optical power degraded'],
  311: ['environmentalAlarm', 'Mains power failure, running on battery'],
  321: ['equipmentAlarm', 'Board fault'],
  330: ['processingErrorAlarm', 'CPU overload on control board'],
  340: ['environmentalAlarm', 'Board temperature high'],
  351: ['qualityOfServiceAlarm', 'Traffic threshold crossed'],
  398: ['equipmentAlarm', 'Vendor-specific: RRU VSWR abnormal'],
  399: ['communicationsAlarm', 'Vendor-specific: LACP member down'],
};

const NOC_USERS = ['noc-zhangwei', 'noc-liqiang', 'noc-wangfang', 'noc-chenjie'];

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const BASE36 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

export class World {
  readonly seed: number;
  readonly customerCount: number;
  readonly elements: readonly NetworkElement[];

  private readonly permCustomerId: Permutation;
  private readonly permCustKey: Permutation;
  private readonly permAcctKey: Permutation;
  private readonly permMobile: Permutation;
  private readonly permFixed: Permutation;
  private readonly permBroadband: Permutation;
  private readonly permCircuit: Permutation;
  private readonly permImsi: Permutation;
  private readonly permResident: Permutation;
  private readonly permOrgCode: Permutation;
  private readonly permServiceId: Permutation;
  private readonly elementById = new Map<string, number>();
  /** Per local network: aggregation element indexes in order. */
  private readonly aggregations: number[][] = [];
  /** Per aggregation element index: its access elements by type. */
  private readonly accessOf = new Map<number, { BTS: number[]; OLT: number[]; PTN: number[] }>();
  /** Per province: its aggregation element indexes. */
  private readonly provinceAggregations: number[][] = [];
  private readonly regionRanges = new Map<string, RegionRange>();
  private readonly customerCache = new Map<number, Customer>();

  constructor(options: WorldOptions = {}) {
    this.seed = options.seed ?? DEFAULT_SEED;
    this.customerCount = options.customers ?? DEFAULT_CUSTOMERS;
    if (!Number.isInteger(this.customerCount) || this.customerCount < 1 || this.customerCount > MAX_CUSTOMERS) {
      throw new Error(`The world holds 1 to ${MAX_CUSTOMERS} customers; got ${options.customers}`);
    }
    const n = this.customerCount;
    const k = (name: number) => hash(this.seed, 0xfe15, name);
    this.permCustomerId = new Permutation(36 ** 6, k(1));
    this.permCustKey = new Permutation(100_000_000, k(2));
    this.permAcctKey = new Permutation(100_000_000, k(3));
    // Mobile numbers: 1 + [3-9] + 9 digits. Keys below n*MAX_LINES are lines; the next n are
    // contact numbers of customers without a mobile line.
    this.permMobile = new Permutation(7_000_000_000, k(4));
    this.permFixed = new Permutation(70_000_000, k(5));
    this.permBroadband = new Permutation(10_000_000_000, k(6));
    this.permCircuit = new Permutation(10_000_000, k(7));
    this.permImsi = new Permutation(10_000_000_000, k(8));
    this.permResident = new Permutation(20_000 * 1000, k(9));
    this.permOrgCode = new Permutation(1_000_000_000, k(10));
    this.permServiceId = new Permutation(1_000_000_000, k(11));
    if (n * (MAX_LINES + 1) > 7_000_000_000 || n * MAX_LINES > 10_000_000 || n > 20_000_000) {
      throw new Error(`Too many customers for the key formats: ${n}`);
    }
    this.elements = this.buildTopology();
  }

  // ---------------------------------------------------------------- customers and their keys

  /** The CRM Row Id of customer `i`: `1-` + 6 base-36 characters. */
  customerId(i: number): string {
    let v = this.permCustomerId.forward(i);
    let s = '';
    for (let k = 0; k < 6; k++) {
      s = BASE36[v % 36] + s;
      v = Math.floor(v / 36);
    }
    return `1-${s}`;
  }

  /** The index of the customer with this CRM Row Id, or -1. */
  customerIndexById(id: string): number {
    if (!/^1-[0-9A-Z]{6}$/.test(id)) return -1;
    let v = 0;
    for (const c of id.slice(2)) v = v * 36 + BASE36.indexOf(c);
    const i = this.permCustomerId.inverse(v);
    return i < this.customerCount ? i : -1;
  }

  custKey(i: number): string {
    return `88${pad(this.permCustKey.forward(i), 8)}`;
  }

  customerIndexByCustKey(key: string): number {
    if (!/^88\d{8}$/.test(key)) return -1;
    const i = this.permCustKey.inverse(Number(key.slice(2)));
    return i < this.customerCount ? i : -1;
  }

  /** Where customer `i` sits. */
  localNetworkOf(i: number): LocalNetwork {
    return localNetworkOfSlot(i % REGION_SLOTS);
  }

  /**
   * The customers of a province, or of one local network, as a random-access range in index
   * order; undefined for an unknown region.
   */
  customersIn(provinceCode: string, localNetworkCode?: string): RegionRange | undefined {
    const cacheKey = `${provinceCode}/${localNetworkCode ?? ''}`;
    const hit = this.regionRanges.get(cacheKey);
    if (hit) return hit;
    let range: RegionRange | undefined;
    if (localNetworkCode !== undefined) {
      const ln = findLocalNetwork(localNetworkCode, provinceCode);
      if (ln) range = new RegionRange(ln.firstSlot, ln.weight, this.customerCount);
    } else {
      const p = findProvince(provinceCode);
      if (p) range = new RegionRange(p.firstSlot, p.slotCount, this.customerCount);
    }
    if (range) this.regionRanges.set(cacheKey, range);
    return range;
  }

  /** All customers of a local network (the range lines and aggregations are laid out on). */
  private networkRange(ln: LocalNetwork): RegionRange {
    return this.customersIn(ln.province, ln.code)!;
  }

  // Groups (集团): every 16th row of region slots may hold group parents; a parent at index g
  // has members g + k·REGION_SLOTS for k = 1..m (same local network), so membership is arithmetic.
  private static readonly GROUP_ROWS = 16;

  private groupSize(g: number): number {
    if (g < 0 || g >= this.customerCount) return 0;
    if (Math.floor(g / REGION_SLOTS) % World.GROUP_ROWS !== 0) return 0;
    const h = hash(this.seed, S.Group, g);
    if (h % 100 >= 20) return 0;
    const m = 2 + ((h >>> 8) % 7);
    // Members must exist: cut the group at the end of the world.
    return Math.min(m, Math.floor((this.customerCount - 1 - g) / REGION_SLOTS));
  }

  /** The group parent of customer `i`, or -1. */
  groupParentOf(i: number): number {
    const k = Math.floor(i / REGION_SLOTS) % World.GROUP_ROWS;
    if (k === 0) return -1;
    const g = i - k * REGION_SLOTS;
    return k <= this.groupSize(g) ? g : -1;
  }

  /** The members of group parent `g` (empty when `g` is not a parent). */
  groupMembers(g: number): number[] {
    const m = this.groupSize(g);
    const out: number[] = [];
    for (let k = 1; k <= m; k++) out.push(g + k * REGION_SLOTS);
    return out;
  }

  customer(i: number): Customer {
    const hit = this.customerCache.get(i);
    if (hit) return hit;
    const c = this.makeCustomer(i);
    if (this.customerCache.size >= 4096) this.customerCache.clear();
    this.customerCache.set(i, c);
    return c;
  }

  /**
   * What the network and billing layouts need of a customer — kind, account and line counts — from
   * a stream of its own, so that walking the lines of an aggregation element costs a few hashes
   * per customer instead of building whole records.
   */
  private basics(i: number): { isGroupParent: boolean; groupParent: number; individual: boolean; accountCount: number; lineCount: number } {
    const isGroupParent = this.groupSize(i) > 0;
    const groupParent = isGroupParent ? -1 : this.groupParentOf(i);
    const rng = new Rng(hash(this.seed, S.Basics, i));
    const individual = !(isGroupParent || groupParent >= 0 || rng.chance(0.087));
    const accountCount = individual
      ? rng.weighted([
          [1, 70],
          [2, 25],
          [3, 5],
        ])
      : rng.int(1, 3);
    const lineCount = individual
      ? rng.weighted([
          [1, 40],
          [2, 30],
          [3, 18],
          [4, 8],
          [5, 4],
        ])
      : rng.int(2, 5);
    return { isGroupParent, groupParent, individual, accountCount, lineCount };
  }

  private makeCustomer(i: number): Customer {
    if (!Number.isInteger(i) || i < 0 || i >= this.customerCount) throw new RangeError(`No customer ${i}`);
    const rng = new Rng(hash(this.seed, S.Customer, i));
    const ln = this.localNetworkOf(i);
    const { isGroupParent, groupParent, individual, accountCount, lineCount } = this.basics(i);
    const kind: CustomerKind = individual ? 'INDIVIDUAL' : 'ORGANIZATION';
    const status = rng.weighted<CustomerStatus>([
      ['Active', 92],
      ['Inactive', 5],
      ['Suspended', 3],
    ]);
    const government = !individual && rng.chance(0.15);
    const segment: Segment = individual
      ? 'Mass'
      : government
        ? 'Government'
        : isGroupParent
          ? 'Enterprise'
          : rng.weighted<Segment>([
              ['SME', 70],
              ['Enterprise', 30],
            ]);
    const starLevel = individual ? rng.weighted(STAR_LEVELS) : null;
    let bigCustomerClass: string | null = null;
    if (isGroupParent) bigCustomerClass = 'Group';
    else if (!individual && groupParent < 0 && rng.chance(0.06)) {
      bigCustomerClass = rng.weighted([
        ['Strategic', 2],
        ['Important', 3],
        ['High-Value', 5],
      ]);
    } else if (individual && (starLevel === '5 Star Diamond' || starLevel === '5 Star Gold') && rng.chance(0.3)) {
      bigCustomerClass = 'Individual';
    }
    const managerRng = new Rng(hash(this.seed, S.Customer, i, 1));
    const accountManager = bigCustomerClass ? personName(managerRng, false) : null;
    const name = individual ? personName(rng, rng.chance(0.005)) : organisationName(rng, ln.name, government);

    const staleRoll = rng.float();
    const staleServiceList = staleRoll < 0.01 ? 'missing' : staleRoll < 0.02 ? 'extra' : null;
    const createdAt = fromLocal(2008, 1, 1) + Math.floor(rng.float() * 17.4 * 365) * DAY + rng.int(8 * 3600, 20 * 3600) * 1000;

    let idNumber: string;
    if (individual) {
      const v = this.permResident.forward(i);
      const birth = new Date(Date.UTC(1950, 0, 1) + Math.floor(v / 1000) * DAY);
      const body = `${ln.idArea}${birth.getUTCFullYear()}${pad(birth.getUTCMonth() + 1, 2)}${pad(birth.getUTCDate(), 2)}${pad(v % 1000, 3)}`;
      idNumber = body + residentCheckDigit(body);
    } else {
      const body = `${government ? '11' : '91'}${ln.idArea}${pad(this.permOrgCode.forward(i), 9)}`;
      idNumber = body + String(digitSum(body) % 10);
    }

    // The contact phone: the first mobile line (or, for organisations, the first fixed line),
    // else a contact mobile number of its own.
    let phone = '';
    for (let s = 0; s < lineCount && !phone; s++) {
      const k = this.lineKind(i, s, individual);
      if (k === 'MOBILE' || (!individual && k === 'FIXED')) phone = this.lineNumber(i, s, k, ln);
    }
    if (!phone) phone = mobileNumber(this.permMobile.forward(this.customerCount * MAX_LINES + i));

    const emailRng = new Rng(hash(this.seed, S.Email, i));
    const email = emailRng.chance(individual ? 0.4 : 0.8)
      ? individual
        ? `u${pad(emailRng.int(0, 99_999_999), 8)}@${emailRng.pick(['163.com', 'qq.com', '139.com', 'sina.com'])}`
        : `contact@corp${pad(emailRng.int(0, 999_999), 6)}.com.cn`
      : null;
    const preferredChannel = emailRng.weighted([
      ['Phone', 45],
      ['SMS', 25],
      ['WeChat', 15],
      ['Email', email ? 10 : 0],
      ['App', 5],
    ]);

    return {
      index: i,
      id: this.customerId(i),
      custKey: this.custKey(i),
      kind,
      name,
      province: ln.province,
      localNetwork: ln.code,
      status,
      segment,
      starLevel,
      bigCustomerClass,
      accountManager,
      groupParent,
      isGroupParent,
      idType: individual ? 'Resident ID' : 'Business License',
      idNumber,
      phone,
      email,
      preferredChannel,
      createdAt,
      accountCount,
      lineCount,
      staleServiceList,
    };
  }

  /** The index of the customer with this identification number, or -1. */
  customerIndexByIdNumber(idNumber: string): number {
    const candidates: number[] = [];
    const resident = /^\d{6}(\d{4})(\d{2})(\d{2})(\d{3})[\dX]$/.exec(idNumber);
    if (resident) {
      const birth = new Date(0);
      birth.setUTCFullYear(+resident[1]!, +resident[2]! - 1, +resident[3]!);
      const day = Math.floor(birth.getTime() / DAY) - Math.floor(Date.UTC(1950, 0, 1) / DAY);
      if (day >= 0 && day < 20_000) candidates.push(this.permResident.inverse(day * 1000 + Number(resident[4])));
    }
    const org = /^(?:11|91)\d{6}(\d{9})\d$/.exec(idNumber);
    if (org) candidates.push(this.permOrgCode.inverse(Number(org[1])));
    for (const i of candidates) if (i < this.customerCount && this.customer(i).idNumber === idNumber) return i;
    return -1;
  }

  /** The customers whose contact phone is this number (at most one). */
  customerIndexByPhone(phone: string): number {
    const located = this.locateNumber(phone);
    if (!located) return -1;
    return this.customer(located.customer).phone === phone ? located.customer : -1;
  }

  // ---------------------------------------------------------------- accounts

  acctKey(i: number, slot: number): string {
    return `33${pad(this.permAcctKey.forward(i * MAX_ACCOUNTS + slot), 8)}`;
  }

  accounts(i: number): Account[] {
    const c = this.customer(i);
    const out: Account[] = [];
    for (let a = 0; a < c.accountCount; a++) out.push(this.makeAccount(c, a));
    return out;
  }

  /** The account with this AcctKey (with or without the `PRE-` prefix), or undefined. */
  account(key: string): Account | undefined {
    const m = /^(?:PRE-)?33(\d{8})$/.exec(key);
    if (!m) return undefined;
    const v = this.permAcctKey.inverse(Number(m[1]));
    const i = Math.floor(v / MAX_ACCOUNTS);
    const a = v % MAX_ACCOUNTS;
    if (i >= this.customerCount) return undefined;
    const c = this.customer(i);
    return a < c.accountCount ? this.makeAccount(c, a) : undefined;
  }

  private makeAccount(c: Customer, a: number): Account {
    const rng = new Rng(hash(this.seed, S.Account, c.index, a));
    const type: AccountType =
      c.kind === 'ORGANIZATION' ? 'POSTPAID' : rng.chance(a === 0 ? 0.6 : 0.3) ? 'PREPAID' : 'POSTPAID';
    const status: AccountStatus =
      c.status === 'Inactive' ? 'Closed' : c.status === 'Suspended' ? 'Suspended' : rng.chance(0.03) ? 'Suspended' : 'Active';
    const parentKey = c.groupParent >= 0 && rng.chance(0.7) ? this.acctKey(c.groupParent, 0) : null;
    const creditLimitFen =
      type === 'PREPAID' ? 0 : c.kind === 'ORGANIZATION' ? rng.pick([500_000, 1_000_000, 5_000_000]) : rng.pick([10_000, 20_000, 50_000, 100_000]);
    return { customer: c.index, slot: a, key: this.acctKey(c.index, a), type, status, parentKey, createdAt: c.createdAt, creditLimitFen };
  }

  // ---------------------------------------------------------------- service lines

  private lineKind(i: number, s: number, individual: boolean): ServiceKind {
    const rng = new Rng(hash(this.seed, S.Line, i, s));
    if (individual) {
      if (s === 0) return 'MOBILE';
      return rng.weighted<ServiceKind>([
        ['MOBILE', 50],
        ['BROADBAND', 30],
        ['FIXED', 20],
      ]);
    }
    if (s === 0) return rng.chance(0.5) ? 'FIXED' : 'MOBILE';
    return rng.weighted<ServiceKind>([
      ['LEASED_LINE', 35],
      ['MOBILE', 35],
      ['FIXED', 15],
      ['BROADBAND', 15],
    ]);
  }

  private circuitType(key: number): (typeof CIRCUIT_TYPES)[number] {
    return CIRCUIT_TYPES[hash(this.seed, S.Line, key, 7) % CIRCUIT_TYPES.length]!;
  }

  private lineNumber(i: number, s: number, kind: ServiceKind, ln: LocalNetwork): string {
    const key = i * MAX_LINES + s;
    switch (kind) {
      case 'MOBILE':
        return mobileNumber(this.permMobile.forward(key));
      case 'FIXED':
        return `0${ln.areaCode}${20_000_000 + this.permFixed.forward(key)}`;
      case 'BROADBAND':
        return `AD${pad(this.permBroadband.forward(key), 10)}`;
      case 'LEASED_LINE': {
        const v = this.permCircuit.forward(key);
        return `${ln.province}-${ln.code}-${this.circuitType(key)}-${pad(Math.floor(v / 100_000), 2)}-${pad(v % 100_000, 5)}`;
      }
    }
  }

  /**
   * Which customer and line slot a service number belongs to, without checking that the slot is
   * a real line. `contact` marks a customer's own contact mobile number.
   */
  private locateNumber(number: string): { customer: number; slot: number; contact: boolean } | undefined {
    const n = this.customerCount;
    let key = -1;
    let m: RegExpExecArray | null;
    if ((m = /^1([3-9])(\d{9})$/.exec(number))) {
      key = this.permMobile.inverse((Number(m[1]) - 3) * 1_000_000_000 + Number(m[2]));
      if (key >= n * MAX_LINES && key < n * (MAX_LINES + 1)) return { customer: key - n * MAX_LINES, slot: -1, contact: true };
    } else if ((m = /^0(\d{2,3})(\d{8})$/.exec(number))) {
      const v = Number(m[2]) - 20_000_000;
      if (v >= 0 && v < 70_000_000) key = this.permFixed.inverse(v);
    } else if ((m = /^AD(\d{10})$/.exec(number))) {
      key = this.permBroadband.inverse(Number(m[1]));
    } else if ((m = /^[A-Z]{2}-[A-Z]{2}-[A-Z]{3,4}-(\d{2})-(\d{5})$/.exec(number))) {
      key = this.permCircuit.inverse(Number(m[1]) * 100_000 + Number(m[2]));
    }
    if (key < 0 || key >= n * MAX_LINES) return undefined;
    return { customer: Math.floor(key / MAX_LINES), slot: key % MAX_LINES, contact: false };
  }

  /** The service line with this number (billing's truth), or undefined. */
  line(serviceNumber: string): Line | undefined {
    const at = this.locateNumber(serviceNumber);
    if (!at || at.contact) return undefined;
    const c = this.customer(at.customer);
    if (at.slot >= c.lineCount) return undefined;
    const line = this.makeLine(c, at.slot);
    return line.serviceNumber === serviceNumber ? line : undefined;
  }

  /** A customer's service lines, as billing knows them (the source of truth). */
  lines(i: number): Line[] {
    const c = this.customer(i);
    const out: Line[] = [];
    for (let s = 0; s < c.lineCount; s++) out.push(this.makeLine(c, s));
    return out;
  }

  /**
   * The service numbers the CRM records for a customer: billing's list, except for the ~2 % of
   * customers whose CRM list is stale (the last line missing, or a number billing does not know).
   */
  crmServiceNumbers(i: number): string[] {
    const c = this.customer(i);
    const numbers = this.lines(i).map((l) => l.serviceNumber);
    if (c.staleServiceList === 'missing' && numbers.length > 1) numbers.pop();
    if (c.staleServiceList === 'extra' || (c.staleServiceList === 'missing' && c.lineCount === 1)) {
      numbers.push(this.formerNumber(i));
    }
    return numbers;
  }

  /**
   * A number that was once the customer's and that billing and the NMS no longer know: the mobile
   * number of the first unused line slot, or (with all five slots used) the customer's number
   * from the contact range.
   */
  formerNumber(i: number): string {
    const c = this.customer(i);
    const key = c.lineCount < MAX_LINES ? i * MAX_LINES + c.lineCount : this.customerCount * MAX_LINES + i;
    return mobileNumber(this.permMobile.forward(key));
  }

  /** The customer whose {@link formerNumber} this is, or -1. */
  customerIndexByFormerNumber(number: string): number {
    const at = this.locateNumber(number);
    if (!at) return -1;
    return this.formerNumber(at.customer) === number ? at.customer : -1;
  }

  private makeLine(c: Customer, s: number): Line {
    const key = c.index * MAX_LINES + s;
    const individual = c.kind === 'INDIVIDUAL';
    const kind = this.lineKind(c.index, s, individual);
    const ln = findLocalNetwork(c.localNetwork)!;
    const rng = new Rng(hash(this.seed, S.Line, c.index, s, 1));
    const [productName, monthlyFeeFen] = rng.pick(PRODUCTS[kind]);
    let status: LineStatus =
      c.status === 'Inactive'
        ? 'terminated'
        : c.status === 'Suspended'
          ? 'suspended'
          : rng.weighted<LineStatus>([
              ['active', 90],
              ['suspended', 5],
              ['terminated', 2],
              ['pendingTerminate', 1],
              ['pendingActive', 1],
              ['created', 1],
            ]);
    if (s === 0 && c.status === 'Active' && (status === 'terminated' || status === 'created')) status = 'active';
    const activatedAt = Math.min(
      c.createdAt + Math.floor(rng.float() * 5 * 365) * DAY + rng.int(9 * 3600, 19 * 3600) * 1000,
      fromLocal(2026, 6, 1) + rng.int(0, 150) * DAY,
    );
    const imsiValue = kind === 'MOBILE' ? this.permImsi.forward(key) : -1;
    const range = this.networkRange(ln);
    const t = range.positionOf(c.index) * MAX_LINES + s;
    const aggs = this.aggregations[ln.index]!;
    const agg = aggs[t % aggs.length]!;
    const access = this.accessOf.get(agg)!;
    const pool = kind === 'MOBILE' ? access.BTS : kind === 'LEASED_LINE' ? access.PTN : access.OLT;
    const accessNe = pool[hash(this.seed, S.Access, key) % pool.length]!;
    return {
      customer: c.index,
      slot: s,
      key,
      serviceNumber: this.lineNumber(c.index, s, kind, ln),
      kind,
      accountKey: this.acctKey(c.index, s % c.accountCount),
      productName,
      monthlyFeeFen,
      status,
      activatedAt,
      imsi: imsiValue >= 0 ? `46000${pad(imsiValue, 10)}` : null,
      iccid: imsiValue >= 0 ? `898600${pad(imsiValue, 10)}${pad(hash(this.seed, key) % 10_000, 4)}` : null,
      serviceId: `SVC-${pad(this.permServiceId.forward(key), 9)}`,
      province: ln.province,
      localNetwork: ln.code,
      supporting: [accessNe, agg, this.elements[agg]!.parent],
    };
  }

  /** The line with this NMS service id, or undefined. */
  lineByServiceId(serviceId: string): Line | undefined {
    const m = /^SVC-(\d{9})$/.exec(serviceId);
    if (!m) return undefined;
    const key = this.permServiceId.inverse(Number(m[1]));
    const i = Math.floor(key / MAX_LINES);
    if (i >= this.customerCount) return undefined;
    const c = this.customer(i);
    return key % MAX_LINES < c.lineCount ? this.makeLine(c, key % MAX_LINES) : undefined;
  }

  // ---------------------------------------------------------------- network topology

  private buildTopology(): NetworkElement[] {
    const els: NetworkElement[] = [];
    const add = (e: Omit<NetworkElement, 'index'>) => {
      const el = { ...e, index: els.length };
      els.push(el);
      this.elementById.set(el.id, el.index);
      return el.index;
    };
    for (const p of PROVINCES) {
      const cores = [1, 2].map((c) =>
        add({ id: `${p.code}-CORE-${pad(c, 2)}`, name: `${p.name}核心路由器${c}`, kind: 'CORE', type: 'CORE', parent: -1, province: p.code, localNetwork: null }),
      );
      const provinceAggs: number[] = [];
      for (const ln of p.networks) {
        const aggCount = 3 * ln.weight + 2;
        const aggs: number[] = [];
        for (let a = 0; a < aggCount; a++) {
          const agg = add({
            id: `${ln.code}-AGG-${pad(a + 1, 2)}`,
            name: `${ln.name}汇聚${pad(a + 1, 2)}`,
            kind: 'AGGREGATION',
            type: 'AGG',
            parent: cores[a % 2]!,
            province: p.code,
            localNetwork: ln.code,
          });
          aggs.push(agg);
          const access = { BTS: [] as number[], OLT: [] as number[], PTN: [] as number[] };
          for (let j = 0; j < BTS_PER_AGG; j++) {
            const num = `${pad(a + 1, 2)}${pad(j + 1, 2)}`;
            access.BTS.push(add({ id: `${ln.code}-BTS-${num}`, name: `${ln.name}基站${num}`, kind: 'ACCESS', type: 'BTS', parent: agg, province: p.code, localNetwork: ln.code }));
          }
          for (let j = 0; j < OLT_PER_AGG; j++) {
            const num = pad(a * OLT_PER_AGG + j + 1, 2);
            access.OLT.push(add({ id: `${ln.code}-OLT-${num}`, name: `${ln.name}OLT${num}`, kind: 'ACCESS', type: 'OLT', parent: agg, province: p.code, localNetwork: ln.code }));
          }
          const ptn = pad(a + 1, 3);
          access.PTN.push(add({ id: `${ln.code}-PTN-${ptn}`, name: `${ln.name}PTN接入${ptn}`, kind: 'ACCESS', type: 'PTN', parent: agg, province: p.code, localNetwork: ln.code }));
          this.accessOf.set(agg, access);
        }
        this.aggregations[ln.index] = aggs;
        provinceAggs.push(...aggs);
      }
      this.provinceAggregations[p.index] = provinceAggs;
    }
    return els;
  }

  /** The element with this id, or undefined. */
  element(id: string): NetworkElement | undefined {
    const i = this.elementById.get(id);
    return i === undefined ? undefined : this.elements[i];
  }

  /**
   * The keys (`customer * MAX_LINES + slot`) of the lines that ride on an aggregation element, all
   * statuses, in index order. A few hashes per candidate: ~10 ms for a local network of 100 000
   * customers. {@link lineByKey} turns a key into its line.
   */
  lineKeysOnAggregation(agg: number): Uint32Array {
    const el = this.elements[agg]!;
    const ln = findLocalNetwork(el.localNetwork!)!;
    const aggs = this.aggregations[ln.index]!;
    const a = aggs.indexOf(agg);
    const range = this.networkRange(ln);
    const keys: number[] = [];
    for (let t = a; t < range.count * MAX_LINES; t += aggs.length) {
      const i = range.at(Math.floor(t / MAX_LINES));
      const s = t % MAX_LINES;
      if (s < this.basics(i).lineCount) keys.push(i * MAX_LINES + s);
    }
    return Uint32Array.from(keys);
  }

  /** The lines that ride on an aggregation element (all statuses), in index order. */
  linesOnAggregation(agg: number): Line[] {
    return Array.from(this.lineKeysOnAggregation(agg), (k) => this.lineByKey(k)!);
  }

  /** The line with this key (`customer * MAX_LINES + slot`), or undefined. */
  lineByKey(key: number): Line | undefined {
    const i = Math.floor(key / MAX_LINES);
    if (!Number.isInteger(key) || key < 0 || i >= this.customerCount) return undefined;
    const c = this.customer(i);
    return key % MAX_LINES < c.lineCount ? this.makeLine(c, key % MAX_LINES) : undefined;
  }

  // ---------------------------------------------------------------- alarms and outages

  private get alarmIdStride(): number {
    return this.elements.length + PROVINCES.length;
  }

  static slotOf(ms: number): number {
    return Math.floor((ms - ALARM_EPOCH) / ALARM_SLOT_MS);
  }

  /** The background alarm of element `e` in slot `n`, if one was raised then. */
  private backgroundAlarm(e: number, n: number): Alarm | undefined {
    if (n < 0) return undefined;
    const el = this.elements[e]!;
    const rng = new Rng(hash(this.seed, S.Alarm, e, n));
    const p = { CORE: 0.03, AGG: 0.06, BTS: 0.05, OLT: 0.06, PTN: 0.04 }[el.type];
    if (!rng.chance(p)) return undefined;
    const raisedAt = ALARM_EPOCH + n * ALARM_SLOT_MS + rng.int(0, ALARM_SLOT_MS / 1000 - 1) * 1000;
    const severity = rng.weighted<Severity>([
      ['CRITICAL', 4],
      ['MAJOR', 16],
      ['MINOR', 35],
      ['WARNING', 35],
      ['INDETERMINATE', 10],
    ]);
    const cause = rng.weighted(PROBABLE_CAUSES[el.type]);
    const durationMin =
      severity === 'CRITICAL' ? rng.int(20, 240) : severity === 'INDETERMINATE' ? rng.int(60, 360) : rng.int(30, MAX_ALARM_DURATION_MS / MINUTE);
    const clearsAt = raisedAt + durationMin * MINUTE;
    const serviceAffecting = el.kind === 'ACCESS' && (severity === 'CRITICAL' || (severity === 'MAJOR' && rng.chance(0.3)));
    const counter = rng.int(1, 30);
    const acked = rng.chance(0.4);
    const ackAt = acked ? raisedAt + rng.int(5, 120) * MINUTE : null;
    const port = `${rng.int(1, 4)}/${rng.int(1, 16)}/${rng.int(1, 48)}`;
    return this.alarmRecord({
      id: ALARM_ID_BASE + n * this.alarmIdStride + e,
      element: e,
      severity,
      cause,
      raisedAt,
      lastEventAt: Math.min(clearsAt, raisedAt + (counter - 1) * 7 * MINUTE),
      clearsAt,
      serviceAffecting,
      counter,
      ackUser: acked ? rng.pick(NOC_USERS) : null,
      ackAt,
      port,
      outageId: null,
    });
  }

  private alarmRecord(a: {
    id: number;
    element: number;
    severity: Severity;
    cause: number;
    raisedAt: number;
    lastEventAt: number;
    clearsAt: number;
    serviceAffecting: boolean;
    counter: number;
    ackUser: string | null;
    ackAt: number | null;
    port: string;
    outageId: string | null;
  }): Alarm {
    const el = this.elements[a.element]!;
    const [eventType, specificProblem] = CAUSE_TEXT[a.cause] ?? ['communicationsAlarm', 'Unknown'];
    const event = a.cause === 305 ? 'linkDown' : a.cause === 311 ? 'powerFail' : a.cause === 340 ? 'highTemp' : `cause${a.cause}`;
    return {
      id: a.id,
      element: a.element,
      severity: a.severity,
      eventType,
      probableCause: a.cause,
      specificProblem,
      managedObjectInstance: `SubNetwork=${el.province},ManagedElement=${el.id},Port=${a.port}`,
      raisedAt: a.raisedAt,
      lastEventAt: a.lastEventAt,
      clearsAt: a.clearsAt,
      serviceAffecting: a.serviceAffecting,
      counter: a.counter,
      reductionKey: `uei.nms/${event}::${el.id}:${a.port}`,
      ackUser: a.ackUser,
      ackAt: a.ackAt,
      outageId: a.outageId,
    };
  }

  private outageJitter(p: number, n: number): number {
    return (hash(this.seed, S.OutageJitter, p, n) % 20) * MINUTE;
  }

  /** The outage of province `p` (index) that starts in slot `n`. Every slot has one. */
  private outageInSlot(p: number, n: number): Outage {
    const prov = PROVINCES[p]!;
    const aggs = this.provinceAggregations[p]!;
    const agg = aggs[hash(this.seed, S.Outage, p, n) % aggs.length]!;
    const el = this.elements[agg]!;
    const slotStart = ALARM_EPOCH + n * ALARM_SLOT_MS;
    return {
      id: `OUT-${prov.code}-${el.localNetwork}-${pad(((n % 10_000) + 10_000) % 10_000, 4)}`,
      province: prov.code,
      localNetwork: el.localNetwork!,
      slot: n,
      aggregation: agg,
      startedAt: slotStart + this.outageJitter(p, n),
      // It clears half an hour after the next one starts, so every province always has one open.
      clearsAt: slotStart + ALARM_SLOT_MS + this.outageJitter(p, n + 1) + OUTAGE_OVERLAP_MS,
      rootCauseAlarmId: ALARM_ID_BASE + n * this.alarmIdStride + this.elements.length + p,
    };
  }

  private rootCauseAlarm(o: Outage): Alarm {
    const rng = new Rng(hash(this.seed, S.Outage, o.slot, 2));
    const port = `${rng.int(1, 2)}/${rng.int(1, 4)}/${rng.int(1, 8)}`;
    return this.alarmRecord({
      id: o.rootCauseAlarmId,
      element: o.aggregation,
      severity: 'CRITICAL',
      cause: 305,
      raisedAt: o.startedAt,
      lastEventAt: o.startedAt + 2 * MINUTE,
      clearsAt: o.clearsAt,
      serviceAffecting: true,
      counter: rng.int(1, 5),
      ackUser: rng.pick(NOC_USERS),
      ackAt: o.startedAt + rng.int(3, 15) * MINUTE,
      port,
      outageId: o.id,
    });
  }

  /**
   * The alarms an NMS lists for an element at `now`: active ones, and cleared ones for
   * {@link CLEARED_ALARM_RETENTION_MS} after they clear. Raised in the future = not yet there.
   */
  alarmsOnElement(e: number, now: number): Alarm[] {
    const out: Alarm[] = [];
    const last = World.slotOf(now);
    const first = World.slotOf(now - MAX_ALARM_DURATION_MS - CLEARED_ALARM_RETENTION_MS);
    for (let n = last; n >= first; n--) {
      const a = this.backgroundAlarm(e, n);
      if (a && a.raisedAt <= now && a.clearsAt > now - CLEARED_ALARM_RETENTION_MS) out.push(a);
    }
    const el = this.elements[e]!;
    if (el.type === 'AGG') {
      const p = findProvince(el.province)!.index;
      for (let n = last; n >= World.slotOf(now - CLEARED_ALARM_RETENTION_MS) - 2; n--) {
        const o = this.outageInSlot(p, n);
        if (o.aggregation === e && o.startedAt <= now && o.clearsAt > now - CLEARED_ALARM_RETENTION_MS) out.push(this.rootCauseAlarm(o));
      }
    }
    return out;
  }

  /** An alarm by id, as of `now`: known when raised before `now` and within the history kept. */
  alarm(id: number, now: number): Alarm | undefined {
    if (!Number.isSafeInteger(id) || id < ALARM_ID_BASE) return undefined;
    const n = Math.floor((id - ALARM_ID_BASE) / this.alarmIdStride);
    const o = (id - ALARM_ID_BASE) % this.alarmIdStride;
    let a: Alarm | undefined;
    if (o < this.elements.length) a = this.backgroundAlarm(o, n);
    else a = this.rootCauseAlarm(this.outageInSlot(o - this.elements.length, n));
    if (!a || a.raisedAt > now || a.raisedAt < now - ALARM_HISTORY_MS) return undefined;
    return a;
  }

  /** Whether an alarm is active at `now`. */
  static isActive(a: Alarm, now: number): boolean {
    return a.raisedAt <= now && a.clearsAt > now;
  }

  /**
   * A province's outages at `now`, newest first: the open ones and those cleared in the last
   * {@link CLEARED_ALARM_RETENTION_MS}.
   */
  outages(provinceCode: string, now: number): Outage[] {
    const p = findProvince(provinceCode);
    if (!p) return [];
    const out: Outage[] = [];
    const last = World.slotOf(now);
    const first = World.slotOf(now - CLEARED_ALARM_RETENTION_MS) - 2;
    for (let n = last; n >= first; n--) {
      const o = this.outageInSlot(p.index, n);
      if (o.startedAt <= now && o.clearsAt > now - CLEARED_ALARM_RETENTION_MS) out.push(o);
    }
    return out;
  }

  /** An outage by id as of `now` (started, and within the alarm history), or undefined. */
  outage(id: string, now: number): Outage | undefined {
    const m = /^OUT-([A-Z]{2})-([A-Z]{2})-(\d{4})$/.exec(id);
    if (!m) return undefined;
    const p = findProvince(m[1]!);
    if (!p) return undefined;
    const last = World.slotOf(now);
    let n = last - ((((last - Number(m[3])) % 10_000) + 10_000) % 10_000);
    for (; n >= World.slotOf(now - ALARM_HISTORY_MS); n -= 10_000) {
      const o = this.outageInSlot(p.index, n);
      if (o.id === id && o.startedAt <= now) return o;
    }
    return undefined;
  }

  static isOpen(o: Outage, now: number): boolean {
    return o.startedAt <= now && o.clearsAt > now;
  }

  /** The open outages whose aggregation a line rides on. */
  outagesOfLine(line: Line, now: number): Outage[] {
    const el = this.elements[line.supporting[1]]!;
    return this.outages(el.province, now).filter((o) => o.aggregation === line.supporting[1] && World.isOpen(o, now));
  }

  /**
   * A line's network state at `now`. It is affected while an active service-affecting alarm sits
   * on any element it rides on; it is operationally disabled while locked or while a critical
   * service-affecting alarm is active — `operStateLagMs` after the alarm is raised (the NMS's
   * polling lag; 0 unless the emulator's dynamics are on).
   */
  lineNetworkState(line: Line, now: number, operStateLagMs = 0): LineNetworkState {
    const adminState =
      line.status === 'suspended' || line.status === 'terminated' ? 'LOCKED' : line.status === 'pendingTerminate' ? 'SHUTTING_DOWN' : 'UNLOCKED';
    let affected = false;
    let down = false;
    for (const e of line.supporting) {
      for (const a of this.alarmsOnElement(e, now)) {
        if (!a.serviceAffecting || !World.isActive(a, now)) continue;
        affected = true;
        if (a.severity === 'CRITICAL' && now - a.raisedAt >= operStateLagMs) down = true;
      }
    }
    return {
      operState: adminState === 'LOCKED' || line.status === 'created' || down ? 'DISABLED' : 'ENABLED',
      adminState,
      affected,
      outageIds: this.outagesOfLine(line, now).map((o) => o.id),
    };
  }
}

function mobileNumber(v: number): string {
  return `1${3 + Math.floor(v / 1_000_000_000)}${pad(v % 1_000_000_000, 9)}`;
}

/** ISO 7064 MOD 11-2, the check character of a mainland resident id number. */
function residentCheckDigit(body17: string): string {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let k = 0; k < 17; k++) sum += Number(body17[k]) * weights[k]!;
  return '10X98765432'[sum % 11]!;
}

function digitSum(s: string): number {
  let sum = 0;
  for (const ch of s) sum += Number(ch);
  return sum;
}

export { LOCAL_NETWORKS, PROVINCES };
