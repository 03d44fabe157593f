import { describe, expect, it } from "vitest";
import { erf, gelu, silu } from "./activation";
import { fromArray } from "./tensor";

describe("activations", () => {
  it("erf matches tabulated values to float64 precision on both branches", () => {
    const table: Array<[number, number]> = [
      [0, 0],
      [0.1, 0.1124629160182849],
      [0.5, 0.5204998778130465],
      [1, 0.8427007929497149],
      [2, 0.9953222650189527],
      [2.5, 0.999593047982555],
      [3, 0.9999779095030014],
      [4, 0.9999999845827421],
      [-1.5, -0.9661051464753108],
    ];
    for (const [x, expected] of table) expect(Math.abs(erf(x) - expected)).toBeLessThan(1e-14);
    expect(erf(7)).toBe(1);
  });

  it("gelu is the exact erf form x·Φ(x)", () => {
    expect(gelu(0)).toBe(0);
    expect(gelu(1)).toBeCloseTo(0.8413447460685429, 15);
    expect(gelu(-1)).toBeCloseTo(-0.15865525393145707, 15);
    // The tanh approximation gives 0.841191990607… at 1, which this must not be.
    expect(Math.abs(gelu(1) - 0.8411919906082768)).toBeGreaterThan(1e-4);
  });

  it("silu is x·sigmoid(x)", () => {
    const y = silu(fromArray([3], [0, 2, -2]));
    expect(y.data[0]).toBe(0);
    expect(y.data[1]).toBeCloseTo(2 / (1 + Math.exp(-2)), 15);
    expect(y.data[2]).toBeCloseTo(-2 / (1 + Math.exp(2)), 15);
  });
});
