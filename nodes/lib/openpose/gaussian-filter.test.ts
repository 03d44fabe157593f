import { describe, expect, it } from "vitest";
import { gaussianFilter, gaussianKernel, numpySum, reflectIndex } from "./gaussian-filter";

describe("gaussianKernel", () => {
  it("σ 3, truncate 4: radius int(12.5) = 12, exp(−x² / 18) normalised to sum 1", () => {
    const k = gaussianKernel(3);
    expect(k.length).toBe(25);
    expect(k[12] / k[11]).toBeCloseTo(Math.exp(1 / 18), 14);
    expect(k[12] / k[0]).toBeCloseTo(Math.exp(144 / 18), 10);
    for (let i = 0; i < 12; i++) expect(k[i]).toBe(k[24 - i]);
    expect(Math.abs(numpySum(k) - 1)).toBeLessThan(1e-15);
  });

  it("numpy's pairwise sum: eight running sums, then ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7)), then the rest", () => {
    // Sixteen values: a[1] and a[9] fall in the same running sum r1 = 2, and 1e16 + 2 is exact;
    // left to right, each 1 rounds away (1e16 + 1 is a tie, to even).
    const a = new Float64Array(16);
    a[0] = 1e16;
    a[1] = 1;
    a[9] = 1;
    expect(numpySum(a)).toBe(1e16 + 2);
    let sequential = 0;
    for (const v of a) sequential += v;
    expect(sequential).toBe(1e16);
  });
});

describe("reflectIndex", () => {
  it("repeats the edge sample: d c b a | a b c d | d c b a", () => {
    expect([-1, -2, -4, -5, -8, 0, 3, 4, 5, 7, 8].map((i) => reflectIndex(i, 4))).toEqual([
      0, 1, 3, 3, 0, 0, 3, 3, 2, 0, 0,
    ]);
  });
});

describe("gaussianFilter", () => {
  const k = gaussianKernel(3);

  it("spreads an impulse away from the edges into exactly the kernel's outer product", () => {
    const n = 31;
    const image = new Float64Array(n * n);
    image[15 * n + 15] = 1;
    const out = gaussianFilter(image, n, n, 3);
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) {
        const dy = Math.abs(y - 15);
        const dx = Math.abs(x - 15);
        const expected = dy <= 12 && dx <= 12 ? k[12 - dy] * k[12 - dx] : 0;
        expect(out[y * n + x]).toBe(expected);
      }
    }
  });

  it("reflects at the border: an impulse in the corner keeps its mass, folded back as w(i) + w(i + 1)", () => {
    const n = 30;
    const image = new Float64Array(n * n);
    image[0] = 1;
    const out = gaussianFilter(image, n, n, 3);
    const folded = (i: number) => (i <= 12 ? k[12 - i] : 0) + (i + 1 <= 12 ? k[11 - i] : 0);
    for (const [y, x] of [
      [0, 0],
      [0, 5],
      [3, 11],
      [12, 12],
      [13, 2],
    ]) {
      expect(out[y * n + x]).toBeCloseTo(folded(y) * folded(x), 16);
    }
    expect(numpySum(out)).toBeCloseTo(1, 14);
  });

  it("keeps a constant image constant and checks its size", () => {
    const out = gaussianFilter(new Float64Array(40 * 20).fill(0.75), 40, 20, 3);
    for (const v of out) expect(v).toBeCloseTo(0.75, 14);
    expect(() => gaussianFilter(new Float64Array(5), 2, 2, 3)).toThrow(/5 values for 2×2/);
  });
});
