import { describe, expect, it } from "vitest";
import { createImage, createMask } from "../../core/image";
import {
  fitImage,
  fitMaskToFrame,
  maskedPerson,
  nearestDownsample,
  parseResolution,
  planFrame,
  toSignedPlanar,
  unfitImage,
} from "./prepare";

const solid = (w: number, h: number, rgba: [number, number, number, number]) => {
  const image = createImage(w, h);
  for (let i = 0; i < w * h; i++) image.data.set(rgba, i * 4);
  return image;
};

describe("parseResolution", () => {
  it("reads HEIGHTxWIDTH and insists on multiples of 64", () => {
    expect(parseResolution("1024x768")).toEqual({ height: 1024, width: 768 });
    expect(() => parseResolution("1000x768")).toThrow(/multiples of 64/);
    expect(() => parseResolution("big")).toThrow(/HEIGHTxWIDTH/);
  });
});

describe("fitting into the frame", () => {
  const frame = { width: 64, height: 128 };

  it("centres a wide image on a white canvas, aspect kept (resize_and_center)", () => {
    const out = fitImage(solid(64, 32, [10, 20, 30, 255]), frame, [255, 255, 255]);
    expect([out.width, out.height]).toEqual([64, 128]);
    const px = (x: number, y: number) =>
      Array.from(out.data.subarray((y * 64 + x) * 4, (y * 64 + x) * 4 + 4));
    expect(px(5, 5)).toEqual([255, 255, 255, 255]);
    expect(px(32, 64)).toEqual([10, 20, 30, 255]);
    expect(planFrame(64, 32, frame)).toMatchObject({ offsetY: 48, scaledHeight: 32 });
  });

  it("flattens transparency onto the background", () => {
    const out = fitImage(solid(64, 128, [0, 0, 0, 0]), frame, [255, 255, 255]);
    expect(Array.from(out.data.subarray(0, 4))).toEqual([255, 255, 255, 255]);
  });

  it("fits a mask like its person (zero outside) and binarises at 0.5", () => {
    const mask = createMask(32, 16, new Float32Array(32 * 16).fill(0.6));
    const out = fitMaskToFrame(mask, 64, 32, frame);
    expect(out.data[5 * 64 + 5]).toBe(0);
    expect(out.data[64 * 64 + 32]).toBe(1);
    expect(new Set(out.data)).toEqual(new Set([0, 1]));
    const low = fitMaskToFrame(
      createMask(64, 32, new Float32Array(64 * 32).fill(0.4)),
      64,
      32,
      frame,
    );
    expect(low.data.every((v) => v === 0)).toBe(true);
  });

  it("maps the frame back to the person's size", () => {
    const framed = fitImage(solid(64, 32, [10, 20, 30, 255]), frame, [255, 255, 255]);
    const back = unfitImage(framed, 64, 32);
    expect([back.width, back.height]).toEqual([64, 32]);
    expect(Array.from(back.data.subarray(0, 4))).toEqual([10, 20, 30, 255]);
  });
});

describe("tensors", () => {
  it("normalises to [-1, 1] planar and zeroes the masked region", () => {
    const image = createImage(2, 1, Uint8ClampedArray.from([0, 51, 255, 255, 255, 0, 0, 255]));
    const planar = toSignedPlanar(image);
    const expected = [-1, 1, 51 / 127.5 - 1, -1, 1, -1];
    planar.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
    const masked = maskedPerson(planar, Float32Array.from([0, 1]));
    expect(Array.from(masked).map((v) => Math.round(v * 10) / 10)).toEqual([-1, 0, -0.6, 0, 1, 0]);
  });

  it("downsamples with PyTorch's nearest rule: source (⌊i·H/h⌋, ⌊j·W/w⌋)", () => {
    // 1 channel, 16 × 16 with value = y·16 + x, down to 2 × 2: picks (0,0), (0,8), (8,0), (8,8).
    const planes = Float32Array.from({ length: 256 }, (_, i) => i);
    expect(Array.from(nearestDownsample(planes, 1, 16, 16, 2, 2))).toEqual([0, 8, 128, 136]);
    // Non-integer factor 5 → 2: ⌊0·2.5⌋ = 0, ⌊1·2.5⌋ = 2.
    const row = Float32Array.from([10, 11, 12, 13, 14]);
    expect(Array.from(nearestDownsample(row, 1, 5, 1, 2, 1))).toEqual([10, 12]);
  });
});
