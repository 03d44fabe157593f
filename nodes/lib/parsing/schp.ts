import type { RgbaImage } from "../../core/image";
import { applyTapsF32, warpAffineU8, warpTapsF32 } from "../opencv/warp-affine";
import { invertAffine, schpFitMatrix, type Affine } from "./affine";
import { resizePlanesBilinear } from "./sample";

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

const f32 = Math.fround;

/**
 * The network input: the whole image affine-fitted into size × size by cv2.warpAffine
 * (INTER_LINEAR on the uint8 BGR array, black border; OpenCV-exact), then torchvision's
 * ToTensor (/255) and Normalize in float32, planar. Alpha is ignored (the RGB stored under
 * transparent pixels is used as is).
 */
export function schpInput(image: RgbaImage, size: number): SchpInput {
  const fit = schpFitMatrix(image.width, image.height, size);
  const { width, height, data } = image;
  const bgr = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    bgr[3 * i] = data[4 * i + 2];
    bgr[3 * i + 1] = data[4 * i + 1];
    bgr[3 * i + 2] = data[4 * i];
  }
  const warped = warpAffineU8({ data: bgr, width, height, channels: 3 }, fit, size, size).data;
  const plane = size * size;
  const out = new Float32Array(3 * plane);
  for (let c = 0; c < 3; c++) {
    const mean = f32(BGR_MEAN[c]);
    const std = f32(BGR_STD[c]);
    for (let i = 0; i < plane; i++)
      out[c * plane + i] = f32(f32(f32(warped[3 * i + c] / 255) - mean) / std);
  }
  return { data: out, fit };
}

/**
 * Labels for every image pixel from the fusion logits (1 × C × h × w): bilinear upsample with
 * align_corners to size × size, then SCHP's `transform_logits` — each channel warped back to the
 * image with cv2.warpAffine (INTER_LINEAR, float32, black border; OpenCV-exact: 1/32-pixel
 * positions, float32 table weights) — and the argmax (first maximum wins, as np.argmax). The
 * warp's taps depend only on the pixel, so they are found once and every channel reuses them.
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
  // SCHP hands warpAffine the input → image matrix (get_affine_transform with inv=1); OpenCV
  // inverts it back to find each image pixel's input position.
  const toImage: Affine = invertAffine(schpFitMatrix(width, height, size));
  const taps = warpTapsF32(size, size, toImage, width, height);
  const plane = size * size;
  const best = applyTapsF32(up.subarray(0, plane), taps);
  const out = new Uint8Array(width * height);
  const v = new Float32Array(width * height);
  for (let c = 1; c < channels; c++) {
    applyTapsF32(up.subarray(c * plane, (c + 1) * plane), taps, v);
    for (let i = 0; i < v.length; i++) {
      if (v[i] > best[i]) {
        best[i] = v[i];
        out[i] = c;
      }
    }
  }
  return out;
}
