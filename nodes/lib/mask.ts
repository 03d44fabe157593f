import { createImage, createMask, type Mask, type RgbaImage } from "../core/image";

/** Per-pixel mask arithmetic shared by Load Image, Mask From Alpha and Mask Ops. */

/**
 * The alpha channel as a mask: opaque = 1 (selected), transparent = 0. Note this is the opposite
 * of ComfyUI's LoadImage, which selects the transparent part; here a cut-out's subject is the
 * selection.
 */
export function maskFromAlpha(image: RgbaImage, invert = false): Mask {
  const mask = createMask(image.width, image.height);
  const { data } = image;
  for (let i = 0; i < mask.data.length; i++) {
    const v = data[i * 4 + 3] / 255;
    mask.data[i] = invert ? 1 - v : v;
  }
  return mask;
}

/** A mask drawn as an opaque greyscale image (white = selected), for previews. */
export function maskToImage(mask: Mask): RgbaImage {
  const image = createImage(mask.width, mask.height);
  for (let i = 0; i < mask.data.length; i++) {
    const v = Math.round(mask.data[i] * 255);
    image.data[i * 4] = image.data[i * 4 + 1] = image.data[i * 4 + 2] = v;
    image.data[i * 4 + 3] = 255;
  }
  return image;
}

export function invertMask(mask: Mask): Mask {
  const out = createMask(mask.width, mask.height);
  for (let i = 0; i < out.data.length; i++) out.data[i] = 1 - mask.data[i];
  return out;
}

export type CombineOp = "union" | "intersect" | "subtract";

/**
 * Fuzzy-set combination of two equally sized masks: union = max, intersect = min,
 * subtract = a − b clamped at 0 (so hard masks behave like set difference).
 */
export function combineMasks(a: Mask, b: Mask, op: CombineOp): Mask {
  if (a.width !== b.width || a.height !== b.height) {
    throw new Error(`mask sizes differ: ${a.width}×${a.height} and ${b.width}×${b.height}`);
  }
  const out = createMask(a.width, a.height);
  const x = a.data;
  const y = b.data;
  const o = out.data;
  switch (op) {
    case "union":
      for (let i = 0; i < o.length; i++) o[i] = Math.max(x[i], y[i]);
      break;
    case "intersect":
      for (let i = 0; i < o.length; i++) o[i] = Math.min(x[i], y[i]);
      break;
    case "subtract":
      for (let i = 0; i < o.length; i++) o[i] = Math.max(0, x[i] - y[i]);
      break;
  }
  return out;
}
