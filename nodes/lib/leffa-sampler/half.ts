import { float16BitsToFloat32 } from "../../../models/onnx/float16";

/**
 * Fast fp16 ⇄ fp32 for the sampler's tensors (the contract's graphs take and give fp16). The
 * studio's bit-exact converters in models/onnx/float16.ts decode bit fields one call per value;
 * at 2 × 3 × 1024 × 768 values per encode and 25 k per step that costs half a second a run. Here:
 * - decoding is one lookup in a 65,536-entry table (256 KB, built on first use from the exact
 *   converter);
 * Both can write into a caller's buffer, so the sampling loop allocates nothing per step: a
 * garbage collection (onnxruntime copies 35 MB of features out of WASM per step) then runs at
 * onnxruntime's allocations, not at the loop's.
 * - encoding works on the float32 bit pattern in one loop, rounding to nearest with ties to even,
 *   with the same results as the exact converter (overflow → ±∞, gradual underflow to
 *   subnormals, NaN stays NaN).
 */
let table: Float32Array | undefined;

/** Decodes half bits into `out` (allocated when absent). */
export function halfBitsToFloats(
  bits: Uint16Array,
  out: Float32Array = new Float32Array(bits.length),
): Float32Array {
  if (!table) {
    table = new Float32Array(65536);
    for (let b = 0; b < 65536; b++) table[b] = float16BitsToFloat32(b);
  }
  const lookup = table;
  if (out.length !== bits.length) throw new Error("halfBitsToFloats: output length differs");
  for (let i = 0; i < bits.length; i++) out[i] = lookup[bits[i]];
  return out;
}

/** Encodes `values` as half bits into `out` (allocated when absent). */
export function floatsToHalfBits(
  values: Float32Array,
  out: Uint16Array = new Uint16Array(values.length),
): Uint16Array {
  if (out.length < values.length) throw new Error("floatsToHalfBits: output too short");
  const words = new Uint32Array(values.buffer, values.byteOffset, values.length);
  for (let i = 0; i < words.length; i++) {
    const x = words[i];
    const sign = (x >>> 16) & 0x8000;
    const exponent = (x >>> 23) & 0xff;
    const mantissa = x & 0x7fffff;
    let h: number;
    if (exponent === 0xff) {
      // ∞ stays ∞; NaN is kept quiet with its top payload bits.
      h = mantissa === 0 ? 0x7c00 : 0x7e00 | (mantissa >>> 13);
    } else if (exponent > 142) {
      h = 0x7c00; // beyond the half range (|x| ≥ 2^16): ∞
    } else if (exponent >= 113) {
      // Normal half: rebias the exponent, keep 10 mantissa bits, round the 13 dropped ones. A
      // carry may bump the exponent, up to ∞ from 65520 on, exactly as it should.
      const kept = ((exponent - 112) << 10) | (mantissa >>> 13);
      const rest = mantissa & 0x1fff;
      h = rest > 0x1000 || (rest === 0x1000 && (kept & 1) === 1) ? kept + 1 : kept;
    } else if (exponent >= 102) {
      // Subnormal half: value = significand · 2^(exponent − 150) = m · 2^-24.
      const significand = mantissa | 0x800000;
      const shift = 126 - exponent;
      const kept = significand >>> shift;
      const rest = significand & ((1 << shift) - 1);
      const halfway = 1 << (shift - 1);
      h = rest > halfway || (rest === halfway && (kept & 1) === 1) ? kept + 1 : kept;
    } else {
      h = 0; // below half the smallest subnormal: ±0
    }
    out[i] = sign | h;
  }
  return out;
}
