import { describe, expect, it } from "vitest";
import { createImage, createMask } from "../core/image";
import { clampBox, cropImage, cropMask } from "./crop";

describe("crop helpers", () => {
  it("clamps a box to the image and reports no overlap as null", () => {
    expect(clampBox({ x: -5, y: 2, width: 10, height: 100 }, 8, 6)).toEqual({
      x: 0,
      y: 2,
      width: 5,
      height: 4,
    });
    expect(clampBox({ x: 8, y: 0, width: 3, height: 3 }, 8, 6)).toBeNull();
    expect(clampBox({ x: 0, y: 0, width: 0, height: 3 }, 8, 6)).toBeNull();
  });

  it("copies the pixels at the box offset", () => {
    const image = createImage(4, 3);
    for (let i = 0; i < 12; i++) image.data.set([i, 0, 0, 255], i * 4);
    const out = cropImage(image, { x: 1, y: 1, width: 2, height: 2 });
    expect([0, 1, 2, 3].map((i) => out.data[i * 4])).toEqual([5, 6, 9, 10]);
  });

  it("crops masks the same way and refuses boxes outside", () => {
    const mask = createMask(3, 2, Float32Array.from([0, 0.1, 0.2, 0.3, 0.4, 0.5]));
    expect(Array.from(cropMask(mask, { x: 2, y: 0, width: 1, height: 2 }).data)).toEqual([
      Math.fround(0.2),
      Math.fround(0.5),
    ]);
    expect(() => cropMask(mask, { x: 2, y: 0, width: 2, height: 2 })).toThrow(/inside/);
  });
});
