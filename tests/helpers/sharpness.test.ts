import { describe, expect, it } from "vitest";
import { laplacianVariance, lumaFromPlanarRgb } from "./sharpness";

function gray(width: number, height: number, f: (x: number, y: number) => number) {
  const data = new Float64Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = f(x, y);
  return { width, height, data };
}

describe("laplacianVariance", () => {
  it("is zero for flat and linear ramps, which have no second derivative", () => {
    expect(laplacianVariance(gray(8, 8, () => 0.3))).toBe(0);
    expect(laplacianVariance(gray(8, 8, (x, y) => 0.1 * x + 0.05 * y))).toBeCloseTo(0, 12);
  });

  it("matches a hand count on a single bright pixel", () => {
    // Interior 3×3 of a 5×5 image; the spike at (2,2) gives Laplacian -4 there, +1 at its four
    // neighbours and 0 at the four corners: mean 0, mean square (16 + 4) / 9.
    const spike = gray(5, 5, (x, y) => (x === 2 && y === 2 ? 1 : 0));
    expect(laplacianVariance(spike)).toBeCloseTo(20 / 9, 12);
  });

  it("ranks a hard edge above the same edge blurred", () => {
    const hard = gray(16, 16, (x) => (x < 8 ? 0 : 1));
    const soft = gray(16, 16, (x) => Math.min(1, Math.max(0, (x - 4) / 8)));
    expect(laplacianVariance(hard)).toBeGreaterThan(laplacianVariance(soft));
  });

  it("refuses images without an interior", () => {
    expect(() => laplacianVariance(gray(2, 8, () => 0))).toThrow(/below 3×3/);
  });
});

describe("lumaFromPlanarRgb", () => {
  it("weights R, G and B by Rec. 601 and checks the size", () => {
    const planar = [1, 0, 0, 0, 1, 0, 0, 0, 1]; // three pixels: red, green, blue
    expect(Array.from(lumaFromPlanarRgb(planar, 3, 1).data)).toEqual([0.299, 0.587, 0.114]);
    expect(() => lumaFromPlanarRgb(planar, 2, 2)).toThrow(/9 values for 3×2×2/);
  });
});
