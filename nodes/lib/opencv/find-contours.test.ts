import { describe, expect, it } from "vitest";
import { fromPicture } from "../agnostic-mask/test-raster";
import { findContours, type ChainApprox, type RetrievalMode } from "./find-contours";

function contours(rows: string[], mode: RetrievalMode, method: ChainApprox) {
  const { mask, width, height } = fromPicture(rows);
  return findContours(mask, width, height, mode, method).map((c) => ({
    points: Array.from(c.points),
    isHole: c.isHole,
    parent: c.parent,
  }));
}

describe("findContours", () => {
  it("traces an outer border from its top-left pixel, down the left side first", () => {
    // Clockwise search from the west neighbour finds (2,1) east: the last point before the
    // border closes. The counter-clockwise search then turns south, so the walk goes down.
    expect(contours([".....", ".###.", ".###.", "....."], "list", "none")).toEqual([
      { points: [1, 1, 1, 2, 2, 2, 3, 2, 3, 1, 2, 1], isHole: false, parent: -1 },
    ]);
    // CHAIN_APPROX_SIMPLE keeps the points where the chain code changes.
    expect(contours([".....", ".###.", ".###.", "....."], "list", "simple")[0].points).toEqual([
      1, 1, 1, 2, 3, 2, 3, 1,
    ]);
  });

  it("lists a hole after its outer border, starting at the pixel left of the hole (RETR_CCOMP)", () => {
    // The hole border starts at (1,2) (the 1 before the 0 at (2,2)), searching clockwise from
    // east: south-east (2,3) first, so the walk goes north-east to (2,1) next.
    expect(contours([".....", ".###.", ".#.#.", ".###."], "ccomp", "none")).toEqual([
      { points: [1, 1, 1, 2, 1, 3, 2, 3, 3, 3, 3, 2, 3, 1, 2, 1], isHole: false, parent: -1 },
      { points: [1, 2, 2, 1, 3, 2, 2, 3], isHole: true, parent: 0 },
    ]);
    // RETR_EXTERNAL drops the hole and anything inside it.
    const island = ["#####", "#...#", "#.#.#", "#...#", "#####"];
    expect(contours(island, "external", "simple")).toEqual([
      { points: [0, 0, 0, 4, 4, 4, 4, 0], isHole: false, parent: -1 },
    ]);
    // RETR_CCOMP puts the island on the top level, listed first (found last).
    expect(contours(island, "ccomp", "simple").map((c) => [c.isHole, c.parent])).toEqual([
      [false, -1],
      [false, -1],
      [true, 1],
    ]);
  });

  it("lists contours newest first, and a lone pixel as its one point", () => {
    expect(contours(["#..", "...", "..#"], "list", "tc89-l1")).toEqual([
      { points: [2, 2], isHole: false, parent: -1 },
      { points: [0, 0], isHole: false, parent: -1 },
    ]);
  });

  it("follows shapes that touch the image border", () => {
    expect(contours(["###", "###", "###"], "external", "simple")[0].points).toEqual([
      0, 0, 0, 2, 2, 2, 2, 0,
    ]);
  });

  it("TC89_L1 reduces a one-pixel diagonal to its two ends", () => {
    // Chain 7,7,3,3 from (0,0): curvature 4 at both ends, 0 in between (dropped in pass 0).
    expect(contours(["#...", ".#..", "..#.", "...."], "list", "none")[0].points).toEqual([
      0, 0, 1, 1, 2, 2, 1, 1,
    ]);
    expect(contours(["#...", ".#..", "..#.", "...."], "list", "tc89-l1")[0].points).toEqual([
      0, 0, 2, 2,
    ]);
  });

  it("TC89_L1 keeps a triangle's corners: each has a 1-point support and dominates", () => {
    // Chain 6,6,6,0,0,0,3,3,3: curvatures 3, 2, 3 at (0,0), (0,3), (3,3). At k = 2 the chord
    // stops bending (d = 0 with the previous d < 0), so each support region is 1.
    expect(contours(["#...", "##..", "###.", "####"], "list", "tc89-l1")[0].points).toEqual([
      0, 0, 0, 3, 3, 3,
    ]);
  });

  it("TC89_L1 replaces a 2:1 staircase's steps by chords", () => {
    const stair = ["##........", "####......", "######....", "########..", "##########"];
    // SIMPLE keeps every step corner…
    expect(contours(stair, "list", "simple")[0].points).toEqual([
      0, 0, 0, 4, 9, 4, 8, 4, 7, 3, 6, 3, 5, 2, 4, 2, 3, 1, 2, 1, 1, 0,
    ]);
    // …TC89_L1 keeps the dominant points only (OpenCV 4.6's binary agrees point for point).
    expect(contours(stair, "list", "tc89-l1")[0].points).toEqual([0, 0, 0, 4, 9, 4, 7, 3, 2, 1]);
  });

  it("checks the size", () => {
    expect(() => findContours(new Uint8Array(5), 2, 2, "list", "none")).toThrow(/2×2/);
  });
});
