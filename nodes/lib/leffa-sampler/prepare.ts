import { createImage, createMask, type Mask, type RgbaImage } from "../../core/image";
import { planResize, scaleRect, type ResizePlan } from "../fit";
import { resizeImage, resizeMask } from "../resample";

/**
 * Image preparation for the Leffa sampler (leffa.md §2.2, §2.5 steps 1 and 3): every input is
 * fitted, aspect kept, into the working frame (Leffa's resize_and_center on a 768 × 1024 canvas),
 * turned into planar float tensors, and the mask and DensePose are brought to latent size with
 * PyTorch's nearest rule.
 */

export interface Frame {
  readonly width: number;
  readonly height: number;
}

/** The latent grid of a frame: SD1.5's VAE downsamples by 8. */
export const LATENT_FACTOR = 8;

/** Parses "1024x768" (height × width, as the node's option reads) into a frame. */
export function parseResolution(value: string): Frame {
  const match = /^(\d+)x(\d+)$/.exec(value);
  if (!match) throw new Error(`resolution must read HEIGHTxWIDTH, got "${value}"`);
  const frame = { height: Number(match[1]), width: Number(match[2]) };
  if (frame.width % 64 !== 0 || frame.height % 64 !== 0 || !frame.width || !frame.height) {
    throw new Error(`resolution ${value}: both sides must be positive multiples of 64`);
  }
  return frame;
}

/** How an input of the given size sits in the frame (centred, aspect kept, as resize_and_center). */
export function planFrame(srcWidth: number, srcHeight: number, frame: Frame): ResizePlan {
  return planResize(srcWidth, srcHeight, frame.width, frame.height, "pad");
}

/**
 * An image fitted into the frame on a solid background. Transparent pixels are first flattened
 * onto the background colour (Leffa's RGBA → RGB conversion keeps whatever colour a transparent
 * pixel stores, which for cut-out garments is arbitrary; the background is the sensible reading).
 * Lanczos-3 stands in for the reference's bicubic + Lanczos pair.
 */
export function fitImage(
  image: RgbaImage,
  frame: Frame,
  background: readonly [number, number, number],
  signal?: AbortSignal,
): RgbaImage {
  const plan = planFrame(image.width, image.height, frame);
  const flat = flatten(image, background);
  const scaled =
    plan.scaledWidth === image.width && plan.scaledHeight === image.height
      ? flat
      : resizeImage(flat, plan.scaledWidth, plan.scaledHeight, { filter: "lanczos3", signal });
  const out = createImage(frame.width, frame.height);
  const d = out.data;
  for (let i = 0; i < d.length; i += 4) {
    d[i] = background[0];
    d[i + 1] = background[1];
    d[i + 2] = background[2];
    d[i + 3] = 255;
  }
  for (let y = 0; y < plan.scaledHeight; y++) {
    const from = y * plan.scaledWidth * 4;
    const to = ((plan.offsetY + y) * frame.width + plan.offsetX) * 4;
    d.set(scaled.data.subarray(from, from + plan.scaledWidth * 4), to);
  }
  return out;
}

function flatten(image: RgbaImage, background: readonly [number, number, number]): RgbaImage {
  const out = createImage(image.width, image.height, Uint8ClampedArray.from(image.data));
  const d = out.data;
  for (let i = 0; i < d.length; i += 4) {
    const a = d[i + 3] / 255;
    if (a === 1) continue;
    for (let c = 0; c < 3; c++) d[i + c] = d[i + c] * a + background[c] * (1 - a);
    d[i + 3] = 255;
  }
  return out;
}

/**
 * A mask fitted into the frame the way its person image is (`plan`, made for the person's size;
 * a mask of another size is scaled to it), outside = 0 (keep), then binarised: ≥ 0.5 → 1.
 */
export function fitMaskToFrame(
  mask: Mask,
  personWidth: number,
  personHeight: number,
  frame: Frame,
): Mask {
  const plan = planFrame(personWidth, personHeight, frame);
  const rect = scaleRect(
    { x: 0, y: 0, width: personWidth, height: personHeight },
    mask.width / personWidth,
    mask.height / personHeight,
  );
  const scaled = resizeMask(mask, plan.scaledWidth, plan.scaledHeight, { rect });
  const out = createMask(frame.width, frame.height);
  for (let y = 0; y < plan.scaledHeight; y++) {
    for (let x = 0; x < plan.scaledWidth; x++) {
      const v = scaled.data[y * plan.scaledWidth + x];
      out.data[(plan.offsetY + y) * frame.width + plan.offsetX + x] = v >= 0.5 ? 1 : 0;
    }
  }
  return out;
}

/** RGB as planar 3 × H × W floats in [-1, 1] (x / 127.5 − 1), as VaeImageProcessor normalises. */
export function toSignedPlanar(image: RgbaImage): Float32Array {
  const plane = image.width * image.height;
  const out = new Float32Array(3 * plane);
  const d = image.data;
  for (let i = 0; i < plane; i++) {
    out[i] = d[i * 4] / 127.5 - 1;
    out[plane + i] = d[i * 4 + 1] / 127.5 - 1;
    out[2 * plane + i] = d[i * 4 + 2] / 127.5 - 1;
  }
  return out;
}

/** person · (mask < 0.5): the region to repaint becomes 0, mid-grey in [-1, 1]. */
export function maskedPerson(person: Float32Array, mask: Float32Array): Float32Array {
  const plane = mask.length;
  if (person.length !== 3 * plane) throw new Error("the person and its mask differ in size");
  const out = new Float32Array(person.length);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < plane; i++) out[c * plane + i] = mask[i] < 0.5 ? person[c * plane + i] : 0;
  }
  return out;
}

/**
 * F.interpolate(mode="nearest") of planar channels from H × W to h × w: output (i, j) takes source
 * (⌊i·H/h⌋, ⌊j·W/w⌋), clamped to the last row/column (PyTorch's legacy "nearest", not
 * "nearest-exact").
 */
export function nearestDownsample(
  planes: Float32Array,
  channels: number,
  width: number,
  height: number,
  outWidth: number,
  outHeight: number,
): Float32Array {
  if (planes.length !== channels * width * height) {
    throw new Error(`expected ${channels}×${height}×${width} values, got ${planes.length}`);
  }
  const out = new Float32Array(channels * outWidth * outHeight);
  const sx = width / outWidth;
  const sy = height / outHeight;
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < outHeight; i++) {
      const y = Math.min(height - 1, Math.floor(i * sy));
      for (let j = 0; j < outWidth; j++) {
        const x = Math.min(width - 1, Math.floor(j * sx));
        out[(c * outHeight + i) * outWidth + j] = planes[(c * height + y) * width + x];
      }
    }
  }
  return out;
}

/**
 * The generated frame back at the person's own size: the region the person occupied in the frame
 * (white bars dropped) resized to the person's width × height.
 */
export function unfitImage(
  generated: RgbaImage,
  personWidth: number,
  personHeight: number,
  signal?: AbortSignal,
): RgbaImage {
  const plan = planFrame(personWidth, personHeight, generated);
  if (plan.scaledWidth === generated.width && plan.scaledHeight === generated.height) {
    if (personWidth === generated.width && personHeight === generated.height) return generated;
  }
  return resizeImage(generated, personWidth, personHeight, {
    filter: "lanczos3",
    signal,
    rect: { x: plan.offsetX, y: plan.offsetY, width: plan.scaledWidth, height: plan.scaledHeight },
  });
}
