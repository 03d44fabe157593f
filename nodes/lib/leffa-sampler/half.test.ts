import { describe, expect, it } from "vitest";
import { float16BitsToFloat32, float32ToFloat16Bits } from "../../../models/onnx/float16";
import { floatsToHalfBits, halfBitsToFloats } from "./half";

describe("halfBitsToFloats", () => {
  it("decodes every bit pattern exactly like the bit-level conversion", () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const out = halfBitsToFloats(all);
    const wrong: number[] = [];
    for (let b = 0; b < 65536; b++) {
      const expected = float16BitsToFloat32(b);
      if (!Object.is(out[b], expected) && !(Number.isNaN(expected) && Number.isNaN(out[b]))) {
        wrong.push(b);
      }
    }
    expect(wrong).toEqual([]);
    expect(out[0x3c00]).toBe(1);
    expect(out[0xc000]).toBe(-2);
  });
});

describe("floatsToHalfBits", () => {
  it("rounds exactly like the bit-level converter, edge cases and a sweep of bit patterns", () => {
    const edges = [
      0,
      -0,
      1,
      -2,
      65504,
      65519.99,
      65520,
      1e6,
      -1e6,
      Infinity,
      -Infinity,
      NaN,
      2 ** -14,
      2 ** -24,
      2 ** -25,
      2 ** -25 * 1.0001,
      2 ** -26,
      3 * 2 ** -25,
      1 + 2 ** -11,
      1 + 3 * 2 ** -11,
      0.1,
      -0.3333,
      1e-8,
      6.1e-5,
    ];
    const patterns = new Uint32Array(200_000);
    // A stride coprime with 2^32 walks every exponent and mantissa region.
    for (let i = 0; i < patterns.length; i++) patterns[i] = Math.imul(i, 0x9e3779b1) >>> 0;
    const values = Float32Array.from([...edges, ...new Float32Array(patterns.buffer)]);
    const fast = floatsToHalfBits(values);
    const wrong: number[] = [];
    values.forEach((v, i) => {
      if (fast[i] !== float32ToFloat16Bits(v)) wrong.push(v);
    });
    expect(wrong).toEqual([]);
  });
});

describe("buffer reuse", () => {
  it("writes into the caller's buffers", () => {
    const bits = new Uint16Array(3);
    expect(floatsToHalfBits(Float32Array.from([1, -2, 0.5]), bits)).toBe(bits);
    expect(Array.from(bits)).toEqual([0x3c00, 0xc000, 0x3800]);
    const floats = new Float32Array(3);
    expect(halfBitsToFloats(bits, floats)).toBe(floats);
    expect(Array.from(floats)).toEqual([1, -2, 0.5]);
  });
});
