import { describe, expect, it } from "vitest";
import { contourArea } from "./contour-area";

describe("contourArea", () => {
  it("is the shoelace area, negative for OpenCV's counter-clockwise outer borders", () => {
    // The 3×2 block's border through pixel centres: a 2×1 rectangle, traced down first.
    const outer = Int32Array.from([1, 1, 1, 2, 2, 2, 3, 2, 3, 1, 2, 1]);
    expect(contourArea(outer, true)).toBe(-2);
    expect(contourArea(outer)).toBe(2);
    // A hole border runs the other way.
    expect(contourArea(Int32Array.from([1, 2, 2, 1, 3, 2, 2, 3]), true)).toBe(2);
  });

  it("gives half-pixel areas and zero for points and lines", () => {
    expect(contourArea(Int32Array.from([0, 0, 0, 1, 1, 1]))).toBe(0.5);
    expect(contourArea(Int32Array.from([4, 4]))).toBe(0);
    expect(contourArea(Int32Array.from([0, 0, 2, 2]))).toBe(0);
    expect(contourArea(new Int32Array(0))).toBe(0);
  });
});
