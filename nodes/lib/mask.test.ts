import { describe, expect, it } from "vitest";
import { createImage, createMask } from "../core/image";
import { combineMasks, invertMask, maskFromAlpha, maskToImage } from "./mask";

describe("mask helpers", () => {
  it("reads alpha as opaque = 1, optionally inverted", () => {
    const image = createImage(3, 1);
    image.data.set([9, 9, 9, 0, 9, 9, 9, 51, 9, 9, 9, 255]);
    expect(Array.from(maskFromAlpha(image).data)).toEqual([0, Math.fround(0.2), 1]);
    expect(Array.from(maskFromAlpha(image, true).data)).toEqual([1, Math.fround(0.8), 0]);
  });

  it("inverts", () => {
    expect(Array.from(invertMask(createMask(2, 1, Float32Array.from([0, 0.25]))).data)).toEqual([
      1, 0.75,
    ]);
  });

  it("combines as max, min and clamped difference", () => {
    const a = createMask(3, 1, Float32Array.from([1, 0.5, 0]));
    const b = createMask(3, 1, Float32Array.from([0.25, 1, 0.5]));
    expect(Array.from(combineMasks(a, b, "union").data)).toEqual([1, 1, 0.5]);
    expect(Array.from(combineMasks(a, b, "intersect").data)).toEqual([0.25, 0.5, 0]);
    expect(Array.from(combineMasks(a, b, "subtract").data)).toEqual([0.75, 0, 0]);
    expect(() => combineMasks(a, createMask(1, 1), "union")).toThrow(/sizes differ/);
  });
});

describe("maskToImage", () => {
  it("draws a mask as opaque grey levels", () => {
    const mask = createMask(3, 1, new Float32Array([0, 0.5, 1]));
    expect(Array.from(maskToImage(mask).data)).toEqual([
      0, 0, 0, 255, 128, 128, 128, 255, 255, 255, 255, 255,
    ]);
  });
});
