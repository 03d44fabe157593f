import { describe, expect, it } from "vitest";
import { toPicture } from "../agnostic-mask/test-raster";
import { drawLine8, fillPoly } from "./fill-poly";

function filled(width: number, height: number, ...polygons: number[][]): string[] {
  const image = new Uint8Array(width * height);
  fillPoly(
    image,
    width,
    height,
    polygons.map((p) => Int32Array.from(p)),
    255,
  );
  return toPicture(image, width);
}

describe("drawLine8", () => {
  it("steps along the major axis and draws left to right whichever end comes first", () => {
    // dx 4, dy 2: err starts at 0, so the first minor step comes on the second pixel.
    const forward = new Uint8Array(5 * 3);
    drawLine8(forward, 5, 3, 0, 0, 4, 2, 1);
    expect(toPicture(forward, 5)).toEqual(["##...", "..##.", "....#"]);
    const backward = new Uint8Array(5 * 3);
    drawLine8(backward, 5, 3, 4, 2, 0, 0, 1);
    expect(backward).toEqual(forward);
  });

  it("clips to the image", () => {
    const image = new Uint8Array(3 * 3);
    drawLine8(image, 3, 3, -2, 1, 5, 1, 1);
    expect(toPicture(image, 3)).toEqual(["...", "###", "..."]);
  });
});

describe("fillPoly (drawContours, thickness -1)", () => {
  it("fills a right triangle including its hypotenuse", () => {
    // Rows 0-3 span x 0 … 4 − y (the hypotenuse steps exactly one pixel a row); row 4 is the
    // edge's end row, excluded from the scan and drawn by the outline only.
    expect(filled(5, 5, [0, 0, 4, 0, 0, 4])).toEqual(["#####", "####.", "###..", "##...", "#...."]);
  });

  it("rounds spans inwards and lets the 8-connected outline add the half-pixel", () => {
    // Edge (3,0)→(0,2) crosses row 1 at x = 1.5: the span ends at floor(1.5) = 1, but the
    // outline's Bresenham step puts (2,1) on the line.
    expect(filled(4, 3, [0, 0, 3, 0, 0, 2])).toEqual(["####", "###.", "#..."]);
  });

  it("clips polygons with negative coordinates", () => {
    expect(filled(4, 4, [-2, -2, 2, -2, 2, 2, -2, 2])).toEqual(["###.", "###.", "###.", "...."]);
  });

  it("draws a lone point and a chord-approximated staircase", () => {
    expect(filled(3, 2, [1, 1])).toEqual(["...", ".#."]);
    // TC89_L1's polygon of the 2:1 staircase: the chord (9,4)→(7,3) is drawn as a line through
    // (8,3), a pixel the staircase did not have.
    expect(filled(10, 5, [0, 0, 0, 4, 9, 4, 7, 3, 2, 1])).toEqual([
      "##........",
      "####......",
      "######....",
      "#########.",
      "##########",
    ]);
  });

  it("fills several polygons even-odd in one call", () => {
    const outer = [0, 0, 0, 4, 4, 4, 4, 0];
    const inner = [2, 1, 1, 2, 2, 3, 3, 2];
    // The inner diamond's outline is drawn; its inside (only (2,2)) is left empty.
    expect(filled(5, 5, outer, inner)).toEqual(["#####", "#####", "##.##", "#####", "#####"]);
  });
});
