import { describe, expect, it } from "vitest";
import { toFloat32 } from "./to-float32";

const bytes = (view: ArrayBufferView) =>
  new Uint8Array(view.buffer, view.byteOffset, view.byteLength);

describe("toFloat32", () => {
  it("decodes float16 bit patterns, including subnormals, infinities and NaN", () => {
    const half = new Uint16Array([
      0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00, 0xfc00, 0x8000, 0x3555, 0x7e00,
    ]);
    const out = toFloat32(bytes(half), "float16");
    expect(Array.from(out.subarray(0, 8))).toEqual([
      1,
      -2,
      65504,
      2 ** -24,
      Infinity,
      -Infinity,
      -0,
      0.333251953125,
    ]);
    expect(out[8]).toBeNaN();
  });

  it("widens bfloat16 by placing it in the top half of a float32", () => {
    const brain = new Uint16Array([0x3f80, 0xc040, 0x4049, 0x7f80, 0x0000]);
    expect(Array.from(toFloat32(bytes(brain), "bfloat16"))).toEqual([1, -3, 3.140625, Infinity, 0]);
  });

  it("rounds float64 to the nearest float32", () => {
    const out = toFloat32(bytes(new Float64Array([0.1, -1e300, 3])), "float64");
    expect(Array.from(out)).toEqual([Math.fround(0.1), -Infinity, 3]);
  });

  it("converts int64, int32, uint8 and bool", () => {
    const big = new BigInt64Array([-1n, 2n ** 40n + 5n, -(2n ** 33n)]);
    expect(Array.from(toFloat32(bytes(big), "int64"))).toEqual(
      [-1, 2 ** 40 + 8, -(2 ** 33)].map(Math.fround),
    );
    expect(Array.from(toFloat32(bytes(new Int32Array([-7, 9])), "int32"))).toEqual([-7, 9]);
    expect(Array.from(toFloat32(new Uint8Array([0, 255]), "uint8"))).toEqual([0, 255]);
    expect(Array.from(toFloat32(new Uint8Array([1, 0]), "bool"))).toEqual([1, 0]);
  });

  it("copies a misaligned slice instead of failing to view it", () => {
    const buffer = new Uint8Array(9);
    buffer.set(bytes(new Float32Array([1.5, -2])), 1);
    expect(Array.from(toFloat32(buffer.subarray(1), "float32"))).toEqual([1.5, -2]);
    const half = new Uint8Array(5);
    half.set(bytes(new Uint16Array([0x3c00, 0x4000])), 1);
    expect(Array.from(toFloat32(half.subarray(1), "float16"))).toEqual([1, 2]);
  });
});
