import { describe, expect, it } from "vitest";
import { createImage, type RgbaImage } from "../core/image";
import { alphaBand, pilBlend, pilPaste } from "./pil-paste";

const solid = (w: number, h: number, rgba: number[]): RgbaImage => {
  const image = createImage(w, h);
  for (let i = 0; i < w * h; i++) image.data.set(rgba, i * 4);
  return image;
};

const at = (image: RgbaImage, x: number, y: number) =>
  Array.from(image.data.subarray((y * image.width + x) * 4, (y * image.width + x) * 4 + 4));

describe("pilBlend (Pillow's BLEND with DIV255)", () => {
  it("keeps the base at mask 0 and takes the pasted value at 255", () => {
    expect([pilBlend(0, 17, 200), pilBlend(255, 17, 200)]).toEqual([17, 200]);
  });

  it("rounds out · (255 − m) + in · m over 255 as ((t >> 8) + t) >> 8 with t = v + 128", () => {
    // m = 128 of white under black: 255 · 127 = 32385 → t = 32513 → (127 + 32513) >> 8 = 127.
    expect(pilBlend(128, 255, 0)).toBe(127);
    // Alpha blends like a colour: an opaque base under alpha 128 keeps
    // (255 · 127 + 128 · 128) / 255 = 191.25 → t = 48897 → (191 + 48897) >> 8 = 191.
    expect(pilBlend(128, 255, 128)).toBe(191);
    // A rounding edge: 1 · 128 / 255 = 0.502 → 1; 1 · 127 / 255 = 0.498 → 0.
    expect([pilBlend(128, 0, 1), pilBlend(127, 0, 1)]).toEqual([1, 0]);
  });
});

describe("pilPaste", () => {
  it("blends every band, alpha included, by the pasted image's own alpha", () => {
    const base = solid(3, 1, [255, 255, 255, 255]);
    const over = createImage(
      2,
      1,
      new Uint8ClampedArray([200, 0, 0, 255, /* half transparent: */ 0, 0, 0, 128]),
    );
    pilPaste(base, over, 1, 0, alphaBand(over));
    expect(at(base, 0, 0)).toEqual([255, 255, 255, 255]);
    expect(at(base, 1, 0)).toEqual([200, 0, 0, 255]);
    // Black at alpha 128 on white: 127 in each colour, and alpha 191, not 255.
    expect(at(base, 2, 0)).toEqual([127, 127, 127, 191]);
  });

  it("clips what falls outside the base, on every side", () => {
    const over = solid(3, 3, [10, 20, 30, 255]);
    over.data.set([1, 2, 3, 255], (2 * 3 + 2) * 4); // bottom-right pixel marked
    const mask = alphaBand(over);

    const topLeft = solid(2, 2, [0, 0, 0, 0]);
    pilPaste(topLeft, over, -1, -1, mask);
    // Source (1..2, 1..2) lands on (0..1, 0..1): the marked pixel at (1, 1).
    expect(at(topLeft, 0, 0)).toEqual([10, 20, 30, 255]);
    expect(at(topLeft, 1, 1)).toEqual([1, 2, 3, 255]);

    const bottomRight = solid(2, 2, [0, 0, 0, 0]);
    pilPaste(bottomRight, over, 1, 1, mask);
    expect(at(bottomRight, 0, 0)).toEqual([0, 0, 0, 0]);
    expect(at(bottomRight, 1, 1)).toEqual([10, 20, 30, 255]);

    const away = solid(2, 2, [5, 5, 5, 5]);
    pilPaste(away, over, 5, -9, mask);
    expect(Array.from(away.data)).toEqual(Array(16).fill(5));
  });

  it("refuses a mask of another size", () => {
    expect(() =>
      pilPaste(solid(2, 2, [0, 0, 0, 0]), solid(2, 2, [0, 0, 0, 0]), 0, 0, new Uint8Array(3)),
    ).toThrow(/mask must have the pasted image's size/);
  });
});
