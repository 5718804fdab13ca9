/**
 * The operator's regional hierarchy in the emulated world: provinces and their local networks.
 *
 * Customer *i* sits in the region slot `i mod REGION_SLOTS`; a local network owns `weight`
 * consecutive slots and a province owns the slots of its local networks, which are consecutive
 * too. So the k-th customer of a province or local network is a closed-form function of k: the
 * customers of a region are listed page by page with no scan and no index.
 */

export interface LocalNetwork {
  /** Two-letter code, unique across the country (e.g. `SZ`). */
  readonly code: string;
  readonly name: string;
  /** Long-distance area code without the trunk prefix 0 (e.g. `755`). */
  readonly areaCode: string;
  /** Resident-ID area prefix (GB/T 2260, six digits) used for people registered here. */
  readonly idArea: string;
  /** Relative size: how many region slots it owns. */
  readonly weight: number;
  readonly province: string;
  /** Index of its first region slot. */
  readonly firstSlot: number;
  /** Index in {@link LOCAL_NETWORKS}. */
  readonly index: number;
}

export interface Province {
  readonly code: string;
  readonly name: string;
  readonly networks: readonly LocalNetwork[];
  readonly firstSlot: number;
  readonly slotCount: number;
  readonly index: number;
}

const table: { code: string; name: string; networks: [string, string, string, string, number][] }[] = [
  {
    code: 'GD',
    name: '广东',
    networks: [
      ['GZ', '广州', '20', '440106', 3],
      ['SZ', '深圳', '755', '440305', 3],
      ['FS', '佛山', '757', '440604', 2],
      ['DG', '东莞', '769', '441900', 2],
    ],
  },
  { code: 'BJ', name: '北京', networks: [['BJ', '北京', '10', '110108', 3]] },
  { code: 'SH', name: '上海', networks: [['SH', '上海', '21', '310115', 3]] },
  {
    code: 'ZJ',
    name: '浙江',
    networks: [
      ['HZ', '杭州', '571', '330106', 2],
      ['NB', '宁波', '574', '330203', 1],
      ['WZ', '温州', '577', '330302', 1],
    ],
  },
  {
    code: 'JS',
    name: '江苏',
    networks: [
      ['NJ', '南京', '25', '320106', 2],
      ['SU', '苏州', '512', '320505', 2],
      ['WX', '无锡', '510', '320214', 1],
    ],
  },
  {
    code: 'SC',
    name: '四川',
    networks: [
      ['CD', '成都', '28', '510107', 2],
      ['MY', '绵阳', '816', '510703', 1],
    ],
  },
];

const provinces: Province[] = [];
const localNetworks: LocalNetwork[] = [];
let slot = 0;
for (const [pi, p] of table.entries()) {
  const first = slot;
  const networks: LocalNetwork[] = [];
  for (const [code, name, areaCode, idArea, weight] of p.networks) {
    const ln: LocalNetwork = { code, name, areaCode, idArea, weight, province: p.code, firstSlot: slot, index: localNetworks.length };
    slot += weight;
    networks.push(ln);
    localNetworks.push(ln);
  }
  provinces.push({ code: p.code, name: p.name, networks, firstSlot: first, slotCount: slot - first, index: pi });
}

export const PROVINCES: readonly Province[] = provinces;
export const LOCAL_NETWORKS: readonly LocalNetwork[] = localNetworks;
/** Number of region slots; customer *i* sits in slot `i mod REGION_SLOTS`. */
export const REGION_SLOTS = slot;

const slotOwner: LocalNetwork[] = [];
for (const ln of localNetworks) for (let s = 0; s < ln.weight; s++) slotOwner.push(ln);

export function localNetworkOfSlot(regionSlot: number): LocalNetwork {
  return slotOwner[regionSlot]!;
}

export function province(code: string): Province | undefined {
  return provinces.find((p) => p.code === code);
}

/** A local network by its code; with a province, only if it belongs to that province. */
export function localNetwork(code: string, provinceCode?: string): LocalNetwork | undefined {
  const ln = localNetworks.find((l) => l.code === code);
  if (!ln || (provinceCode !== undefined && ln.province !== provinceCode)) return undefined;
  return ln;
}

export function localNetworkByAreaCode(areaCode: string): LocalNetwork | undefined {
  return localNetworks.find((l) => l.areaCode === areaCode);
}

/**
 * The customers of a block of consecutive region slots `[firstSlot, firstSlot + width)` among
 * `total` customers, in ascending index order, as a random-access sequence.
 */
export class RegionRange {
  readonly count: number;

  constructor(
    readonly firstSlot: number,
    readonly width: number,
    readonly total: number,
  ) {
    const fullRows = Math.floor(total / REGION_SLOTS);
    const tail = total % REGION_SLOTS; // customers in the last, partial row: slots [0, tail)
    const inTail = Math.max(0, Math.min(firstSlot + width, tail) - firstSlot);
    this.count = fullRows * width + inTail;
  }

  /** The customer index of the k-th customer of the range (0-based), or -1 past the end. */
  at(k: number): number {
    if (k < 0 || k >= this.count) return -1;
    const row = Math.floor(k / this.width);
    return row * REGION_SLOTS + this.firstSlot + (k % this.width);
  }

  /** The position of customer `i` in the range, or -1 when it is not in it. */
  positionOf(i: number): number {
    const s = i % REGION_SLOTS;
    if (s < this.firstSlot || s >= this.firstSlot + this.width || i >= this.total) return -1;
    return Math.floor(i / REGION_SLOTS) * this.width + (s - this.firstSlot);
  }
}
