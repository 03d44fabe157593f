import { describe, expect, it } from "vitest";
import { argmaxPlanes, resizePlanesBilinear, sampleBilinearZero } from "./sample";

describe("sampleBilinearZero", () => {
  const plane = Float32Array.from([1, 2, 3, 4]); // 2×2

  it("interpolates inside and reads 0 outside, like a black border", () => {
    expect(sampleBilinearZero(plane, 0, 2, 2, 0.5, 0.5)).toBeCloseTo(2.5, 6);
    expect(sampleBilinearZero(plane, 0, 2, 2, 1, 1)).toBe(4);
    expect(sampleBilinearZero(plane, 0, 2, 2, -0.5, 0)).toBeCloseTo(0.5, 6);
    expect(sampleBilinearZero(plane, 0, 2, 2, 5, 5)).toBe(0);
  });

  it("reads the plane at an offset", () => {
    const two = Float32Array.from([0, 0, 0, 0, 8, 8, 8, 8]);
    expect(sampleBilinearZero(two, 4, 2, 2, 0.25, 0.75)).toBeCloseTo(8, 6);
  });
});

describe("resizePlanesBilinear", () => {
  it("matches PyTorch with align_corners=True: the corners stay, the rest is linear", () => {
    const out = resizePlanesBilinear(Float32Array.from([0, 1, 2, 3]), 1, 2, 2, 3, 3, true);
    expect(Array.from(out)).toEqual([0, 0.5, 1, 1, 1.5, 2, 2, 2.5, 3]);
  });

  it("matches PyTorch with align_corners=False: half-pixel centres, clamped at the edges", () => {
    // torch.nn.functional.interpolate([[0, 1]], size=4, mode="linear") → [0, 0.25, 0.75, 1].
    const out = resizePlanesBilinear(Float32Array.from([0, 1]), 1, 1, 2, 1, 4, false);
    expect(Array.from(out)).toEqual([0, 0.25, 0.75, 1]);
  });

  it("resizes every channel on its own", () => {
    const out = resizePlanesBilinear(Float32Array.from([0, 4, 10, 10]), 2, 1, 2, 1, 3, true);
    expect(Array.from(out)).toEqual([0, 2, 4, 10, 10, 10]);
  });

  it("says so when the logits do not have the stated shape", () => {
    expect(() => resizePlanesBilinear(new Float32Array(5), 1, 2, 2, 3, 3, true)).toThrow(
      /1×2×2 values, got 5/,
    );
  });
});

describe("argmaxPlanes", () => {
  it("picks the largest channel per pixel, the first on ties", () => {
    // 3 channels × 3 pixels.
    const planes = Float32Array.from([5, 0, 1, 1, 0, 1, 2, 9, 0]);
    expect(Array.from(argmaxPlanes(planes, 3, 3))).toEqual([0, 2, 0]);
  });

  it("handles negative logits", () => {
    expect(Array.from(argmaxPlanes(Float32Array.from([-3, -2]), 2, 1))).toEqual([1]);
  });
});
