import type { RgbaImage } from "../core/image";

/**
 * Pillow's `Image.paste(im, (x, y), mask)` for RGBA images with an 8-bit mask, bit for bit
 * (src/libImaging/Paste.c `paste_mask_L` / `paste_mask_RGBA`: an "L" mask and an RGBA mask's
 * alpha band blend the same way). Every band, alpha included, becomes
 * BLEND(m, out, in) = DIV255(out · (255 − m) + in · m), with DIV255(v) = ((t >> 8) + t) >> 8 for
 * t = v + 128: Pillow's rounded division by 255. Alpha is blended like a colour, not composited,
 * so pasting a half-transparent pixel onto an opaque one leaves it partly transparent.
 *
 * Leffa's `preprocess_garment_image` pastes the resized garment onto white with its own alpha
 * as the mask. The part of `im` outside `base` is clipped, as Pillow clips it.
 */

/** Pillow's BLEND macro for one 8-bit value. */
export function pilBlend(mask: number, under: number, over: number): number {
  const t = under * (255 - mask) + over * mask + 128;
  return ((t >> 8) + t) >> 8;
}

/** The alpha band of an RGBA image as an 8-bit mask (what `paste` reads from an RGBA mask). */
export function alphaBand(image: RgbaImage): Uint8Array {
  const out = new Uint8Array(image.width * image.height);
  for (let i = 0; i < out.length; i++) out[i] = image.data[i * 4 + 3];
  return out;
}

/**
 * Pastes `image` into `base` (in place) with its top-left corner at (x, y), blending by `mask`
 * (one byte per pixel of `image`).
 */
export function pilPaste(
  base: RgbaImage,
  image: RgbaImage,
  x: number,
  y: number,
  mask: Uint8Array,
): void {
  if (mask.length !== image.width * image.height) {
    throw new Error("the paste mask must have the pasted image's size");
  }
  // ImagingPaste's clipping: shift the source start where the box starts left of or above base.
  const sx = Math.max(0, -x);
  const sy = Math.max(0, -y);
  const dx = Math.max(0, x);
  const dy = Math.max(0, y);
  const w = Math.min(image.width - sx, base.width - dx);
  const h = Math.min(image.height - sy, base.height - dy);
  if (w <= 0 || h <= 0) return;
  const out = base.data;
  const src = image.data;
  for (let row = 0; row < h; row++) {
    for (let col = 0; col < w; col++) {
      const si = (row + sy) * image.width + col + sx;
      const m = mask[si];
      const o = ((row + dy) * base.width + col + dx) * 4;
      const s = si * 4;
      for (let c = 0; c < 4; c++) out[o + c] = pilBlend(m, out[o + c], src[s + c]);
    }
  }
}
