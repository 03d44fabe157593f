import { createImage, createMask, type Mask, type RgbaImage } from "../core/image";

/**
 * Porter–Duff "over" on straight (not premultiplied) RGBA8: draws `overlay` with its top-left at
 * (x, y) on a copy of `base`. Each overlay pixel's coverage is its alpha times `mask` (same size
 * as the overlay; 1 everywhere when absent). The result keeps the base's size.
 */
export function compositeOver(
  base: RgbaImage,
  overlay: RgbaImage,
  x: number,
  y: number,
  mask?: Mask,
): RgbaImage {
  if (mask && (mask.width !== overlay.width || mask.height !== overlay.height)) {
    throw new Error("the mask must have the overlay's size");
  }
  const out = createImage(base.width, base.height, Uint8ClampedArray.from(base.data));
  const d = out.data;
  const o = overlay.data;
  // Only the rows and columns where the overlay and the base overlap.
  const x0 = Math.max(0, x);
  const y0 = Math.max(0, y);
  const x1 = Math.min(base.width, x + overlay.width);
  const y1 = Math.min(base.height, y + overlay.height);
  for (let by = y0; by < y1; by++) {
    const oy = by - y;
    for (let bx = x0; bx < x1; bx++) {
      const oi = oy * overlay.width + (bx - x);
      const op = oi * 4;
      const bp = (by * base.width + bx) * 4;
      const top = (o[op + 3] / 255) * (mask ? Math.min(1, Math.max(0, mask.data[oi])) : 1);
      if (top === 0) continue;
      const bottom = (d[bp + 3] / 255) * (1 - top);
      const alpha = top + bottom;
      for (let c = 0; c < 3; c++) d[bp + c] = (o[op + c] * top + d[bp + c] * bottom) / alpha;
      d[bp + 3] = alpha * 255;
    }
  }
  return out;
}

/** A width × height image filled with one RGBA colour. */
export function solidImage(
  width: number,
  height: number,
  rgba: readonly [number, number, number, number],
): RgbaImage {
  const image = createImage(width, height);
  for (let i = 0; i < image.data.length; i += 4) image.data.set(rgba, i);
  return image;
}

/** Places `mask` with its top-left at (x, y) on a width × height mask of zeros. */
export function placeMask(mask: Mask, width: number, height: number, x: number, y: number): Mask {
  const out = createMask(width, height);
  for (let my = 0; my < mask.height; my++) {
    const ty = my + y;
    if (ty < 0 || ty >= height) continue;
    for (let mx = 0; mx < mask.width; mx++) {
      const tx = mx + x;
      if (tx >= 0 && tx < width) out.data[ty * width + tx] = mask.data[my * mask.width + mx];
    }
  }
  return out;
}
