import { describe, expect, it } from "vitest";
import { contiguousStrides, gatherStrided, isContiguous, stridedSpan } from "./strided";

describe("strided views", () => {
  it("knows row-major strides and ignores strides of size-1 dimensions", () => {
    expect(contiguousStrides([2, 3, 4])).toEqual([12, 4, 1]);
    expect(isContiguous([2, 3, 4], [12, 4, 1])).toBe(true);
    expect(isContiguous([1, 3], [99, 1])).toBe(true);
    expect(isContiguous([3, 2], [1, 3])).toBe(false);
    expect(isContiguous([2, 0], [5, 7])).toBe(true);
  });

  it("measures the storage a view spans", () => {
    expect(stridedSpan([3, 2], [1, 3])).toBe(6);
    expect(stridedSpan([2, 2], [4, 1])).toBe(6);
    expect(stridedSpan([4], [0])).toBe(1);
    expect(stridedSpan([0, 5], [5, 1])).toBe(0);
  });

  it("gathers a transposed view into C order", () => {
    // Storage holds the 2×3 matrix [[0,1,2],[3,4,5]]; the view is its 3×2 transpose.
    const storage = Uint8Array.from([0, 1, 2, 3, 4, 5]);
    expect(Array.from(gatherStrided(storage, 1, [3, 2], [1, 3]))).toEqual([0, 3, 1, 4, 2, 5]);
  });

  it("gathers multi-byte elements, expanded (stride 0) and sliced views", () => {
    const storage = new Uint8Array(new Uint16Array([10, 11, 12, 13, 14, 15, 16, 17]).buffer);
    const every2nd = gatherStrided(storage, 2, [2, 2], [4, 2]);
    expect(Array.from(new Uint16Array(every2nd.buffer))).toEqual([10, 12, 14, 16]);
    const expanded = gatherStrided(storage, 2, [2, 3], [1, 0]);
    expect(Array.from(new Uint16Array(expanded.buffer))).toEqual([10, 10, 10, 11, 11, 11]);
  });
});
