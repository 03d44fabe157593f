import { getFloat16, setFloat16 } from "@petamoriken/float16";
import { describe, expect, it } from "vitest";
import {
  float16BitsToFloat32,
  float32ToFloat16Bits,
  fromFloat16Bits,
  toFloat16Bits,
} from "./float16";

describe("float32ToFloat16Bits", () => {
  it.each([
    [1, 0x3c00],
    [-2, 0xc000],
    [0.5, 0x3800],
    [65504, 0x7bff], // largest finite half
    [65519, 0x7bff], // just under the rounding boundary
    [65520, 0x7c00], // halfway to 65536: ties to even rounds up to infinity
    [1e6, 0x7c00],
    [-1e6, 0xfc00],
    [Infinity, 0x7c00],
    [-Infinity, 0xfc00],
    [0, 0x0000],
    [-0, 0x8000],
    [2 ** -14, 0x0400], // smallest normal
    [2 ** -24, 0x0001], // smallest subnormal
    [6e-8, 0x0001], // 1.0066 · 2^-24
    [2 ** -25, 0x0000], // exactly half the smallest subnormal: tie to even (0)
    [2 ** -25 * 1.0001, 0x0001], // just above the tie
    [3 * 2 ** -25, 0x0002], // 1.5 subnormal steps: tie to even (2)
    [2 ** -26, 0x0000],
    [1 + 2 ** -11, 0x3c00], // tie between 0x3c00 and 0x3c01: even is 0x3c00
    [1 + 3 * 2 ** -11, 0x3c02], // tie between 0x3c01 and 0x3c02: even is 0x3c02
    [1 + 2 ** -11 + 2 ** -20, 0x3c01], // above the tie
    [2 ** -14 - 2 ** -25, 0x0400], // largest subnormal + half a step rounds up into the normals
    [0.1, 0x2e66],
  ])("%d → %s", (value, bits) => {
    expect(float32ToFloat16Bits(value)).toBe(bits);
  });

  it("keeps NaN a NaN (quiet), for any payload", () => {
    expect(float32ToFloat16Bits(NaN)).toBe(0x7e00);
    const view = new DataView(new ArrayBuffer(4));
    view.setUint32(0, 0x7f800001); // signalling NaN whose payload lives only in the low bits
    const bits = float32ToFloat16Bits(view.getFloat32(0));
    expect(bits & 0x7c00).toBe(0x7c00);
    expect(bits & 0x3ff).not.toBe(0);
  });

  it("agrees with @petamoriken/float16 on many random and edge-case values", () => {
    const view = new DataView(new ArrayBuffer(2));
    const u = new Uint32Array(1);
    const f = new Float32Array(u.buffer);
    let state = 12345;
    const wrong: number[] = [];
    for (let i = 0; i < 50000; i++) {
      // Random fp32 bit patterns around the half range (exponents 90..160), all mantissas.
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      const exponent = 90 + (state % 70);
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      u[0] = ((i & 1) << 31) | (exponent << 23) | (state & 0x7fffff);
      setFloat16(view, 0, f[0], true);
      if (float32ToFloat16Bits(f[0]) !== view.getUint16(0, true)) wrong.push(f[0]);
    }
    expect(wrong).toEqual([]);
  });
});

describe("float16BitsToFloat32", () => {
  it("decodes every finite pattern back to a value that re-encodes to the same bits", () => {
    const view = new DataView(new ArrayBuffer(2));
    const wrong: number[] = [];
    for (let bits = 0; bits < 0x10000; bits++) {
      const value = float16BitsToFloat32(bits);
      view.setUint16(0, bits, true);
      const oracle = getFloat16(view, 0, true);
      const same = Number.isNaN(value) ? Number.isNaN(oracle) : value === oracle;
      if (!same || (!Number.isNaN(value) && float32ToFloat16Bits(value) !== bits)) wrong.push(bits);
    }
    expect(wrong).toEqual([]);
  });

  it("converts arrays both ways", () => {
    const bits = toFloat16Bits([1, -0.25, 65504]);
    expect(Array.from(bits)).toEqual([0x3c00, 0xb400, 0x7bff]);
    expect(Array.from(fromFloat16Bits(bits))).toEqual([1, -0.25, 65504]);
  });
});
