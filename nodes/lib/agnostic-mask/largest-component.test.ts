import { describe, expect, it } from "vitest";
import { findComponents, keepLargestContour } from "./largest-component";
import { fromPicture, toPicture } from "./test-raster";

describe("findComponents", () => {
  it("uses 8-connectivity and shoelace areas of the traced border (cv2.contourArea)", () => {
    const { mask, width, height } = fromPicture([
      "..........",
      ".####.....",
      ".####...#.",
      ".####..#..",
      ".####.....",
      "......###.",
      "......###.",
    ]);
    const components = findComponents(mask, width, height);
    // A 4×4 square's border polygon through pixel centres is 3×3; a diagonal pair has no area;
    // a 3×2 block gives 2×1.
    expect(components).toEqual([
      { start: 11, area: 9, rows: [2, 5] },
      { start: 28, area: 0, rows: [3, 4] },
      { start: 56, area: 2, rows: [6, 7] },
    ]);
  });

  it("measures a single pixel and an L shape", () => {
    const { mask, width, height } = fromPicture(["#....", ".....", "..#..", "..###"]);
    // The corner pixel (2,2)-(2,3)-(3,3) makes a half-pixel triangle.
    expect(findComponents(mask, width, height).map((c) => c.area)).toEqual([0, 0.5]);
    const l = fromPicture(["###..", "#....", "#....", "....."]);
    // One pixel thick, but the 8-connected walk cuts the corner (0,1)→(1,0): half a pixel.
    expect(findComponents(l.mask, l.width, l.height)[0].area).toBe(0.5);
    const t = fromPicture(["###", "###", "###", "#..", "#.."]);
    // Polygon (0,0),(0,3),(1,2),(2,2),(2,0) plus the (0,3)-(0,4) spike, which adds nothing: 4.5.
    expect(findComponents(t.mask, t.width, t.height)[0].area).toBe(4.5);
  });
});

describe("keepLargestContour", () => {
  it("keeps only the component with the largest contour area, filled", () => {
    const { mask, width, height } = fromPicture([
      "............",
      ".###....#...",
      ".###...###..",
      ".###..#####.",
      "........#...",
      "........#...",
      "........#...",
    ]);
    // Left block: area 4. Right shape: many pixels but a thin tail; its polygon area is 6.
    expect(toPicture(keepLargestContour(mask, width, height), width)).toEqual([
      "............",
      "........#...",
      ".......###..",
      "......#####.",
      "........#...",
      "........#...",
      "........#...",
    ]);
  });

  it("fills what the kept contour encloses, including other components inside it", () => {
    const { mask, width, height } = fromPicture([
      "#######",
      "#.....#",
      "#.###.#",
      "#.#.#.#",
      "#.###.#",
      "#.....#",
      "#######",
    ]);
    const out = keepLargestContour(mask, width, height);
    expect(toPicture(out, width)).toEqual(Array(7).fill("#######"));
    expect(out.every((v) => v === 255)).toBe(true);
  });

  it("breaks ties in favour of the component found last, like Leffa's first max of OpenCV's list", () => {
    const { mask, width, height } = fromPicture(["##.##", "##.##", ".....", "##..."]);
    expect(toPicture(keepLargestContour(mask, width, height), width)).toEqual([
      "...##",
      "...##",
      ".....",
      ".....",
    ]);
  });

  it("returns an empty mask for an empty input", () => {
    expect(keepLargestContour(new Uint8Array(12), 4, 3).every((v) => v === 0)).toBe(true);
  });
});
