import type { RgbaImage } from "../../core/image";
import { resizeImage } from "../resample";
import { argmaxPlanes, resizePlanesBilinear } from "./sample";

/**
 * SegFormer-B2 "clothes" (mattmdjaga/segformer_b2_clothes) pre- and post-processing, as the
 * Hugging Face image processor does it. Its 18 labels are ATR's, in the same order, so the label
 * map feeds Leffa's mask rules directly (without the neck label, which needs LIP).
 */

export const SEGFORMER_SIZE = 512;
const RGB_MEAN = [0.485, 0.456, 0.406] as const;
const RGB_STD = [0.229, 0.224, 0.225] as const;

/** 1 × 3 × 512 × 512: resized without keeping the aspect, RGB, /255, ImageNet mean/std. */
export function segformerInput(image: RgbaImage, signal?: AbortSignal): Float32Array {
  const size = SEGFORMER_SIZE;
  // The processor sees RGB only: make the image opaque first so transparent pixels keep their
  // stored colour instead of being dropped by the alpha-weighted resize.
  const opaque = { ...image, data: Uint8ClampedArray.from(image.data) };
  for (let i = 3; i < opaque.data.length; i += 4) opaque.data[i] = 255;
  const resized = resizeImage(opaque, size, size, { signal });
  const plane = size * size;
  const out = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) {
      out[c * plane + i] = (resized.data[i * 4 + c] / 255 - RGB_MEAN[c]) / RGB_STD[c];
    }
  }
  return out;
}

/**
 * Labels at width × height from logits [1, C, h, w] (a quarter of the input's size): bilinear
 * upsample with half-pixel centres (align_corners=False), then argmax.
 */
export function segformerLabels(
  logits: Float32Array,
  dims: readonly number[],
  width: number,
  height: number,
): Uint8Array {
  if (dims.length !== 4 || dims[0] !== 1) {
    throw new Error(`expected SegFormer logits of shape [1, C, h, w], got [${dims.join(", ")}]`);
  }
  const [, channels, h, w] = dims;
  const up = resizePlanesBilinear(logits, channels, h, w, height, width, false);
  return argmaxPlanes(up, channels, width * height);
}
