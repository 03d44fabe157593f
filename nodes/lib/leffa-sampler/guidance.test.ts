import { describe, expect, it } from "vitest";
import { guideNoise, unbiasedStd } from "./guidance";

describe("guideNoise", () => {
  it("applies CFG then Leffa's rescale with φ = the guidance scale (hand-computed)", () => {
    // ε_u = [0, 0, 0, 0], ε_c = [1, 2, 3, 4], s = 2.5:
    // guided = 2.5·ε_c = [2.5, 5, 7.5, 10]; std(ε_c) = √(5/3), std(guided) = 2.5·√(5/3),
    // r = 0.4; factor = φ·r − φ + 1 = 2.5·0.4 − 2.5 + 1 = −0.5 → [−1.25, −2.5, −3.75, −5].
    const pair = Float32Array.from([0, 0, 0, 0, 1, 2, 3, 4]);
    const out = guideNoise(pair, 2.5, new Float32Array(4));
    expect(Array.from(out)).toEqual([-1.25, -2.5, -3.75, -5]);
  });

  it("matches the formula on a non-trivial pair", () => {
    const u = [0.3, -0.2, 0.5, 0.1, -0.4, 0.0];
    const c = [0.1, 0.4, -0.3, 0.2, 0.6, -0.5];
    const s = 1.7;
    const g = u.map((v, i) => v + s * (c[i] - v));
    const std = (a: number[]) => {
      const m = a.reduce((x, y) => x + y, 0) / a.length;
      return Math.sqrt(a.reduce((x, y) => x + (y - m) ** 2, 0) / (a.length - 1));
    };
    const r = std(c) / std(g);
    const expected = g.map((v) => s * v * r + (1 - s) * v);
    const out = guideNoise(Float32Array.from([...u, ...c]), s, new Float32Array(6));
    out.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
  });

  it("returns ε_u unscaled at guidance 0 and leaves a flat prediction finite", () => {
    const pair = Float32Array.from([1, 2, 5, 9]);
    expect(Array.from(guideNoise(pair, 0, new Float32Array(2)))).toEqual([1, 2]);
    const flat = guideNoise(Float32Array.from([1, 1, 1, 1]), 2.5, new Float32Array(2));
    expect(Array.from(flat)).toEqual([1, 1]);
  });

  it("uses the unbiased standard deviation and checks the batch", () => {
    expect(unbiasedStd(Float32Array.from([1, 2, 3, 4]))).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(() => guideNoise(new Float32Array(5), 2, new Float32Array(2))).toThrow(/batch-2/);
  });
});
