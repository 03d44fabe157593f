import { describe, expect, it } from "vitest";
import { createCanvas } from "./pil-canvas";
import { drawArc, drawEllipse, fillPieslice, normalizeAngles } from "./pil-ellipse";

describe("normalizeAngles", () => {
  it("maps angles into 0 <= start < 360, start <= end <= start + 360", () => {
    expect(normalizeAngles(-90, 0)).toEqual([270, 360]);
    expect(normalizeAngles(350, 10)).toEqual([350, 370]);
    expect(normalizeAngles(0, 360)).toEqual([0, 360]);
    expect(normalizeAngles(45, 45)).toEqual([45, 45]);
    expect(normalizeAngles(-720, 0)).toEqual([0, 360]);
  });
});

function count(data: Uint8Array): number {
  return data.reduce((a, b) => a + (b ? 1 : 0), 0);
}

describe("fillPieslice", () => {
  it("a full turn is a filled ellipse", () => {
    const a = createCanvas(40, 40);
    const b = createCanvas(40, 40);
    fillPieslice(a, [5, 6, 30, 33], 10, 370, 1);
    drawEllipse(b, 5, 6, 30, 33, 1, true, 0);
    expect(a.data).toEqual(b.data);
  });

  it("0..90° is the lower-right quarter (angles run clockwise from 3 o'clock)", () => {
    const c = createCanvas(41, 41);
    fillPieslice(c, [0, 0, 40, 40], 0, 90, 1);
    for (let y = 0; y < 41; y++) {
      for (let x = 0; x < 41; x++) {
        if (c.data[y * 41 + x]) {
          expect(x).toBeGreaterThanOrEqual(20);
          expect(y).toBeGreaterThanOrEqual(20);
          expect((x - 20) ** 2 + (y - 20) ** 2).toBeLessThanOrEqual(20.5 ** 2);
        }
      }
    }
    // Roughly a quarter of the disc.
    expect(count(c.data)).toBeGreaterThan(0.25 * Math.PI * 20 * 20 * 0.9);
    expect(count(c.data)).toBeLessThan(0.25 * Math.PI * 21 * 21 * 1.1);
  });

  it("four quarters tile the filled disc", () => {
    const quarters = createCanvas(41, 41);
    for (const start of [0, 90, 180, 270])
      fillPieslice(quarters, [0, 0, 40, 40], start, start + 90, 1);
    const disc = createCanvas(41, 41);
    drawEllipse(disc, 0, 0, 40, 40, 1, true, 0);
    expect(quarters.data).toEqual(disc.data);
  });

  it("truncates float boxes and draws nothing for an empty sweep", () => {
    const a = createCanvas(20, 20);
    const b = createCanvas(20, 20);
    fillPieslice(a, [2.9, 3.2, 15.99, 16.5], 30, 200, 1);
    fillPieslice(b, [2, 3, 15, 16], 30, 200, 1);
    expect(a.data).toEqual(b.data);
    const c = createCanvas(20, 20);
    fillPieslice(c, [2, 3, 15, 16], 30, 30, 1);
    expect(count(c.data)).toBe(0);
  });
});

describe("drawArc", () => {
  it("a full-circle arc as thick as the radius is a disc but for a pin-hole at the centre", () => {
    // How Leffa draws the shoulder: box 60 px, ring 30 px. Pillow's inner ellipse then has a
    // size of 60 - 2·(30 - 1) = 2 on its doubled grid, which leaves the centre pixels unset.
    const arc = createCanvas(80, 80);
    drawArc(arc, [10, 10, 70, 70], 0, 360, 1, 30);
    const disc = createCanvas(80, 80);
    drawEllipse(disc, 10, 10, 70, 70, 1, true, 0);
    const holes: [number, number][] = [];
    for (let i = 0; i < arc.data.length; i++) {
      expect(arc.data[i]).toBeLessThanOrEqual(disc.data[i]);
      if (disc.data[i] && !arc.data[i]) holes.push([i % 80, Math.floor(i / 80)]);
    }
    expect(holes.length).toBeGreaterThan(0);
    for (const [x, y] of holes)
      expect(Math.max(Math.abs(x - 40), Math.abs(y - 40))).toBeLessThanOrEqual(1);
  });

  it("refuses partial arcs and reversed boxes", () => {
    expect(() => drawArc(createCanvas(9, 9), [0, 0, 8, 8], 0, 90, 1, 2)).toThrow(/full-circle/);
    expect(() => drawArc(createCanvas(9, 9), [8, 0, 0, 8], 0, 360, 1, 2)).toThrow(/out of order/);
  });
});
