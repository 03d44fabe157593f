import { describe, expect, it } from "vitest";
import { createCanvas } from "./pil-canvas";
import { fillEdges, makeEdge } from "./pil-polygon";
import { toPicture } from "./test-raster";

function polygon(width: number, height: number, pts: [number, number][]): string[] {
  const c = createCanvas(width, height);
  const edges = pts.map(([x, y], i) => {
    const [nx, ny] = pts[(i + 1) % pts.length];
    return makeEdge(x, y, nx, ny);
  });
  fillEdges(c, edges, 1);
  return toPicture(c.data, width);
}

describe("makeEdge", () => {
  it("stores the inverse slope as a float32", () => {
    const e = makeEdge(0, 0, 1, 3);
    expect(e.dx).toBe(Math.fround(1 / 3));
    expect(e).toMatchObject({ xmin: 0, xmax: 1, ymin: 0, ymax: 3 });
    expect(makeEdge(4, 2, 0, 2).dx).toBe(0);
  });
});

describe("fillEdges", () => {
  it("fills an axis-aligned rectangle including its edges", () => {
    expect(
      polygon(6, 5, [
        [1, 1],
        [4, 1],
        [4, 3],
        [1, 3],
      ]),
    ).toEqual(["......", ".####.", ".####.", ".####.", "......"]);
  });

  it("fills a triangle between its rounded edge crossings", () => {
    // Left edge x = y, right edge x = 8 - y: row y spans [y, 8 - y].
    expect(
      polygon(9, 5, [
        [0, 0],
        [8, 0],
        [4, 4],
      ]),
    ).toEqual(["#########", ".#######.", "..#####..", "...###...", "....#...."]);
  });

  it("clips to the image", () => {
    expect(
      polygon(4, 3, [
        [-5, -5],
        [10, -5],
        [10, 10],
        [-5, 10],
      ]),
    ).toEqual(["####", "####", "####"]);
  });
});
