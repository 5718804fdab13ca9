import { hash } from './hash.js';

/**
 * A keyed permutation of the integers `[0, size)`: a four-round balanced Feistel network on the
 * smallest even number of bits that covers `size`, with cycle-walking to stay inside the domain.
 *
 * It is how every key of the world (CRM id, CustKey, AcctKey, service number, circuit id…) is an
 * invertible function of a record index: a key is `format(forward(index))`, and a look-up by key
 * is `inverse(parse(key))` — no index, no memory that grows with the world.
 */
export class Permutation {
  private readonly half: number;
  private readonly halfSize: number;
  private readonly mask: number;

  constructor(
    readonly size: number,
    private readonly key: number,
  ) {
    if (!Number.isSafeInteger(size) || size < 2) throw new Error(`Permutation size must be an integer ≥ 2, got ${size}`);
    let bits = Math.max(2, Math.ceil(Math.log2(size)));
    if (bits % 2 === 1) bits += 1;
    if (bits > 52) throw new Error(`Permutation size ${size} is too large`);
    this.half = bits / 2;
    this.halfSize = 2 ** this.half;
    this.mask = this.halfSize - 1;
  }

  /** Maps `x` in `[0, size)` to its image in `[0, size)`. */
  forward(x: number): number {
    this.check(x);
    let y = x;
    do y = this.encrypt(y);
    while (y >= this.size);
    return y;
  }

  /** The inverse of {@link forward}. */
  inverse(y: number): number {
    this.check(y);
    let x = y;
    do x = this.decrypt(x);
    while (x >= this.size);
    return x;
  }

  private check(x: number): void {
    if (!Number.isInteger(x) || x < 0 || x >= this.size) throw new RangeError(`${x} is outside [0, ${this.size})`);
  }

  private round(r: number, i: number): number {
    // The mask keeps the round output within the half width; halves are at most 26 bits.
    return hash(this.key, i, r) & this.mask;
  }

  private encrypt(x: number): number {
    let l = Math.floor(x / this.halfSize);
    let r = x % this.halfSize;
    for (let i = 0; i < 4; i++) {
      const next = (l ^ this.round(r, i)) & this.mask;
      l = r;
      r = next;
    }
    return l * this.halfSize + r;
  }

  private decrypt(y: number): number {
    let l = Math.floor(y / this.halfSize);
    let r = y % this.halfSize;
    for (let i = 3; i >= 0; i--) {
      const prev = (r ^ this.round(l, i)) & this.mask;
      r = l;
      l = prev;
    }
    return l * this.halfSize + r;
  }
}
