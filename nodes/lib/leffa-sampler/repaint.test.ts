import { describe, expect, it } from "vitest";
import { createImage } from "../../core/image";
import { boxBlurLine, boxWeights, gaussianBoxRadius } from "../pil-gaussian-blur";
import { repaint, repaintMask, repaintRadius } from "./repaint";

describe("repaint", () => {
  it("uses H // 100 made odd as the blur radius", () => {
    expect(repaintRadius(1024)).toBe(11);
    expect(repaintRadius(512)).toBe(5);
    expect(repaintRadius(64)).toBe(1);
  });

  it("blurs the binarised mask with Pillow's GaussianBlur(H // 100 made odd)", () => {
    // 8 rows → radius 1: box radius 0.25 + 2^-25, ww = 11184811, fw = 2796202, three passes a
    // direction. A vertical stripe (columns 3 and 4 lit) blurs along the rows only: every column
    // is constant, and the edges repeat, so the vertical passes change nothing.
    const width = 8;
    const height = 8;
    const mask = Float32Array.from({ length: width * height }, (_, i) =>
      i % width === 3 || i % width === 4 ? 0.7 : 0.2,
    );
    const blurred = repaintMask(mask, width, height);
    // By hand, row [0,0,0,255,255,0,0,0]: pass 1 → [0,0,42,212,212,42,0,0] (212: (255ww + 255fw)
    // / 2^24 = 212.49999); pass 2 → x=2: (42ww + 212fw)/2^24 = 63.33 → 63, x=3: (212ww + 254fw)
    // / 2^24 = 183.66 → 184, x=1: 42fw/2^24 = 7.0 → 7; pass 3 → x=1: (7ww + 63fw)/2^24 = 15.17 →
    // 15, x=2: (63ww + 191fw)/2^24 = 73.83 → 74, x=3: (184ww + 247fw)/2^24 = 163.83 → 164,
    // x=0: 7fw/2^24 = 1.17 → 1.
    const row = [1, 15, 74, 164, 164, 74, 15, 1];
    for (let y = 0; y < height; y++) {
      expect(Array.from(blurred.subarray(y * width, (y + 1) * width))).toEqual(row);
    }
    // The same three passes through the port's line function.
    const w = boxWeights(gaussianBoxRadius(1));
    let line = Uint8Array.from([0, 0, 0, 255, 255, 0, 0, 0]);
    for (let p = 0; p < 3; p++) {
      const next = new Uint8Array(width);
      boxBlurLine(next, line, width, w);
      line = next;
    }
    expect(Array.from(line)).toEqual(row);
  });

  it("blends in float64 and truncates to uint8, as numpy's astype does", () => {
    const width = 8;
    const height = 8;
    const person = createImage(width, height, new Uint8ClampedArray(width * height * 4).fill(200));
    const generated = createImage(
      width,
      height,
      new Uint8ClampedArray(width * height * 4).fill(20),
    );
    const mask = Float32Array.from({ length: width * height }, (_, i) =>
      i % width === 3 || i % width === 4 ? 1 : 0,
    );
    const out = repaint(person, generated, mask);
    const red = (x: number) => out.data[(5 * width + x) * 4];
    // m = b / 255 with b from the blurred row [1, 15, 74, 164, …]: 200·(1 − m) + 20·m.
    // b = 1: 199.294… → 199; b = 15: 189.411… → 189; b = 74: 147.764… → 147;
    // b = 164: 84.235… → 84.
    expect([0, 1, 2, 3, 4, 5, 6, 7].map(red)).toEqual([199, 189, 147, 84, 84, 147, 189, 199]);
    expect(out.data[3]).toBe(255);
  });

  it("keeps the person far from the mask and the generated image deep inside it", () => {
    const width = 64;
    const height = 64;
    const person = createImage(width, height, new Uint8ClampedArray(width * height * 4).fill(200));
    const generated = createImage(
      width,
      height,
      new Uint8ClampedArray(width * height * 4).fill(20),
    );
    const mask = Float32Array.from({ length: width * height }, (_, i) => (i % width >= 32 ? 1 : 0));
    const out = repaint(person, generated, mask);
    const red = (x: number) => out.data[(32 * width + x) * 4];
    expect(red(0)).toBe(200);
    expect(red(63)).toBe(20);
    for (let x = 1; x < width; x++) expect(red(x)).toBeLessThanOrEqual(red(x - 1));
  });

  it("refuses images and masks of different sizes", () => {
    const a = createImage(4, 4);
    const b = createImage(4, 5);
    expect(() => repaint(a, b, new Float32Array(16))).toThrow(/one size/);
    expect(() => repaint(a, a, new Float32Array(15))).toThrow(/one size/);
  });
});
