/**
 * Seeded standard-normal noise that gives the same numbers on every platform (browser engines,
 * Node, any CPU), so a seed reproduces an image anywhere the models do.
 *
 * The algorithm, fully specified so it can be re-implemented elsewhere:
 * 1. Seeding: the seed (an integer, taken modulo 2^32) feeds SplitMix32 — z += 0x9e3779b9;
 *    z = (z ^ z>>>16)·0x21f0aaad; z = (z ^ z>>>15)·0x735a2d97; z ^= z>>>15 (32-bit wrapping
 *    multiplications) — whose first four outputs are the state of xoshiro128** (an all-zero state
 *    is impossible: SplitMix32 is a bijection of distinct counters).
 * 2. Uniforms: xoshiro128** (Blackman & Vigna 2018) gives 32-bit words; a double in [0, 1) is
 *    ((a >>> 5)·2^26 + (b >>> 6)) / 2^53 from two consecutive words a, b.
 * 3. Normals: Marsaglia's polar method. u = 2·U1 − 1, v = 2·U2 − 1, s = u² + v²; pairs with
 *    s ≥ 1 or s = 0 are rejected; otherwise f = √(−2·ln(s)/s) and the normals are u·f then v·f.
 * 4. ln is computed here from +, −, ×, ÷ only (JavaScript's Math.log may differ in the last bit
 *    between engines; IEEE basic operations and √ may not): s = m·2^k with m in [√½, √2) by exact
 *    halving/doubling, then ln s = k·ln2 + 2·atanh((m − 1)/(m + 1)) with the atanh series summed
 *    until a term no longer changes the sum, at most to z^41 (|z| ≤ 0.172, so the remainder is
 *    below 1e-32).
 * Everything is double precision; values are stored as float32 at the end.
 */

const LN2 = 0.6931471805599453;
const SQRT2 = Math.SQRT2;
const SQRT_HALF = Math.SQRT1_2;

/** The natural logarithm of a positive finite number using only IEEE basic arithmetic. */
export function portableLn(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) throw new Error(`ln needs a positive number, got ${x}`);
  let m = x;
  let k = 0;
  // Scaling by 2 is exact in binary floating point; a double's exponent bounds both loops.
  while (m >= SQRT2) {
    m /= 2;
    k++;
  }
  while (m < SQRT_HALF) {
    m *= 2;
    k--;
  }
  const z = (m - 1) / (m + 1);
  const z2 = z * z;
  let term = z;
  let sum = 0;
  for (let n = 1; n <= 41; n += 2) {
    const next = sum + term / n;
    // The terms only shrink (and share the sum's sign): once one leaves the sum unchanged, so
    // would every later one. Stopping here gives the bit-identical result of all 21 terms, in
    // about 8 on average (this is most of the per-step noise cost).
    if (next === sum) break;
    sum = next;
    term *= z2;
  }
  return k * LN2 + 2 * sum;
}

function splitMix32(seed: number): () => number {
  let z = seed >>> 0;
  return () => {
    z = (z + 0x9e3779b9) >>> 0;
    let r = z;
    r = Math.imul(r ^ (r >>> 16), 0x21f0aaad);
    r = Math.imul(r ^ (r >>> 15), 0x735a2d97);
    return (r ^ (r >>> 15)) >>> 0;
  };
}

/** A reproducible source of standard normal numbers. */
export class NormalNoise {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  /**
   * The second normal of the last pair, valid while `hasSpare`. Kept a plain number (never
   * undefined): V8 then stores it in place, where a field that also holds undefined boxes every
   * double it is given — a heap allocation per normal, 12,288 a step at 512×384.
   */
  private spare = 0;
  private hasSpare = false;

  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new Error(`the seed must be an integer, got ${seed}`);
    // Two's-complement wrap, so −1 and 2^32 − 1 are the same seed, as in a uint32 seed field.
    const next = splitMix32(Number(BigInt.asUintN(32, BigInt(seed))));
    // The state as int32 (the same 32 bits; every operation on it is bitwise): a field that only
    // ever holds small integers stays unboxed, where mixing in uint32 values above 2^31 made V8
    // box each store and drop the optimised code of the hot loop.
    this.s0 = next() | 0;
    this.s1 = next() | 0;
    this.s2 = next() | 0;
    this.s3 = next() | 0;
  }

  /** xoshiro128**: the next 32-bit word. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  nextUniform(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** The next standard normal number. */
  nextNormal(): number {
    if (this.hasSpare) {
      const value = this.spare;
      this.hasSpare = false;
      return value;
    }
    for (;;) {
      const u = 2 * this.nextUniform() - 1;
      const v = 2 * this.nextUniform() - 1;
      const s = u * u + v * v;
      if (s >= 1 || s === 0) continue;
      const factor = Math.sqrt((-2 * portableLn(s)) / s);
      this.spare = v * factor;
      this.hasSpare = true;
      return u * factor;
    }
  }

  /** `count` standard normals as float32. */
  normals(count: number): Float32Array {
    return this.fill(new Float32Array(count));
  }

  /** Fills `out` with the next standard normals (no allocation: the sampler reuses one buffer). */
  fill(out: Float32Array): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = this.nextNormal();
    return out;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
