import { describe, expect, it } from "vitest";
import { createImage } from "../../core/image";
import { LETTERBOX_FILL, letterboxForDetector } from "./letterbox";

/** An image whose pixel (x, y) is rgb(x, y). */
function imageOf(width: number, height: number, rgb: (x: number, y: number) => number[]) {
  const image = createImage(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) image.data.set([...rgb(x, y), 255], (y * width + x) * 4);
  }
  return image;
}

/** Value of tensor channel c at (x, y) of a size × size CHW tensor. */
function at(tensor: Float32Array, size: number, c: number, x: number, y: number): number {
  return tensor[c * size * size + y * size + x];
}

describe("letterboxForDetector", () => {
  it("enlarges bilinearly with half-pixel centres, top-left, and greys the rest", () => {
    // 2 × 1 into 4: r = min(4/1, 4/2) = 2, so the photo covers 4 × 2 of the canvas.
    const image = imageOf(2, 1, (x) => [x * 100, 50, 200]);
    const box = letterboxForDetector(image, { size: 4 });
    expect(box.ratio).toBe(2);
    expect([box.scaledWidth, box.scaledHeight]).toEqual([4, 2]);
    expect(box.tensor.length).toBe(3 * 16);
    // Output x → source (x + 0.5) / 2 − 0.5, clamped: −0.25→0, 0.25, 0.75, 1.25→1.
    for (const y of [0, 1]) {
      expect([0, 1, 2, 3].map((x) => at(box.tensor, 4, 0, x, y))).toEqual([0, 25, 75, 100]);
      expect(at(box.tensor, 4, 1, 2, y)).toBe(50);
      expect(at(box.tensor, 4, 2, 2, y)).toBe(200);
    }
    for (const y of [2, 3]) {
      for (let c = 0; c < 3; c++) {
        expect([0, 1, 2, 3].map((x) => at(box.tensor, 4, c, x, y))).toEqual(
          Array(4).fill(LETTERBOX_FILL),
        );
      }
    }
  });

  it("rounds as OpenCV's fixed-point INTER_LINEAR does, not to the nearest", () => {
    // 0 → 2 sampled at 0.25 and 0.75 is exactly 0.5 and 1.5. OpenCV: weights 1536/512 give
    // 2·512 = 1024 and 3072 in the row pass; the uint8 column pass floors (H >> 4)·b >> 16 per
    // row before its (+2) >> 2, giving 0 and 1 (round-half-up would give 1 and 2).
    const image = imageOf(2, 1, (x) => [x * 2, x * 255, 0]);
    const box = letterboxForDetector(image, { size: 4 });
    expect([0, 1, 2, 3].map((x) => at(box.tensor, 4, 0, x, 1))).toEqual([0, 0, 1, 2]);
    expect([0, 1, 2, 3].map((x) => at(box.tensor, 4, 1, x, 1))).toEqual([0, 64, 191, 255]);
  });

  it("shrinks with two taps per axis like cv2 INTER_LINEAR, not an area average", () => {
    // 8 × 2 into 4: r = 0.5, 4 × 1 pixels; output (i, 0) samples source (2i + 0.5, 0.5).
    const image = imageOf(8, 2, (x, y) => [x * 10 + y * 100, 0, 0]);
    const box = letterboxForDetector(image, { size: 4 });
    expect(box.ratio).toBe(0.5);
    expect([box.scaledWidth, box.scaledHeight]).toEqual([4, 1]);
    // Mean of x = 2i, 2i + 1 over rows 0 and 1: 10·(2i + 0.5) + 50.
    expect([0, 1, 2, 3].map((x) => at(box.tensor, 4, 0, x, 0))).toEqual([55, 75, 95, 115]);
    expect(at(box.tensor, 4, 0, 0, 1)).toBe(LETTERBOX_FILL);
  });

  it("truncates the scaled size like int() and keeps raw 0..255 values", () => {
    // 3 × 7 into 10: r = 10/7, width int(3 · 10/7) = int(4.285…) = 4.
    const image = imageOf(3, 7, () => [255, 255, 255]);
    const box = letterboxForDetector(image, { size: 10 });
    expect(box.ratio).toBeCloseTo(10 / 7, 12);
    expect([box.scaledWidth, box.scaledHeight]).toEqual([4, 10]);
    expect(at(box.tensor, 10, 0, 3, 9)).toBe(255);
    expect(at(box.tensor, 10, 0, 4, 0)).toBe(LETTERBOX_FILL);
  });

  it("writes BGR when asked (the original DWPose cv2 order)", () => {
    const image = imageOf(2, 2, () => [10, 20, 30]);
    const rgb = letterboxForDetector(image, { size: 2 });
    const bgr = letterboxForDetector(image, { size: 2, channelOrder: "bgr" });
    expect([0, 1, 2].map((c) => at(rgb.tensor, 2, c, 1, 1))).toEqual([10, 20, 30]);
    expect([0, 1, 2].map((c) => at(bgr.tensor, 2, c, 1, 1))).toEqual([30, 20, 10]);
  });

  it("defaults to the 640 canvas of the YOLOX contract", () => {
    const box = letterboxForDetector(imageOf(1280, 960, () => [1, 2, 3]));
    expect(box.size).toBe(640);
    expect(box.ratio).toBe(0.5);
    expect(box.tensor.length).toBe(3 * 640 * 640);
    expect([box.scaledWidth, box.scaledHeight]).toEqual([640, 480]);
    expect(at(box.tensor, 640, 2, 639, 479)).toBe(3);
    expect(at(box.tensor, 640, 2, 639, 480)).toBe(LETTERBOX_FILL);
  });
});
