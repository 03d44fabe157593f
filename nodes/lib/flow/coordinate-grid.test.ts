import { describe, expect, it } from "vitest";
import { coordinateGrid, linspaceUnit } from "./coordinate-grid";

describe("coordinateGrid", () => {
  it("puts the corners at ±1 and steps evenly (align_corners=True), row-major", () => {
    const c = coordinateGrid(3, 2);
    // Tokens: (row 0: x −1, 0, 1; y −1), (row 1: same x; y +1).
    expect(Array.from(c)).toEqual([-1, -1, 0, -1, 1, -1, -1, 1, 0, 1, 1, 1]);
  });

  it("token i sits at column i mod w, row ⌊i / w⌋", () => {
    const w = 5;
    const h = 4;
    const c = coordinateGrid(w, h);
    const i = 13; // row 2, column 3
    expect(c[2 * i]).toBeCloseTo(-1 + (2 * 3) / 4, 6);
    expect(c[2 * i + 1]).toBeCloseTo(-1 + (2 * 2) / 3, 6);
  });

  it("a single column or row maps to 0 on that axis", () => {
    expect(Array.from(coordinateGrid(1, 3))).toEqual([0, -1, 0, 0, 0, 1]);
    expect(Array.from(coordinateGrid(2, 1))).toEqual([-1, 0, 1, 0]);
    expect(linspaceUnit(0, 1)).toBe(0);
  });

  it("rejects non-positive or fractional sizes", () => {
    expect(() => coordinateGrid(0, 2)).toThrow(/gridWidth/);
    expect(() => coordinateGrid(2, 1.5)).toThrow(/gridHeight/);
  });
});
