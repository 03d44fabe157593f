import { describe, expect, it } from "vitest";
import { createImage, createMask } from "../../core/image";
import { solidImage } from "../composite";
import { coordinateGrid } from "../flow/coordinate-grid";
import { flowLoss, maskedL2 } from "./leffa-loss";

describe("maskedL2", () => {
  const black = solidImage(2, 2, [0, 0, 0, 255]);
  const full = createMask(2, 2, new Float32Array(4).fill(1));

  it("is 0 for identical images", () => {
    const image = createImage(
      2,
      2,
      Uint8ClampedArray.from({ length: 16 }, (_, i) => i * 15),
    );
    expect(maskedL2(image, image, full)).toEqual({ value: 0, pixels: 4 });
  });

  it("averages the squared [0, 1] difference over channels and masked pixels", () => {
    // Pixel 0 differs by the full range in red only: (1 + 0 + 0) / 3; pixel 1 by 0.5 in all three.
    const other = createImage(2, 2, Uint8ClampedArray.from(black.data));
    other.data.set([255, 0, 0, 255], 0);
    other.data.set([127.5, 127.5, 127.5, 255], 4);
    const mask = createMask(2, 2, Float32Array.from([1, 1, 0, 0]));
    const { value, pixels } = maskedL2(other, black, mask);
    const half = 128 / 255;
    expect(pixels).toBe(2);
    expect(value).toBeCloseTo((1 / 3 + half * half) / 2, 10);
  });

  it("ignores what lies outside the mask and weights soft mask values", () => {
    const other = createImage(2, 2, Uint8ClampedArray.from(black.data));
    other.data.set([255, 255, 255, 255], 12);
    const soft = createMask(2, 2, Float32Array.from([1, 0, 0, 0.5]));
    // (1 · 0 + 0.5 · 1) / 1.5 = 1/3.
    expect(maskedL2(other, black, soft).value).toBeCloseTo(1 / 3, 10);
    expect(maskedL2(other, black, createMask(2, 2, Float32Array.from([1, 1, 1, 0]))).value).toBe(0);
  });

  it("gives null, not NaN, for an empty mask", () => {
    expect(maskedL2(black, black, createMask(2, 2))).toEqual({ value: null, pixels: 0 });
  });

  it("rejects images of different sizes", () => {
    expect(() => maskedL2(black, solidImage(3, 2, [0, 0, 0, 255]), full)).toThrow(/3×2/);
  });
});

describe("flowLoss", () => {
  it("is 0 when the identity flow warps the result onto itself, positive for a flipped flow", () => {
    const image = createImage(
      4,
      2,
      Uint8ClampedArray.from({ length: 32 }, (_, i) => (i * 29) % 256),
    );
    const mask = createMask(4, 2, new Float32Array(8).fill(1));
    // One token per pixel, so the upsample is the identity and the warp reproduces the image.
    expect(flowLoss(image, image, mask, coordinateGrid(4, 2), 4, 2).value).toBe(0);
    const flipped = coordinateGrid(4, 2);
    for (let i = 0; i < flipped.length; i += 2) flipped[i] = -flipped[i];
    expect(flowLoss(image, image, mask, flipped, 4, 2).value).toBeGreaterThan(0.01);
  });
});
