import { describe, expect, it } from "vitest";
import { createImage } from "../../core/image";
import { repaint, repaintRadius } from "./repaint";

describe("repaint", () => {
  it("uses H // 100 made odd as the blur radius", () => {
    expect(repaintRadius(1024)).toBe(11);
    expect(repaintRadius(512)).toBe(5);
    expect(repaintRadius(64)).toBe(1);
  });

  it("keeps the person far from the mask, the generated image deep inside it, and blends between", () => {
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
    // At the edge the blurred mask is about one half.
    expect(red(32)).toBeGreaterThan(60);
    expect(red(32)).toBeLessThan(160);
    for (let x = 1; x < width; x++) expect(red(x)).toBeLessThanOrEqual(red(x - 1));
    expect(out.data[3]).toBe(255);
  });
});
