import { createImage, type RgbaImage } from "../core/image";
import { CancelledError } from "../core/types";
import { compositeOver, solidImage } from "./composite";
import type { Box } from "./crop";
import { alphaOf, isOpaque, rgbaFrom, rgbOf } from "./opencv/rgba";
import { resizeU8 } from "./opencv/resize";
import { alphaBand, pilPaste } from "./pil-paste";
import { pilResizeRgba } from "./pil-resample";

/**
 * Leffa's garment and person preparation (`leffa_utils/utils.py`): `preprocess_garment_image`
 * centres a cut-out garment on a white 768×1024 canvas, `resize_and_center` fits any image inside
 * it. Both give Leffa's working size, 768×1024.
 */

export const LEFFA_WIDTH = 768;
export const LEFFA_HEIGHT = 1024;
/** The garment's square is resized to the canvas width and pasted this far down. */
export const GARMENT_SQUARE = 768;
export const GARMENT_TOP = (LEFFA_HEIGHT - GARMENT_SQUARE) / 2;

const WHITE = [255, 255, 255, 255] as const;

/** The smallest box holding every pixel whose alpha is not 0 (PIL's `getbbox`), or null. */
export function alphaBox(image: RgbaImage): Box | null {
  const { width, height, data } = image;
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (data[(y * width + x) * 4 + 3] === 0) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      y1 = y;
    }
  }
  return x1 < 0 ? null : { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/**
 * Leffa's square around the garment: side = the box's longer side, centred on the box (integer
 * halves, as Python's //), then pushed back inside the image. A square larger than the image
 * still overhangs it (on the right or bottom after the push): that part is transparent.
 */
export function garmentSquare(box: Box, width: number, height: number): Box {
  const side = Math.max(box.width, box.height);
  const cx = box.x + Math.floor(box.width / 2);
  const cy = box.y + Math.floor(box.height / 2);
  const place = (centre: number, limit: number) => {
    let start = centre - Math.floor(side / 2);
    if (start < 0) start = 0;
    if (start + side > limit) start = limit - side;
    return start;
  };
  return { x: place(cx, width), y: place(cy, height), width: side, height: side };
}

/** Copies `box` out of the image; parts of the box outside the image are transparent black. */
export function cropPadded(image: RgbaImage, box: Box): RgbaImage {
  const out = createImage(box.width, box.height);
  const x0 = Math.max(0, box.x);
  const x1 = Math.min(image.width, box.x + box.width);
  if (x1 <= x0) return out;
  for (let y = Math.max(0, box.y); y < Math.min(image.height, box.y + box.height); y++) {
    const from = (y * image.width + x0) * 4;
    out.data.set(
      image.data.subarray(from, from + (x1 - x0) * 4),
      ((y - box.y) * box.width + (x0 - box.x)) * 4,
    );
  }
  return out;
}

/**
 * `preprocess_garment_image`: the garment's alpha box → Leffa's square (`Image.crop`, transparent
 * beyond the image) → 768×768 with Pillow's LANCZOS on premultiplied RGBA → `paste` at (0, 128)
 * on a white 768×1024 canvas with its own alpha as the mask, all Pillow-exact (pil-resample.ts,
 * pil-paste.ts). Pillow's paste blends the alpha band too, leaving the outline partly
 * transparent; Leffa's app then passes the image through `resize_and_center`, whose
 * cv2 RGBA → RGB drops that alpha, so the result here is opaque with the same RGB. Throws when
 * the image is fully transparent.
 */
export function centreGarment(
  image: RgbaImage,
  signal?: AbortSignal,
): { image: RgbaImage; box: Box; square: Box } {
  const box = alphaBox(image);
  if (!box) throw new Error("no garment found: the image is fully transparent");
  const square = garmentSquare(box, image.width, image.height);
  const crop = cropPadded(image, square);
  const resized = pilResizeRgba(crop, GARMENT_SQUARE, GARMENT_SQUARE, "lanczos", signal);
  const canvas = solidImage(LEFFA_WIDTH, LEFFA_HEIGHT, WHITE);
  pilPaste(canvas, resized, 0, GARMENT_TOP, alphaBand(resized));
  for (let i = 3; i < canvas.data.length; i += 4) canvas.data[i] = 255;
  return { image: canvas, box, square };
}

/** Where `resize_and_center` puts a width × height image inside target: size and offset. */
export function centreFitBox(width: number, height: number, target: Box): Box {
  const scale = Math.min(target.height / height, target.width / width);
  // Python's int() truncates; the same double arithmetic gives the same sizes.
  const w = Math.max(1, Math.trunc(width * scale));
  const h = Math.max(1, Math.trunc(height * scale));
  return {
    x: target.x + Math.floor((target.width - w) / 2),
    y: target.y + Math.floor((target.height - h) / 2),
    width: w,
    height: h,
  };
}

/**
 * `resize_and_center`: the image scaled to fit inside width × height with cv2's INTER_CUBIC
 * (OpenCV-exact on the RGB values), centred on white, opaque. Transparent parts are drawn over
 * the white (Leffa's RGBA → RGB would show whatever colour they store): for such images the alpha
 * is resized the same way and composited; opaque images come out as Leffa's do.
 */
export function fitOnWhite(
  image: RgbaImage,
  width = LEFFA_WIDTH,
  height = LEFFA_HEIGHT,
  signal?: AbortSignal,
): { image: RgbaImage; placed: Box } {
  if (signal?.aborted) throw new CancelledError();
  const placed = centreFitBox(image.width, image.height, { x: 0, y: 0, width, height });
  let resized = image;
  if (placed.width !== image.width || placed.height !== image.height) {
    const rgb = resizeU8(rgbOf(image), placed.width, placed.height, "cubic");
    const alpha = isOpaque(image)
      ? undefined
      : resizeU8(alphaOf(image), placed.width, placed.height, "cubic");
    resized = rgbaFrom(rgb, alpha);
  }
  const canvas = solidImage(width, height, WHITE);
  return { image: compositeOver(canvas, resized, placed.x, placed.y), placed };
}
