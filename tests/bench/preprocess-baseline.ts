/**
 * The studio's SCHP warps as they were before they became OpenCV-exact (exact-position bilinear
 * in doubles, rounded to 8 bits for the input), verbatim from the earlier `schp.ts`, and the
 * garment centring before it became Pillow-exact (the studio's Lanczos-3 on straight RGBA and an
 * alpha composite), kept only so `bench:preprocess` can print the cost of exactness as a ratio.
 * Production code uses `nodes/lib/parsing/schp.ts` and `nodes/lib/garment-prep.ts`.
 */
import type { RgbaImage } from "../../nodes/core/image";
import { compositeOver, solidImage } from "../../nodes/lib/composite";
import {
  alphaBox,
  cropPadded,
  GARMENT_SQUARE,
  GARMENT_TOP,
  garmentSquare,
  LEFFA_HEIGHT,
  LEFFA_WIDTH,
} from "../../nodes/lib/garment-prep";
import { resizeImage } from "../../nodes/lib/resample";
import { applyAffine, invertAffine, schpFitMatrix } from "../../nodes/lib/parsing/affine";
import { resizePlanesBilinear } from "../../nodes/lib/parsing/sample";

const BGR_MEAN = [0.406, 0.456, 0.485] as const;
const BGR_STD = [0.225, 0.224, 0.229] as const;

function sampleBilinearZero(
  plane: Float32Array,
  offset: number,
  width: number,
  height: number,
  x: number,
  y: number,
): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const inX0 = x0 >= 0 && x0 < width;
  const inX1 = x0 + 1 >= 0 && x0 + 1 < width;
  const row0 = y0 >= 0 && y0 < height ? offset + y0 * width : -1;
  const row1 = y0 + 1 >= 0 && y0 + 1 < height ? offset + (y0 + 1) * width : -1;
  const a = row0 >= 0 && inX0 ? plane[row0 + x0] : 0;
  const b = row0 >= 0 && inX1 ? plane[row0 + x0 + 1] : 0;
  const c = row1 >= 0 && inX0 ? plane[row1 + x0] : 0;
  const d = row1 >= 0 && inX1 ? plane[row1 + x0 + 1] : 0;
  const top = a * (1 - fx) + b * fx;
  const bottom = c * (1 - fx) + d * fx;
  return top * (1 - fy) + bottom * fy;
}

export function schpInputBefore(image: RgbaImage, size: number): { data: Float32Array } {
  const fit = schpFitMatrix(image.width, image.height, size);
  const back = invertAffine(fit);
  const { width, height, data } = image;
  const plane = size * size;
  const out = new Float32Array(3 * plane);
  // One channel plane of the source at a time, so the zero-border sampler can be reused.
  const channel = new Float32Array(width * height);
  for (let rgb = 0; rgb < 3; rgb++) {
    for (let i = 0; i < channel.length; i++) channel[i] = data[i * 4 + rgb];
    const bgr = 2 - rgb;
    const base = bgr * plane;
    for (let v = 0; v < size; v++) {
      for (let u = 0; u < size; u++) {
        const [x, y] = applyAffine(back, u, v);
        const value = Math.round(sampleBilinearZero(channel, 0, width, height, x, y));
        out[base + v * size + u] = (value / 255 - BGR_MEAN[bgr]) / BGR_STD[bgr];
      }
    }
  }
  return { data: out };
}

export function schpLabelsBefore(
  logits: Float32Array,
  dims: readonly number[],
  size: number,
  width: number,
  height: number,
): Uint8Array {
  if (dims.length !== 4 || dims[0] !== 1) {
    throw new Error(`expected SCHP logits of shape [1, C, h, w], got [${dims.join(", ")}]`);
  }
  const [, channels, h, w] = dims;
  const up = resizePlanesBilinear(logits, channels, h, w, size, size, true);
  const fit = schpFitMatrix(width, height, size);
  const plane = size * size;
  const out = new Uint8Array(width * height);
  // The taps depend only on the pixel: found once, then every channel is read at the same
  // offsets, with the arithmetic of sampleBilinearZero (taps outside the plane read 0).
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [u, v] = applyAffine(fit, x, y);
      const x0 = Math.floor(u);
      const y0 = Math.floor(v);
      const fx = u - x0;
      const fy = v - y0;
      const inX0 = x0 >= 0 && x0 < size;
      const inX1 = x0 + 1 >= 0 && x0 + 1 < size;
      const inY0 = y0 >= 0 && y0 < size;
      const inY1 = y0 + 1 >= 0 && y0 + 1 < size;
      const t00 = inX0 && inY0 ? y0 * size + x0 : -1;
      const t01 = inX1 && inY0 ? y0 * size + x0 + 1 : -1;
      const t10 = inX0 && inY1 ? (y0 + 1) * size + x0 : -1;
      const t11 = inX1 && inY1 ? (y0 + 1) * size + x0 + 1 : -1;
      let best = -Infinity;
      let label = 0;
      for (let c = 0, base = 0; c < channels; c++, base += plane) {
        const a = t00 < 0 ? 0 : up[base + t00];
        const b = t01 < 0 ? 0 : up[base + t01];
        const d = t10 < 0 ? 0 : up[base + t10];
        const e = t11 < 0 ? 0 : up[base + t11];
        const top = a * (1 - fx) + b * fx;
        const bottom = d * (1 - fx) + e * fx;
        const value = top * (1 - fy) + bottom * fy;
        if (value > best) {
          best = value;
          label = c;
        }
      }
      out[y * width + x] = label;
    }
  }
  return out;
}

/** `centreGarment` before Pillow exactness: Lanczos-3 on straight RGBA, composited over white. */
export function centreGarmentBefore(image: RgbaImage): RgbaImage {
  const box = alphaBox(image);
  if (!box) throw new Error("no garment found: the image is fully transparent");
  const square = garmentSquare(box, image.width, image.height);
  const resized = resizeImage(cropPadded(image, square), GARMENT_SQUARE, GARMENT_SQUARE, {
    filter: "lanczos3",
  });
  const canvas = solidImage(LEFFA_WIDTH, LEFFA_HEIGHT, [255, 255, 255, 255]);
  return compositeOver(canvas, resized, 0, GARMENT_TOP);
}
