import type { RgbaImage } from "../../core/image";

/**
 * The YOLOX person detector's input, as controlnet_aux `dw_onnx/cv_ox_det.py preprocess` builds
 * it: the photo scaled by r = min(640/h, 640/w) with cv2 INTER_LINEAR, pasted at the top-left of a
 * 114-grey 640 × 640 canvas, then HWC → CHW as float32 holding the raw 0..255 values (YOLOX was
 * exported without mean/std, so no normalisation here).
 */

/**
 * Channel order written into tensors. controlnet_aux hands the detector and the pose model the
 * RGB array it gets from ComfyUI unchanged, so "rgb" is its behaviour; the original DWPose code read
 * photos with cv2 (BGR) and fed them as they were, so "bgr" reproduces that.
 */
export type ChannelOrder = "rgb" | "bgr";

export const DETECTOR_INPUT_SIZE = 640;

/** The grey the reference fills the unused part of the canvas with. */
export const LETTERBOX_FILL = 114;

export interface LetterboxOptions {
  /** Side of the square canvas; default 640. */
  readonly size?: number;
  /** Default "rgb" (controlnet_aux). */
  readonly channelOrder?: ChannelOrder;
}

export interface Letterbox {
  /** [1, 3, size, size], raw 0..255. */
  readonly tensor: Float32Array;
  readonly size: number;
  /** Image pixels × ratio = canvas pixels; detector boxes are divided by it. */
  readonly ratio: number;
  /** The part of the canvas covered by the scaled photo (from the top-left). */
  readonly scaledWidth: number;
  readonly scaledHeight: number;
}

/**
 * For each output index, the two source indices and the weight of the second, with cv2's
 * INTER_LINEAR convention: pixel centres at half-integers, the source coordinate clamped to the
 * edge pixels, and no low-pass when shrinking (cv2.resize samples two taps whatever the scale;
 * the detector was run on such images, so we do not average areas like nodes/lib/resample.ts).
 */
function linearTaps(
  srcLength: number,
  dstLength: number,
): { lo: Int32Array; hi: Int32Array; f: Float64Array } {
  const lo = new Int32Array(dstLength);
  const hi = new Int32Array(dstLength);
  const f = new Float64Array(dstLength);
  const scale = srcLength / dstLength;
  for (let i = 0; i < dstLength; i++) {
    const c = Math.min(srcLength - 1, Math.max(0, (i + 0.5) * scale - 0.5));
    const p = Math.floor(c);
    lo[i] = p;
    hi[i] = Math.min(p + 1, srcLength - 1);
    f[i] = c - p;
  }
  return { lo, hi, f };
}

/** Builds the detector input; the image's alpha is ignored (the reference takes 3-channel RGB). */
export function letterboxForDetector(image: RgbaImage, options: LetterboxOptions = {}): Letterbox {
  const size = options.size ?? DETECTOR_INPUT_SIZE;
  const order = options.channelOrder ?? "rgb";
  const ratio = Math.min(size / image.height, size / image.width);
  // The reference sizes the resized image with int(), i.e. truncation.
  const scaledWidth = Math.max(1, Math.trunc(image.width * ratio));
  const scaledHeight = Math.max(1, Math.trunc(image.height * ratio));
  const plane = size * size;
  const tensor = new Float32Array(3 * plane).fill(LETTERBOX_FILL);
  // Source channel feeding tensor channel 0, 1, 2.
  const source = order === "rgb" ? [0, 1, 2] : [2, 1, 0];
  const tx = linearTaps(image.width, scaledWidth);
  const ty = linearTaps(image.height, scaledHeight);
  const d = image.data;
  const rowStride = image.width * 4;
  for (let y = 0; y < scaledHeight; y++) {
    const row0 = ty.lo[y] * rowStride;
    const row1 = ty.hi[y] * rowStride;
    const fy = ty.f[y];
    for (let x = 0; x < scaledWidth; x++) {
      const c0 = tx.lo[x] * 4;
      const c1 = tx.hi[x] * 4;
      const fx = tx.f[x];
      for (let c = 0; c < 3; c++) {
        const s = source[c];
        const top = d[row0 + c0 + s] * (1 - fx) + d[row0 + c1 + s] * fx;
        const bottom = d[row1 + c0 + s] * (1 - fx) + d[row1 + c1 + s] * fx;
        // cv2 keeps the uint8 type of the photo, so the resized values are whole numbers.
        tensor[c * plane + y * size + x] = Math.round(top * (1 - fy) + bottom * fy);
      }
    }
  }
  return { tensor, size, ratio, scaledWidth, scaledHeight };
}
