import { describe, expect, it } from "vitest";
import { resizeNearest } from "./resample";
import { fromArray } from "./tensor";

describe("resizeNearest", () => {
  it("doubles each pixel for ×2", () => {
    const y = resizeNearest(fromArray([1, 1, 1, 2], [1, 2]), 2, 4);
    expect(Array.from(y.data)).toEqual([1, 1, 2, 2, 1, 1, 2, 2]);
  });

  it("reads floor(i·in/out) for an explicit, non-×2 size (odd skip sizes)", () => {
    // 2 → 3 columns: sources floor(0), floor(2/3), floor(4/3) = 0, 0, 1.
    const y = resizeNearest(fromArray([1, 1, 1, 2], [5, 7]), 1, 3);
    expect(Array.from(y.data)).toEqual([5, 5, 7]);
  });
});
