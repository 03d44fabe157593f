import { describe, expect, it } from "vitest";
import { limbConnections, linspace, pairScore } from "./connections";
import type { Peak } from "./peaks";

const peak = (x: number, y: number, id = 0, score = 0.9): Peak => ({ x, y, score, id });

/** A PAF reader with (vx, vy) in channels (0, 1) everywhere, or `field(x, y)` where given. */
const uniform =
  (vx: number, vy: number, field?: (x: number, y: number) => [number, number]) =>
  (c: number, x: number, y: number) =>
    (field ? field(x, y) : [vx, vy])[c];

describe("linspace", () => {
  it("is k · step + start with the last value exactly stop, as numpy's", () => {
    expect(linspace(3, 12, 10)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(linspace(0, 1, 10)[3]).toBe(3 * (1 / 9));
    expect(linspace(5, 5, 10)).toEqual(new Array(10).fill(5));
  });
});

describe("pairScore", () => {
  it("averages the PAF along the limb's direction and adds the distance prior min(0.5·H/len − 1, 0)", () => {
    // Along (1, 0) everywhere: the mean is 1. H = 512: a limb of 100 px has no penalty; 300 px
    // loses 1 − 256/300; 600 px loses 1 − 256/600.
    const paf = uniform(1, 0);
    expect(pairScore(peak(10, 5), peak(110, 5), [0, 1], paf, 512)).toBe(1);
    expect(pairScore(peak(10, 5), peak(310, 5), [0, 1], paf, 512)).toBe(1 + (256 / 300 - 1));
    expect(pairScore(peak(0, 5), peak(600, 5), [0, 1], paf, 512)).toBe(1 + (256 / 600 - 1));
    // Against the field, the mean is −1: rejected.
    expect(pairScore(peak(110, 5), peak(10, 5), [0, 1], paf, 512)).toBeUndefined();
  });

  it("needs more than 8 of the 10 samples strictly above 0.05", () => {
    // Samples at x = 0, 1, …, 9 (a 9-pixel limb); the field is 1 except at the listed columns.
    const weakAt = (columns: number[], value: number) =>
      uniform(0, 0, (x) => [columns.includes(x) ? value : 1, 0]);
    const a = peak(0, 0);
    const b = peak(9, 0);
    expect(pairScore(a, b, [0, 1], weakAt([4], 0.05), 512)).toBeCloseTo(0.905, 12);
    expect(pairScore(a, b, [0, 1], weakAt([4, 7], 0.05), 512)).toBeUndefined();
    expect(pairScore(a, b, [0, 1], weakAt([4, 7], 0.0501), 512)).toBeCloseTo(0.81002, 12);
  });

  it("samples at int(round(·)) with halves to even", () => {
    // From x 0 to 27: samples at 3k exactly; y from 0 to 9 gives y = k. A field that is only
    // right at those 10 pixels scores 1.
    const hits = new Set(Array.from({ length: 10 }, (_, k) => `${3 * k},${k}`));
    const paf = uniform(0, 0, (x, y) => {
      const u = [27 / Math.hypot(27, 9), 9 / Math.hypot(27, 9)] as [number, number];
      return hits.has(`${x},${y}`) ? u : [0, 0];
    });
    expect(pairScore(peak(0, 0), peak(27, 9), [0, 1], paf, 512)).toBeCloseTo(1, 12);
  });
});

describe("limbConnections", () => {
  it("takes the best pairs first, each end once, up to min(nA, nB)", () => {
    // Two people side by side with vertical limbs: the PAF points down in two columns.
    const paf = uniform(0, 0, (x) =>
      Math.abs(x - 20) <= 2 || Math.abs(x - 80) <= 2 ? [0, 1] : [0, 0],
    );
    const a = [peak(20, 10, 0), peak(80, 12, 1)];
    const b = [peak(80, 60, 2), peak(20, 50, 3), peak(50, 55, 4)];
    const connections = limbConnections(a, b, 0, (c, x, y) => paf(c - 12, x, y), 512);
    // Limb 0 reads PAF channels 12 and 13 (MAP_IDX [31, 32] − 19).
    expect(connections?.map((c) => [c.idA, c.idB, c.i, c.j])).toEqual([
      [0, 3, 0, 1],
      [1, 2, 1, 0],
    ]);
    expect(limbConnections([], b, 0, () => 0, 512)).toBeUndefined();
    expect(limbConnections(a, b, 0, () => 0, 512)).toEqual([]);
  });
});
