import { describe, expect, it } from "vitest";
import { createCanvas } from "./pil-canvas";
import { drawLineCurveJoints, drawWideLines, wideLine } from "./pil-line";

describe("wideLine", () => {
  it("covers x0..x1 and width rows centred on the line for a horizontal segment", () => {
    const c = createCanvas(24, 16);
    wideLine(c, 10, 10, 20, 10, 5, 1);
    for (let y = 0; y < 16; y++) {
      for (let x = 0; x < 24; x++) {
        expect([y, x, c.data[y * 24 + x]]).toEqual([
          y,
          x,
          x >= 10 && x <= 20 && y >= 8 && y <= 12 ? 1 : 0,
        ]);
      }
    }
  });

  it("draws a single point for a zero-length segment", () => {
    const c = createCanvas(5, 5);
    wideLine(c, 2, 3, 2, 3, 30, 1);
    expect(c.data.reduce((a, b) => a + b, 0)).toBe(1);
    expect(c.data[3 * 5 + 2]).toBe(1);
  });
});

describe("drawWideLines", () => {
  it("truncates float coordinates like Pillow's (int) cast", () => {
    const a = createCanvas(30, 20);
    const b = createCanvas(30, 20);
    drawWideLines(
      a,
      [
        [3.9, 4.7],
        [25.2, 15.99],
      ],
      5,
      1,
    );
    drawWideLines(
      b,
      [
        [3, 4],
        [25, 15],
      ],
      5,
      1,
    );
    expect(a.data).toEqual(b.data);
  });

  it("refuses 1-px lines (a different Pillow code path Leffa never uses)", () => {
    expect(() =>
      drawWideLines(
        createCanvas(4, 4),
        [
          [0, 0],
          [3, 3],
        ],
        1,
        1,
      ),
    ).toThrow(/not implemented/);
  });
});

describe("drawLineCurveJoints", () => {
  it("adds nothing at a straight-through vertex", () => {
    const a = createCanvas(80, 40);
    const b = createCanvas(80, 40);
    drawLineCurveJoints(
      a,
      [
        [5, 20],
        [40, 20],
        [75, 20],
      ],
      20,
      1,
    );
    drawWideLines(
      b,
      [
        [5, 20],
        [40, 20],
        [75, 20],
      ],
      20,
      1,
    );
    expect(a.data).toEqual(b.data);
  });

  it("rounds the outer side of a right-angle bend with a pie slice of the line width", () => {
    const plain = createCanvas(60, 60);
    const curved = createCanvas(60, 60);
    const pts: [number, number][] = [
      [10, 30],
      [30, 30],
      [30, 55],
    ];
    drawWideLines(plain, pts, 11, 1);
    drawLineCurveJoints(curved, pts, 11, 1);
    let added = 0;
    for (let y = 0; y < 60; y++) {
      for (let x = 0; x < 60; x++) {
        const i = y * 60 + x;
        expect(curved.data[i]).toBeGreaterThanOrEqual(plain.data[i]);
        if (curved.data[i] && !plain.data[i]) {
          added++;
          // Only around the vertex, within half the line width.
          expect((x - 30) ** 2 + (y - 30) ** 2).toBeLessThanOrEqual(5.5 ** 2);
        }
      }
    }
    expect(added).toBeGreaterThan(0);
    // The notch at the outer corner (towards top-right of the vertex) is filled.
    expect(plain.data[27 * 60 + 33]).toBe(0);
    expect(curved.data[27 * 60 + 33]).toBe(1);
  });
});
