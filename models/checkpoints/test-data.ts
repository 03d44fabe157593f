/**
 * Deterministic tensor values for the reader tests: float32 from a seeded generator, and float16
 * / bfloat16 bit patterns of values those formats hold exactly, so round trips compare exactly.
 */
import { Float16Array } from "@petamoriken/float16";

export function seededFloats(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    // xorshift32: cheap, reproducible, spread over [-1, 1).
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = (state >>> 0) / 2 ** 31 - 1;
  }
  return out;
}

/** Values with few significant bits, exact in float16 and bfloat16 alike. */
export function exactSmallFloats(count: number): Float32Array {
  return Float32Array.from({ length: count }, (_, i) => ((i % 17) - 8) * 0.25 + (i % 3) * 4);
}

export function float16Bits(values: Float32Array): Uint16Array {
  return new Uint16Array(Float16Array.from(values).buffer);
}

export function bfloat16Bits(values: Float32Array): Uint16Array {
  const words = new Uint32Array(values.buffer, values.byteOffset, values.length);
  return Uint16Array.from(words, (w) => w >>> 16);
}
