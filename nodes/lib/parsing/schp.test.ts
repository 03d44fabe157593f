import { describe, expect, it } from "vitest";
import { createImage } from "../../core/image";
import { schpInput, schpLabels } from "./schp";

const normalised = (value: number, mean: number, std: number) => (value / 255 - mean) / std;

describe("schpInput", () => {
  // 3×5 into 5²: k = 1, the image lands in columns 1..3 with one black column each side.
  const image = createImage(3, 5);
  for (let i = 0; i < 15; i++) image.data.set([200, 100, 50, 255], i * 4);
  image.data.set([255, 0, 0, 255], (2 * 3 + 1) * 4); // one red pixel at (1, 2)
  const { data, fit } = schpInput(image, 5);
  const at = (channel: number, x: number, y: number) => data[channel * 25 + y * 5 + x];

  it("fits the whole image into the square, centred, with the matrix it used", () => {
    expect(fit).toEqual([1, 0, 1, 0, 1, 0]);
    expect(data.length).toBe(3 * 25);
  });

  it("orders channels B, G, R and normalises with SCHP's BGR mean and std", () => {
    expect(at(0, 1, 0)).toBeCloseTo(normalised(50, 0.406, 0.225), 5);
    expect(at(1, 1, 0)).toBeCloseTo(normalised(100, 0.456, 0.224), 5);
    expect(at(2, 1, 0)).toBeCloseTo(normalised(200, 0.485, 0.229), 5);
    // The red pixel sits at (1 + 1, 2) and only in the last (R) channel.
    expect(at(2, 2, 2)).toBeCloseTo(normalised(255, 0.485, 0.229), 5);
    expect(at(0, 2, 2)).toBeCloseTo(normalised(0, 0.406, 0.225), 5);
  });

  it("pads with black outside the image", () => {
    expect(at(0, 0, 3)).toBeCloseTo(normalised(0, 0.406, 0.225), 5);
    expect(at(2, 4, 0)).toBeCloseTo(normalised(0, 0.485, 0.229), 5);
  });

  it("interpolates bilinearly and rounds to 8 bits when scaling", () => {
    // 2×2 into 3²: k = 2, the centre input pixel is the mean of the four, rounded.
    const small = createImage(2, 2);
    [0, 10, 20, 31].forEach((v, i) => small.data.set([v, v, v, 255], i * 4));
    const { data: d } = schpInput(small, 3);
    expect(d[4]).toBeCloseTo(normalised(Math.round(61 / 4), 0.406, 0.225), 5);
  });
});

describe("schpInput, OpenCV's warp", () => {
  it("samples at 1/32-pixel positions with 15-bit weights (cv2.warpAffine on uint8)", () => {
    // 4×4 into 6²: k = 5/3, so input column 1 reads image x = 0.6. OpenCV: round(0.6·1024) = 614,
    // (614 + 16) >> 5 = 19 → fx = 19/32; 160·19·1024 = 3112960, (+16384) >> 15 = 95 (exact
    // bilinear: 0.6·160 = 96).
    const image = createImage(4, 4);
    for (let i = 0; i < 16; i++) image.data[i * 4 + 3] = 255;
    image.data.set([160, 160, 160, 255], 4);
    const { data } = schpInput(image, 6);
    expect(data[1]).toBeCloseTo(normalised(95, 0.406, 0.225), 6);
  });
});

describe("schpLabels", () => {
  it("upsamples with align_corners, warps back through the fit and takes the argmax", () => {
    // Channel 0 is 0; channel 1 ramps −1 → 1 across the 5² input after upsampling: positive for
    // u > 2. The 3×5 image sits at u = x + 1, so only column x = 2 is label 1 (x = 1 ties → 0).
    const logits = Float32Array.from([0, 0, 0, 0, -1, 1, -1, 1]);
    const labels = schpLabels(logits, [1, 2, 2, 2], 5, 3, 5);
    expect(Array.from(labels)).toEqual([0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1]);
  });

  it("follows the scale of the fit", () => {
    // 2×2 image into 3²: pixel x maps to u = 2x, which the align-corners upsample of [0 | 3]
    // over 3 columns gives 0 and 3: channel 1 (constant 1) wins on the left only.
    const logits = Float32Array.from([0, 3, 0, 3, 1, 1, 1, 1]);
    expect(Array.from(schpLabels(logits, [1, 2, 2, 2], 3, 2, 2))).toEqual([1, 0, 1, 0]);
  });

  it("rejects logits of another rank", () => {
    expect(() => schpLabels(new Float32Array(4), [2, 2], 5, 3, 5)).toThrow(/\[1, C, h, w\]/);
  });
});
