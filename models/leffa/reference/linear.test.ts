import { describe, expect, it } from "vitest";
import { linear } from "./linear";
import { fromArray } from "./tensor";

describe("linear", () => {
  it("computes x·Wᵀ + b on the last axis with torch's [out, in] weight layout", () => {
    const x = fromArray([1, 2, 3], [1, 2, 3, 4, 5, 6]);
    const w = fromArray([2, 3], [1, 0, -1, 0, 1, 0]);
    const y = linear(x, w, fromArray([2], [10, 20]));
    expect(y.shape).toEqual([1, 2, 2]);
    expect(Array.from(y.data)).toEqual([1 - 3 + 10, 2 + 20, 4 - 6 + 10, 5 + 20]);
  });

  it("works without a bias and refuses a feature-count mismatch", () => {
    const x = fromArray([1, 2], [1, 2]);
    expect(Array.from(linear(x, fromArray([1, 2], [3, 4]), null).data)).toEqual([11]);
    expect(() => linear(x, fromArray([1, 3], [1, 1, 1]), null)).toThrow(/2 features/);
  });
});
