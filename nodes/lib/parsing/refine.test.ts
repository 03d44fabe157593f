import { describe, expect, it } from "vitest";
import {
  addNeck,
  ATR_FACE,
  ATR_LEFT_ARM,
  ATR_UPPER_CLOTHES,
  components,
  fillClothHoles,
  LIP_FACE,
  NECK,
} from "./refine";

/** A size² map of `fill` with a `frame` label ring `thickness` px wide, inset by `inset`. */
function framed(size: number, inset: number, thickness: number, frame: number, fill = 11) {
  const labels = new Uint8Array(size * size).fill(fill);
  for (let y = inset; y < size - inset; y++) {
    for (let x = inset; x < size - inset; x++) {
      const edge = Math.min(x - inset, y - inset, size - 1 - inset - x, size - 1 - inset - y);
      if (edge < thickness) labels[y * size + x] = frame;
    }
  }
  return labels;
}

describe("components", () => {
  it("gives OpenCV's contour area: a solid a×b block has area (a − 1)(b − 1)", () => {
    const mask = new Uint8Array(8 * 6);
    for (let y = 1; y < 4; y++) for (let x = 2; x < 6; x++) mask[y * 8 + x] = 1;
    const [block] = components(mask, 8, 6);
    expect(block.pixels.length).toBe(12);
    expect(block.area).toBe(6);
  });

  it("joins diagonal neighbours (8-connected) and separates the rest", () => {
    const mask = Uint8Array.from([1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1]);
    const found = components(mask, 4, 3).map((c) => c.pixels.length);
    expect(found).toEqual([2, 1]);
  });
});

describe("fillClothHoles", () => {
  it("turns a small hole inside the upper clothes into upper clothes", () => {
    const labels = framed(10, 0, 2, ATR_UPPER_CLOTHES);
    const out = fillClothHoles(labels, 10, 10);
    expect(out.every((l) => l === ATR_UPPER_CLOTHES)).toBe(true);
    // The input is not modified.
    expect(labels[55]).toBe(11);
  });

  it("counts arms as part of the enclosure but keeps their label", () => {
    const labels = framed(10, 0, 2, ATR_UPPER_CLOTHES);
    for (let y = 0; y < 10; y++) labels[y * 10] = ATR_LEFT_ARM;
    const out = fillClothHoles(labels, 10, 10);
    expect(out[55]).toBe(ATR_UPPER_CLOTHES);
    expect(out[30]).toBe(ATR_LEFT_ARM);
  });

  it("keeps holes larger than 2000 px of contour area", () => {
    // A 60² ring 2 px thick leaves a 56² hole: area 55² = 3025.
    const out = fillClothHoles(framed(60, 0, 2, ATR_UPPER_CLOTHES), 60, 60);
    expect(out[30 * 60 + 30]).toBe(11);
    // A 48² hole (area 47² = 2209) is kept too; a 44² hole (area 43² = 1849) is filled.
    expect(fillClothHoles(framed(50, 0, 1, ATR_UPPER_CLOTHES), 50, 50)[25 * 50 + 25]).toBe(11);
    expect(fillClothHoles(framed(46, 0, 1, ATR_UPPER_CLOTHES), 46, 46)[23 * 46 + 23]).toBe(
      ATR_UPPER_CLOTHES,
    );
  });

  it("turns an arm inside a kept hole into upper clothes, as Leffa's uint8 sum 255 + 1 wraps to 0", () => {
    const labels = framed(60, 0, 2, ATR_UPPER_CLOTHES);
    for (let y = 28; y < 32; y++) labels.fill(ATR_LEFT_ARM, y * 60 + 28, y * 60 + 32);
    const out = fillClothHoles(labels, 60, 60);
    expect(out[30 * 60 + 30]).toBe(ATR_UPPER_CLOTHES);
    expect(out[10 * 60 + 10]).toBe(11);
    // In a small hole nothing is drawn back: the arm keeps its label, the rest becomes clothes.
    const small = framed(20, 0, 2, ATR_UPPER_CLOTHES);
    small[10 * 20 + 10] = ATR_LEFT_ARM;
    const filled = fillClothHoles(small, 20, 20);
    expect(filled[10 * 20 + 10]).toBe(ATR_LEFT_ARM);
    expect(filled[5 * 20 + 5]).toBe(ATR_UPPER_CLOTHES);
  });

  it("leaves regions that reach the image border alone", () => {
    const labels = framed(12, 1, 2, ATR_UPPER_CLOTHES);
    labels[5 * 12 + 1] = 0; // a gap in the ring joins the inside to the border
    labels[5 * 12 + 2] = 0;
    const out = fillClothHoles(labels, 12, 12);
    expect(out[6 * 12 + 6]).toBe(11);
    expect(out[0]).toBe(11);
  });

  it("checks the size", () => {
    expect(() => fillClothHoles(new Uint8Array(3), 2, 2)).toThrow(/2×2 labels, got 3/);
  });
});

describe("addNeck", () => {
  it("labels ATR face that LIP does not call face as neck (18)", () => {
    const atr = Uint8Array.from([ATR_FACE, ATR_FACE, 4, 0]);
    const lip = Uint8Array.from([LIP_FACE, 10, LIP_FACE, 0]);
    expect(Array.from(addNeck(atr, lip))).toEqual([ATR_FACE, NECK, 4, 0]);
  });

  it("refuses maps of different sizes", () => {
    expect(() => addNeck(new Uint8Array(2), new Uint8Array(3))).toThrow(/differ in size/);
  });
});
