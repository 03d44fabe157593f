import type { RgbaImage } from "../../core/image";
import { DENSEPOSE_PART_LABELS, vitonHdPalette, type DensePoseEncoding } from "./encodings";

/**
 * Reading a DensePose image the user already has back into part indices, so it can be checked
 * against the encoding a Leffa model expects, or converted to another encoding.
 */

export interface DecodedDensePose {
  /** Fine part index per pixel, 0 (background) … 24, row-major. */
  readonly parts: Uint8Array;
  /**
   * Pixels whose colour is not exactly one the encoding can produce (they were decoded to the
   * nearest valid value). Non-zero means the image was resized, compressed or is of another
   * encoding; a large share of the image means it is probably the wrong encoding.
   */
  readonly mismatched: number;
}

/**
 * The inverse of the renderers in encodings.ts, where one exists:
 * - viton_hd: nearest of the 25 colours (black + 24 PARULA entries), squared RGB distance,
 *   ties to the lower index;
 * - dress_code: I is in R = G = B; decoded as the channel mean rounded and capped at 24;
 * - pose_transfer: I is the B channel (capped at 24). U and V are not recoverable: they were
 *   min-max normalised per image, so only the part map comes back.
 * Alpha is ignored.
 */
export function decodeDensePoseImage(
  image: RgbaImage,
  encoding: DensePoseEncoding,
): DecodedDensePose {
  switch (encoding) {
    case "viton_hd":
      return decodeVitonHd(image);
    case "dress_code":
      return decodeGrey(image);
    case "pose_transfer":
      return decodeBlue(image);
  }
}

function decodeVitonHd(image: RgbaImage): DecodedDensePose {
  const palette = vitonHdPalette();
  const colours = palette.length / 3;
  const exact = new Map<number, number>();
  for (let part = 0; part < colours; part++) {
    exact.set(pack(palette[part * 3], palette[part * 3 + 1], palette[part * 3 + 2]), part);
  }
  // Real images have few distinct colours; remembering each answer keeps this linear in pixels.
  const nearestCache = new Map<number, number>();
  const { data } = image;
  const parts = new Uint8Array(image.width * image.height);
  let mismatched = 0;
  for (let p = 0; p < parts.length; p++) {
    const r = data[p * 4];
    const g = data[p * 4 + 1];
    const b = data[p * 4 + 2];
    const key = pack(r, g, b);
    const hit = exact.get(key);
    if (hit !== undefined) {
      parts[p] = hit;
      continue;
    }
    mismatched++;
    let part = nearestCache.get(key);
    if (part === undefined) {
      part = 0;
      let best = Infinity;
      for (let k = 0; k < colours; k++) {
        const dr = r - palette[k * 3];
        const dg = g - palette[k * 3 + 1];
        const db = b - palette[k * 3 + 2];
        const d = dr * dr + dg * dg + db * db;
        if (d < best) {
          best = d;
          part = k;
        }
      }
      nearestCache.set(key, part);
    }
    parts[p] = part;
  }
  return { parts, mismatched };
}

/** Decodes pixel by pixel: `read` gives the part index and whether the pixel had to be snapped. */
function decodePixels(
  image: RgbaImage,
  read: (r: number, g: number, b: number) => readonly [part: number, snapped: boolean],
): DecodedDensePose {
  const { data } = image;
  const parts = new Uint8Array(image.width * image.height);
  let mismatched = 0;
  for (let p = 0; p < parts.length; p++) {
    const [part, snapped] = read(data[p * 4], data[p * 4 + 1], data[p * 4 + 2]);
    parts[p] = part;
    if (snapped) mismatched++;
  }
  return { parts, mismatched };
}

const decodeGrey = (image: RgbaImage) =>
  decodePixels(image, (r, g, b) => [
    Math.min(DENSEPOSE_PART_LABELS, Math.round((r + g + b) / 3)),
    r !== g || g !== b || r > DENSEPOSE_PART_LABELS,
  ]);

const decodeBlue = (image: RgbaImage) =>
  decodePixels(image, (_r, _g, b) => [
    Math.min(DENSEPOSE_PART_LABELS, b),
    b > DENSEPOSE_PART_LABELS,
  ]);

function pack(r: number, g: number, b: number): number {
  return (r << 16) | (g << 8) | b;
}
