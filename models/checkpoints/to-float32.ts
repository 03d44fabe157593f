import { Float16Array } from "@petamoriken/float16";
import type { DType } from "./types";

/**
 * Little-endian raw tensor bytes → float32. A float32 tensor whose bytes are aligned (the readers
 * read each tensor into a fresh buffer) is returned as a view of them, without a copy.
 */
export function toFloat32(raw: Uint8Array, dtype: DType): Float32Array {
  switch (dtype) {
    case "float32":
      return view(raw, Float32Array, 4);
    case "float16":
      return float16ToFloat32(view(raw, Uint16Array, 2));
    case "bfloat16":
      return bfloat16ToFloat32(view(raw, Uint16Array, 2));
    case "float64":
      return new Float32Array(view(raw, Float64Array, 8));
    case "int64":
      return int64ToFloat32(view(raw, Int32Array, 4));
    case "int32":
      return new Float32Array(view(raw, Int32Array, 4));
    case "uint8":
    case "bool":
      return new Float32Array(raw);
  }
}

type View<T> = new (buffer: ArrayBufferLike, byteOffset: number, length: number) => T;

function view<T>(raw: Uint8Array, ctor: View<T>, bytes: number): T {
  if (raw.byteOffset % bytes === 0)
    return new ctor(raw.buffer, raw.byteOffset, raw.byteLength / bytes);
  // A misaligned slice (e.g. inside a whole-file pickle buffer): copy once to align.
  const copy = new Uint8Array(raw);
  return new ctor(copy.buffer, 0, copy.byteLength / bytes);
}

let halfTable: Float32Array | undefined;

/** Every one of the 65536 half-precision values, decoded once by the float16 library. */
function float16Table(): Float32Array {
  if (!halfTable) {
    const bits = new Uint16Array(65536);
    for (let i = 0; i < bits.length; i++) bits[i] = i;
    halfTable = Float32Array.from(new Float16Array(bits.buffer));
  }
  return halfTable;
}

export function float16ToFloat32(bits: Uint16Array): Float32Array {
  const table = float16Table();
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = table[bits[i]];
  return out;
}

/** bfloat16 is the top half of a float32, so widening is a shift. */
export function bfloat16ToFloat32(bits: Uint16Array): Float32Array {
  const out = new Uint32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = bits[i] << 16;
  return new Float32Array(out.buffer);
}

/** Pairs of (low unsigned, high signed) 32-bit words; exact up to 2^53 and rounded beyond. */
export function int64ToFloat32(words: Int32Array): Float32Array {
  const out = new Float32Array(words.length / 2);
  for (let i = 0; i < out.length; i++)
    out[i] = words[2 * i + 1] * 4294967296 + (words[2 * i] >>> 0);
  return out;
}
