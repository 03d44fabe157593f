import { describe, expect, it } from "vitest";
import { groupNorm, layerNorm } from "./norm";
import { fromArray } from "./tensor";

const ones = (n: number) => fromArray([n], Array(n).fill(1));
const zerosP = (n: number) => fromArray([n], Array(n).fill(0));

describe("groupNorm", () => {
  it("normalises each group over its channels and pixels with the biased variance", () => {
    // 4 channels of 1×2 in 2 groups: group 0 = {1, 3, 5, 7}, group 1 = {2, 4, 2, 4}.
    const x = fromArray([1, 4, 1, 2], [1, 3, 5, 7, 2, 4, 2, 4]);
    const gamma = fromArray([4], [1, 2, 1, 1]);
    const beta = fromArray([4], [0, 0, 0, 0.5]);
    const y = groupNorm(x, 2, gamma, beta, 0);
    // Group 0: mean 4, variance (9+1+1+9)/4 = 5. Group 1: mean 3, variance 1.
    const s = Math.sqrt(5);
    const expected = [-3 / s, -1 / s, 2 / s, 6 / s, -1, 1, -0.5, 1.5];
    expect(
      Array.from(y.data)
        .map((v, i) => v - expected[i])
        .every((d) => Math.abs(d) < 1e-15),
    ).toBe(true);
  });

  it("puts eps inside the square root", () => {
    const x = fromArray([1, 1, 1, 2], [1, -1]);
    const y = groupNorm(x, 1, ones(1), zerosP(1), 1);
    expect(y.data[0]).toBeCloseTo(1 / Math.sqrt(2), 15);
  });
});

describe("layerNorm", () => {
  it("normalises each token over its channels, then scales and shifts", () => {
    const x = fromArray([1, 2, 2], [1, 3, 10, 12]);
    const y = layerNorm(x, fromArray([2], [2, 1]), fromArray([2], [0, 1]), 0);
    // Both tokens have variance 1 and normalise to [−1, 1], then × [2, 1] + [0, 1].
    expect(Array.from(y.data)).toEqual([-2, 2, -2, 2]);
  });
});
