import type { RgbaImage } from "../../core/image";
import { applyAffine, invertAffine, schpFitMatrix, type Affine } from "./affine";
import { resizePlanesBilinear, sampleBilinearZero } from "./sample";

/**
 * SCHP (Self-Correction Human Parsing) pre- and post-processing as Leffa's `parsing_api.py` runs
 * the ATR (512²) and LIP (473²) ONNX files.
 */

/** ToTensor + Normalize in SCHP's BGR channel order. */
const BGR_MEAN = [0.406, 0.456, 0.485] as const;
const BGR_STD = [0.225, 0.224, 0.229] as const;

export interface SchpInput {
  /** 1 × 3 × size × size, BGR, normalised. */
  readonly data: Float32Array;
  /** Image pixel → input pixel. */
  readonly fit: Affine;
}

/**
 * The network input: the whole image affine-fitted into size × size (bilinear, black border),
 * RGB → BGR, rounded to 8 bits as OpenCV's warp of a uint8 image is, /255, mean/std, planar.
 * Alpha is ignored (the RGB stored under transparent pixels is used as is).
 */
export function schpInput(image: RgbaImage, size: number): SchpInput {
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
  return { data: out, fit };
}

/**
 * Labels for every image pixel from the fusion logits (1 × C × h × w): bilinear upsample with
 * align_corners to size × size, then each image pixel samples the upsampled logits where the fit
 * put it (the inverse warp, bilinear) and takes the argmax. Warping every channel first and then
 * taking the argmax, as SCHP does, gives the same labels; this avoids a C × width × height copy.
 */
export function schpLabels(
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
