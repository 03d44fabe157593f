import { describe, expect, it } from "vitest";
import { createImage } from "../../core/image";
import {
  cropPersonForPose,
  cropToImage,
  imageToCrop,
  POSE_MEAN,
  POSE_STD,
  poseCropTransform,
  wholeImageBox,
} from "./pose-crop";

/** 10 × 14 photo: red = 10x + 2y (distinct per pixel), green 200, blue 0. */
function gradient() {
  const image = createImage(10, 14);
  for (let y = 0; y < 14; y++) {
    for (let x = 0; x < 10; x++) image.data.set([10 * x + 2 * y, 200, 0, 255], (y * 10 + x) * 4);
  }
  return image;
}

const normalised = (value: number, c: number) => (value - POSE_MEAN[c]) / POSE_STD[c];

/** Tensor value at channel c, crop pixel (u, v) of a w × h crop. */
const at = (t: Float32Array, w: number, h: number, c: number, u: number, v: number) =>
  t[c * w * h + v * w + u];

describe("poseCropTransform", () => {
  it("pads by 1.25 and heightens a wide box to 288:384", () => {
    // 300 × 100 → 375 × 125; 375 > 125 · 0.75, so height = 375 / 0.75 = 500.
    const t = poseCropTransform({ x1: 0, y1: 0, x2: 300, y2: 100 });
    expect(t).toEqual({
      centerX: 150,
      centerY: 50,
      scaleWidth: 375,
      scaleHeight: 500,
      inputWidth: 288,
      inputHeight: 384,
    });
  });

  it("widens a tall box", () => {
    // 100 × 400 → 125 × 500; width becomes 500 · 0.75 = 375.
    const t = poseCropTransform({ x1: 10, y1: 20, x2: 110, y2: 420 });
    expect([t.centerX, t.centerY, t.scaleWidth, t.scaleHeight]).toEqual([60, 220, 375, 500]);
  });

  it("maps the box centre to the crop centre and back", () => {
    const t = poseCropTransform({ x1: 10, y1: 20, x2: 110, y2: 420 });
    expect(imageToCrop(t, 60, 220)).toEqual([144, 192]);
    // Crop origin = centre − scale / 2.
    expect(cropToImage(t, 0, 0)).toEqual([60 - 187.5, 220 - 250]);
    expect(cropToImage(t, 288, 384)).toEqual([60 + 187.5, 220 + 250]);
    const [u, v] = imageToCrop(t, 33.3, 401.7);
    const [x, y] = cropToImage(t, u, v);
    expect(x).toBeCloseTo(33.3, 9);
    expect(y).toBeCloseTo(401.7, 9);
  });
});

describe("cropPersonForPose", () => {
  it("puts the pixel at the box centre at the crop centre, normalised", () => {
    // A 6 × 8 model input and padding 1, so the box (2, 4)–(8, 12) maps 1:1 with crop (u, v) =
    // photo (u + 2, v + 4); its centre (5, 8) lands on crop (3, 4).
    const crop = cropPersonForPose(
      gradient(),
      { x1: 2, y1: 4, x2: 8, y2: 12 },
      { inputWidth: 6, inputHeight: 8, padding: 1 },
    );
    expect(crop.tensor.length).toBe(3 * 6 * 8);
    expect(at(crop.tensor, 6, 8, 0, 3, 4)).toBeCloseTo(normalised(10 * 5 + 2 * 8, 0), 5);
    expect(at(crop.tensor, 6, 8, 0, 0, 0)).toBeCloseTo(normalised(10 * 2 + 2 * 4, 0), 5);
    expect(at(crop.tensor, 6, 8, 0, 5, 7)).toBeCloseTo(normalised(10 * 7 + 2 * 11, 0), 5);
    expect(at(crop.tensor, 6, 8, 1, 3, 4)).toBeCloseTo((200 - 116.28) / 57.12, 5);
    expect(at(crop.tensor, 6, 8, 2, 3, 4)).toBeCloseTo(-103.53 / 57.375, 5);
  });

  it("interpolates bilinearly at integer crop coordinates (no half-pixel shift)", () => {
    // Box 3 × 4 into 6 × 8: photo = (u / 2 + 3.5, v / 2 + 6).
    const crop = cropPersonForPose(
      gradient(),
      { x1: 3.5, y1: 6, x2: 6.5, y2: 10 },
      { inputWidth: 6, inputHeight: 8, padding: 1 },
    );
    // (3.5, 6): red 35 + 12 = 47; (4, 6.5): 40 + 13 = 53; (5, 7.5): 50 + 15 = 65.
    expect(at(crop.tensor, 6, 8, 0, 0, 0)).toBeCloseTo(normalised(47, 0), 5);
    expect(at(crop.tensor, 6, 8, 0, 1, 1)).toBeCloseTo(normalised(53, 0), 5);
    expect(at(crop.tensor, 6, 8, 0, 3, 3)).toBeCloseTo(normalised(65, 0), 5);
  });

  it("fills outside the photo with black and fades across its edge", () => {
    // Box (−4, −4)–(2, 4): photo = (u − 4, v − 4); the photo starts at crop (4, 4).
    const crop = cropPersonForPose(
      gradient(),
      { x1: -4, y1: -4, x2: 2, y2: 4 },
      { inputWidth: 6, inputHeight: 8, padding: 1 },
    );
    for (let c = 0; c < 3; c++)
      expect(at(crop.tensor, 6, 8, c, 0, 0)).toBeCloseTo(normalised(0, c), 5);
    expect(at(crop.tensor, 6, 8, 1, 4, 4)).toBeCloseTo(normalised(200, 1), 5);
    expect(at(crop.tensor, 6, 8, 1, 3, 4)).toBeCloseTo(normalised(0, 1), 5);
    // Half a pixel outside: half photo, half black border.
    const half = cropPersonForPose(
      gradient(),
      { x1: -3, y1: 0, x2: 0, y2: 4 },
      { inputWidth: 6, inputHeight: 8, padding: 1 },
    );
    // Box 3 × 4 into 6 × 8: photo = (u / 2 − 3, v / 2); crop (5, 0) is photo (−0.5, 0), half
    // of pixel (0, 0) and half border.
    expect(at(half.tensor, 6, 8, 1, 5, 0)).toBeCloseTo(normalised(100, 1), 5);
  });

  it("reads BGR when asked, normalising by tensor channel index", () => {
    const crop = cropPersonForPose(
      gradient(),
      { x1: 2, y1: 4, x2: 8, y2: 12 },
      { inputWidth: 6, inputHeight: 8, padding: 1, channelOrder: "bgr" },
    );
    expect(at(crop.tensor, 6, 8, 0, 3, 4)).toBeCloseTo(normalised(0, 0), 5);
    expect(at(crop.tensor, 6, 8, 2, 3, 4)).toBeCloseTo(normalised(66, 2), 5);
  });

  it("makes the [1, 3, 384, 288] tensor of the DWPose contract by default", () => {
    const crop = cropPersonForPose(gradient(), wholeImageBox(10, 14));
    expect(crop.tensor.length).toBe(3 * 384 * 288);
    expect(crop.transform.centerX).toBe(5);
    expect(crop.transform.centerY).toBe(7);
    // 10 × 14 · 1.25 = 12.5 × 17.5; 12.5 < 17.5 · 0.75, so 13.125 × 17.5.
    expect(crop.transform.scaleWidth).toBeCloseTo(13.125, 12);
    expect(crop.transform.scaleHeight).toBe(17.5);
  });
});
