import { createImage, type RgbaImage } from "../../core/image";
import { gaussianBlur } from "../blur";

/**
 * Leffa's optional "repaint" (leffa.md §2.5 step 12, `do_repaint` in leffa/pipeline.py): the
 * binary mask is blurred and used to blend the generated frame back over the person, so only the
 * garment region changes and its border fades in:
 *   out = person · (1 − m) + generated · m,  m = GaussianBlur(mask, radius) / 255,
 * with radius = H // 100 made odd (11 at 1024 px, 5 at 512 px). PIL's GaussianBlur takes the
 * radius as the standard deviation; the blurred mask is 8-bit in PIL, so it is rounded to 1/255
 * steps here too, and the blend is truncated to 8 bits as numpy's astype(uint8) does.
 */

export function repaintRadius(height: number): number {
  const radius = Math.floor(height / 100);
  return radius % 2 === 0 ? radius + 1 : radius;
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
  const hard = new Float32Array(mask.length);
  for (let i = 0; i < mask.length; i++) hard[i] = mask[i] >= 0.5 ? 255 : 0;
  const blurred = gaussianBlur(hard, width, height, repaintRadius(height), signal);
  const out = createImage(width, height);
  const p = person.data;
  const g = generated.data;
  const d = out.data;
  for (let i = 0; i < mask.length; i++) {
    const m = Math.min(255, Math.max(0, Math.round(blurred[i]))) / 255;
    for (let c = 0; c < 3; c++) {
      const k = i * 4 + c;
      d[k] = Math.floor(p[k] * (1 - m) + g[k] * m);
    }
    d[i * 4 + 3] = 255;
  }
  return out;
}
