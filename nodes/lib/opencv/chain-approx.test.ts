import { describe, expect, it } from "vitest";
import { fromPicture } from "../agnostic-mask/test-raster";
import { approximateChainTc89L1 } from "./chain-approx";
import { findContours } from "./find-contours";

describe("approximateChainTc89L1", () => {
  it("gives the start point for an empty chain (a lone pixel)", () => {
    expect(approximateChainTc89L1([], 3, 4)).toEqual([3, 4]);
  });

  it("keeps the corners of a square chain", () => {
    // 3×3 square from (0,0): 6,6,0,0,2,2,4,4. The corners turn by 2, the rest by 0.
    expect(approximateChainTc89L1([6, 6, 0, 0, 2, 2, 4, 4], 0, 0)).toEqual([
      0, 0, 0, 2, 2, 2, 2, 0,
    ]);
  });

  it("differs between OpenCV 4.10+ and ≤ 4.9 when survivors wrap around the chain's start", () => {
    const { mask, width, height } = fromPicture([
      ".#.##",
      "#.###",
      "#.###",
      "#####",
      "###.#",
      "##.##",
    ]);
    const big = (legacyTc89: boolean) =>
      Array.from(findContours(mask, width, height, "list", "tc89-l1", { legacyTc89 })[2].points);
    // The last pass joins the run at the chain's end with the run at its start. OpenCV ≤ 4.9
    // starts its linked list after the start run, dropping (1,0) (OpenCV 4.6's binary agrees);
    // the 4.10 rewrite only clears those points' curvature, so (1,0) stays.
    expect(big(true)).toEqual([0, 5, 2, 4, 4, 5, 4, 0, 2, 1]);
    expect(big(false)).toEqual([1, 0, 0, 5, 2, 4, 4, 5, 4, 0, 2, 1]);
  });
});
