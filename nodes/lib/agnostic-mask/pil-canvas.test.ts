import { describe, expect, it } from "vitest";
import {
  cInt,
  createCanvas,
  hline,
  point,
  roundDownF32,
  roundDownF64,
  roundHalfAway,
  roundUpF32,
  roundUpF64,
} from "./pil-canvas";

describe("C rounding helpers", () => {
  it("roundHalfAway rounds halves away from zero (C roundf/lround)", () => {
    expect([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 2.4].map(roundHalfAway)).toEqual([
      -3, -2, -1, 1, 2, 3, 2,
    ]);
  });

  it("ROUND_UP goes away from zero on halves, ROUND_DOWN towards zero", () => {
    expect([2.5, -2.5, 2.4, 2.6].map(roundUpF64)).toEqual([3, -3, 2, 3]);
    expect([2.5, -2.5, 2.4, 2.6].map(roundDownF64)).toEqual([2, -2, 2, 3]);
    expect([2.5, -2.5].map(roundUpF32)).toEqual([3, -3]);
    expect([2.5, -2.5].map(roundDownF32)).toEqual([2, -2]);
  });

  it("the float variants add 0.5 in float32 arithmetic", () => {
    // 0.49999997f + 0.5f rounds to 1.0f in float arithmetic (it would floor to 0 in double).
    const justBelowHalf = Math.fround(0.49999997);
    expect(roundUpF32(justBelowHalf)).toBe(1);
    expect(roundUpF64(justBelowHalf)).toBe(0);
  });

  it("cInt truncates toward zero", () => {
    expect([2.9, -2.9, -0.5].map(cInt)).toEqual([2, -2, -0]);
  });
});

describe("hline and point", () => {
  it("clip to the image like Pillow's hline8/point8", () => {
    const c = createCanvas(5, 3);
    hline(c, -3, 0, 1, 9);
    hline(c, 3, 1, 99, 9);
    hline(c, 0, 5, 4, 9);
    hline(c, 6, 2, 8, 9);
    hline(c, 3, 2, 2, 9); // empty span
    point(c, -1, 2, 9);
    point(c, 4, 2, 7);
    expect(Array.from(c.data)).toEqual([9, 9, 0, 0, 0, 0, 0, 0, 9, 9, 0, 0, 0, 0, 7]);
  });
});
