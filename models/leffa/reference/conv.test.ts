import { describe, expect, it } from "vitest";
import { conv2d } from "./conv";
import { fromArray } from "./tensor";

const p = (shape: number[], values: number[]) => fromArray(shape, values);

describe("conv2d", () => {
  // Input 1×1×3×3 = 1..9.
  const x = p([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);

  it("computes a 3×3 cross-correlation with zero padding 1 and a bias", () => {
    // Kernel picks the right neighbour minus the left one.
    const w = p([1, 1, 3, 3], [0, 0, 0, -1, 0, 1, 0, 0, 0]);
    const y = conv2d(x, w, p([1], [0.5]), { padding: 1 });
    expect(y.shape).toEqual([1, 1, 3, 3]);
    // Row 0: [2−0, 3−1, 0−2] + 0.5
    expect(Array.from(y.data)).toEqual([2.5, 2.5, -1.5, 5.5, 2.5, -4.5, 8.5, 2.5, -7.5]);
  });

  it("strides 2 with padding 1 as the UNet downsampler does", () => {
    const w = p([1, 1, 3, 3], [0, 0, 0, 0, 1, 0, 0, 0, 0]); // identity tap
    const y = conv2d(x, w, null, { stride: 2, padding: 1 });
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expect(Array.from(y.data)).toEqual([1, 3, 7, 9]);
  });

  it("pads only bottom/right as the VAE downsampler does", () => {
    const x4 = p([1, 1, 4, 4], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    const w = p([1, 1, 3, 3], [1, 1, 1, 1, 1, 1, 1, 1, 1]); // box sum
    const y = conv2d(x4, w, null, { stride: 2, padding: [0, 0, 1, 1] });
    expect(y.shape).toEqual([1, 1, 2, 2]);
    // Windows start at rows/cols 0 and 2; the ones at 2 reach into the zero row/column 4.
    expect(Array.from(y.data)).toEqual([
      54,
      3 + 4 + 7 + 8 + 11 + 12,
      9 + 10 + 11 + 13 + 14 + 15,
      54,
    ]);
  });

  it("sums over input channels with a 1×1 kernel [out, in, 1, 1]", () => {
    const two = p([1, 2, 1, 2], [1, 2, 10, 20]);
    const w = p([2, 2, 1, 1], [1, 1, 2, -1]);
    const y = conv2d(two, w, p([2], [0, 1]));
    expect(Array.from(y.data)).toEqual([11, 22, 2 - 10 + 1, 4 - 20 + 1]);
  });

  it("refuses a weight whose input channels do not match", () => {
    expect(() => conv2d(x, p([1, 2, 1, 1], [1, 1]), null)).toThrow(/1 channels, weight expects 2/);
  });
});
