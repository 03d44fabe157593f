import { createImage, type RgbaImage } from "../../core/image";
import { pilGaussianBlur } from "../pil-gaussian-blur";

/**
 * Leffa's optional "repaint" (leffa.md §2.5 step 12, `do_repaint` in leffa/pipeline.py): the
 * binary mask is blurred and used to blend the generated frame back over the person, so only the
 * garment region changes and its border fades in:
 *   mask = mask.filter(ImageFilter.GaussianBlur(radius))     # 8-bit, Pillow's box cascade
 *   out = (person · (1 − mask / 255) + generated · mask / 255).astype(uint8)
 * with radius = H // 100 made odd (11 at 1024 px, 5 at 512 px). The blur is Pillow's own
 * algorithm and rounding (pil-gaussian-blur.ts), and the blend is the same float64 arithmetic
 * truncated to 8 bits, so every pixel matches Leffa's for the same person, generation and mask.
 * (Leffa converts its mask to RGB before blurring: three equal bands, blurred alike.)
 */

export function repaintRadius(height: number): number {
  const radius = Math.floor(height / 100);
  return radius % 2 === 0 ? radius + 1 : radius;
}

/** The mask as Leffa hands it to Pillow: binarised, then numpy_to_pil's round(x · 255). */
export function repaintMask(
  mask: Float32Array,
  width: number,
  height: number,
  signal?: AbortSignal,
): Uint8Array {
  const hard = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) hard[i] = mask[i] >= 0.5 ? 255 : 0;
  return pilGaussianBlur(hard, width, height, repaintRadius(height), signal);
}

export function repaint(
  person: RgbaImage,
  generated: RgbaImage,
  mask: Float32Array,
  signal?: AbortSignal,
): RgbaImage {
  const { width, height } = generated;
  if (person.width !== width || person.height !== height || mask.length !== width * height) {
    throw new Error("repaint needs the person, the generated frame and the mask at one size");
  }
  const blurred = repaintMask(mask, width, height, signal);
  const out = createImage(width, height);
  const p = person.data;
  const g = generated.data;
  const d = out.data;
  for (let i = 0; i < mask.length; i++) {
    // np.array(mask) / 255 in float64; astype(uint8) truncates the non-negative blend.
    const m = blurred[i] / 255;
    for (let c = 0; c < 3; c++) {
      const k = i * 4 + c;
      d[k] = Math.trunc(p[k] * (1 - m) + g[k] * m);
    }
    d[i * 4 + 3] = 255;
  }
  return out;
}
