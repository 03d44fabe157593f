import { describe, expect, it } from "vitest";
import { createMask } from "../../core/image";
import { solidImage } from "../composite";
import { overlayWarped } from "./overlay";

describe("overlayWarped", () => {
  const result = solidImage(2, 1, [0, 0, 0, 255]);
  const warped = solidImage(2, 1, [200, 100, 40, 255]);
  const mask = createMask(2, 1, Float32Array.from([1, 0]));

  it("shows the warped garment inside the mask only", () => {
    const out = overlayWarped(result, warped, mask, 1);
    expect(Array.from(out.data)).toEqual([200, 100, 40, 255, 0, 0, 0, 255]);
  });

  it("blends by the opacity", () => {
    const out = overlayWarped(result, warped, mask, 0.5);
    expect(Array.from(out.data.subarray(0, 4))).toEqual([100, 50, 20, 255]);
  });

  it("resamples a mask of another size", () => {
    const big = createMask(4, 2, Float32Array.from([1, 1, 0, 0, 1, 1, 0, 0]));
    const out = overlayWarped(result, warped, big, 1);
    expect(Array.from(out.data)).toEqual([200, 100, 40, 255, 0, 0, 0, 255]);
  });

  it("rejects a warped image of another size and an opacity outside [0, 1]", () => {
    expect(() => overlayWarped(result, solidImage(3, 1, [0, 0, 0, 255]), mask)).toThrow(/3×1/);
    expect(() => overlayWarped(result, warped, mask, 1.5)).toThrow(/opacity/);
  });
});
