import { describe, expect, it } from "vitest";
import { argmaxPlanes, resizePlanesBilinear } from "./sample";

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
