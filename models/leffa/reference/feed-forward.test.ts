import { describe, expect, it } from "vitest";
import { gelu } from "./activation";
import { feedForward, geglu } from "./feed-forward";
import { fromArray } from "./tensor";

describe("GEGLU feed-forward", () => {
  it("multiplies the first half (value) by GELU of the second half (gate)", () => {
    const y = geglu(fromArray([1, 1, 4], [2, 3, 1, -0.5]));
    expect(Array.from(y.data)).toEqual([2 * gelu(1), 3 * gelu(-0.5)]);
  });

  it("runs net.0.proj (C → 8C), GEGLU, then net.2 (4C → C)", () => {
    // C = 1: proj gives [value, gate, …] of width 8; value i = x·(i+1), gate i = x.
    const proj = fromArray([8, 1], [1, 2, 3, 4, 1, 1, 1, 1]);
    const w = new Map([
      ["ff.net.0.proj.weight", proj],
      ["ff.net.0.proj.bias", fromArray([8], [0, 0, 0, 0, 0, 0, 0, 0])],
      ["ff.net.2.weight", fromArray([1, 4], [1, 1, 1, 1])],
      ["ff.net.2.bias", fromArray([1], [0.25])],
    ]);
    const y = feedForward(w, "ff", fromArray([1, 1, 1], [2]));
    expect(y.data[0]).toBeCloseTo((2 + 4 + 6 + 8) * gelu(2) + 0.25, 13);
  });
});
