import type { RgbaImage } from "../../core/image";
import { rgbOf } from "../opencv/rgba";
import { resizeU8 } from "../opencv/resize";

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
  // cv2.resize INTER_LINEAR on the 3-channel array, OpenCV-exact (two taps whatever the scale:
  // no low-pass when shrinking, which the detector was run with).
  const scaled = resizeU8(rgbOf(image), scaledWidth, scaledHeight, "linear").data;
  for (let y = 0; y < scaledHeight; y++) {
    for (let x = 0; x < scaledWidth; x++) {
      const p = (y * scaledWidth + x) * 3;
      for (let c = 0; c < 3; c++) tensor[c * plane + y * size + x] = scaled[p + source[c]];
    }
  }
  return { tensor, size, ratio, scaledWidth, scaledHeight };
}
