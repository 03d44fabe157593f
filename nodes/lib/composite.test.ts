import { describe, expect, it } from "vitest";
import { createImage, createMask } from "../core/image";
import { compositeOver, placeMask, solidImage } from "./composite";

const px = (image: ReturnType<typeof createImage>, x: number, y: number) =>
  Array.from(image.data.subarray((y * image.width + x) * 4, (y * image.width + x) * 4 + 4));

describe("compositeOver", () => {
  it("replaces opaque pixels and leaves the rest of the base alone", () => {
    const base = solidImage(4, 4, [0, 0, 0, 255]);
    const overlay = solidImage(2, 2, [255, 255, 255, 255]);
    const out = compositeOver(base, overlay, 1, 2);
    expect(px(out, 1, 2)).toEqual([255, 255, 255, 255]);
    expect(px(out, 2, 3)).toEqual([255, 255, 255, 255]);
    expect(px(out, 0, 2)).toEqual([0, 0, 0, 255]);
    expect(px(out, 1, 1)).toEqual([0, 0, 0, 255]);
    expect(px(base, 1, 2)).toEqual([0, 0, 0, 255]); // the base is not modified
  });

  it("blends by overlay alpha times mask with the over operator", () => {
    const base = solidImage(1, 1, [0, 0, 200, 255]);
    const overlay = solidImage(1, 1, [200, 100, 0, 128]);
    const half = createMask(1, 1, Float32Array.from([0.5]));
    // coverage = 128/255 · 0.5 ≈ 0.251: 200·0.251 = 50.2, 100·0.251 = 25.1, 200·0.749 = 149.8
    expect(px(compositeOver(base, overlay, 0, 0, half), 0, 0)).toEqual([50, 25, 150, 255]);
  });

  it("computes alpha and straight colour over a transparent base", () => {
    const base = solidImage(1, 1, [0, 255, 0, 0]);
    const overlay = solidImage(1, 1, [255, 0, 0, 51]);
    // Nothing underneath: the result is the overlay itself, its colour not darkened.
    expect(px(compositeOver(base, overlay, 0, 0), 0, 0)).toEqual([255, 0, 0, 51]);
    const halfBase = solidImage(1, 1, [0, 0, 255, 102]);
    // top 0.2, bottom 0.4·0.8 = 0.32, alpha 0.52: r = 255·0.2/0.52 = 98.1, b = 255·0.32/0.52 = 156.9
    expect(px(compositeOver(halfBase, overlay, 0, 0), 0, 0)).toEqual([98, 0, 157, 133]);
  });

  it("clips overlays with negative offsets", () => {
    const base = solidImage(3, 3, [0, 0, 0, 255]);
    const overlay = createImage(2, 2);
    overlay.data.set([10, 0, 0, 255, 20, 0, 0, 255, 30, 0, 0, 255, 40, 0, 0, 255]);
    const out = compositeOver(base, overlay, -1, -1);
    expect(px(out, 0, 0)).toEqual([40, 0, 0, 255]);
    expect(px(out, 1, 0)).toEqual([0, 0, 0, 255]);
    expect(px(compositeOver(base, overlay, 5, 5), 2, 2)).toEqual([0, 0, 0, 255]);
  });
});

describe("placeMask", () => {
  it("puts a mask on a zero canvas at an offset", () => {
    const out = placeMask(createMask(2, 1, Float32Array.from([1, 0.5])), 3, 2, 1, 1);
    expect(Array.from(out.data)).toEqual([0, 0, 0, 0, 1, 0.5]);
  });
});
