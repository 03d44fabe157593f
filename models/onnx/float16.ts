/**
 * IEEE 754 binary16 ("half") conversion for fp16 weights. Node 20 has no Float16Array, and ONNX
 * stores fp16 tensors as raw little-endian 16-bit patterns, so we convert bit by bit. Input values
 * are first rounded to fp32 (the weights arrive as Float32Array), then to half with
 * round-to-nearest-even, overflow to ±infinity, gradual underflow to subnormals, and NaN kept NaN.
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The binary16 bit pattern nearest to `value` (after rounding `value` to fp32). */
export function float32ToFloat16Bits(value: number): number {
  f32[0] = value;
  const bits = u32[0];
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;

  if (exponent === 0xff) {
    // Infinity stays infinity; NaN keeps its top payload bits and is forced quiet so it never
    // turns into infinity when the low payload bits are dropped.
    return mantissa === 0 ? sign | 0x7c00 : sign | 0x7e00 | (mantissa >>> 13);
  }
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;

  if (halfExponent <= 0) {
    // Subnormal half: value = m · 2^-24 with m = significand · 2^(halfExponent - 14).
    const shift = 14 - halfExponent;
    if (shift > 24) return sign; // below half the smallest subnormal: rounds to ±0
    const significand = mantissa | 0x800000;
    return sign | roundShift(significand, shift);
  }
  // Normal: drop 13 mantissa bits. A carry out of the mantissa correctly bumps the exponent, and
  // a carry out of the largest finite value (65504) correctly yields infinity (0x7c00).
  return sign | roundShift((halfExponent << 23) | mantissa, 13);
}

/** `value >>> shift`, rounded to nearest with ties to even. */
function roundShift(value: number, shift: number): number {
  const kept = value >>> shift;
  const rest = value & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  return rest > half || (rest === half && (kept & 1) === 1) ? kept + 1 : kept;
}

/** The number a binary16 bit pattern stands for (exact). */
export function float16BitsToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

export function toFloat16Bits(values: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = float32ToFloat16Bits(values[i]);
  return out;
}

export function fromFloat16Bits(bits: ArrayLike<number>): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = float16BitsToFloat32(bits[i]);
  return out;
}
