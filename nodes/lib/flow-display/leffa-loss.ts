import type { Mask, RgbaImage } from "../../core/image";
import { fitMask } from "../resample";
import { upsampleFlow } from "./upsample-flow";
import { warpByFlow } from "./warp";

/**
 * The Leffa-loss diagnostic (leffa.md §3.1 step 7): how well the attention's flow explains the
 * result, as the masked L2 between the warped garment and the generated image inside the garment
 * mask. The paper does not confirm its normalisation; we use a mean, so the number does not grow
 * with the image or mask size: for each pixel the squared RGB difference in [0, 1], averaged over
 * the three channels, then averaged over the mask weighted by its value (a hard mask gives the
 * plain mean over its pixels). Alpha is ignored. 0 = the warp reproduces the result exactly;
 * 1 = every channel is off by the full range.
 */

export interface MaskedL2 {
  /** The weighted mean squared difference, or null when the mask selects nothing. */
  readonly value: number | null;
  /** Pixels with a mask value above 0. */
  readonly pixels: number;
}

export function maskedL2(warped: RgbaImage, target: RgbaImage, mask: Mask): MaskedL2 {
  if (warped.width !== target.width || warped.height !== target.height) {
    throw new Error(
      `maskedL2: the warped garment is ${warped.width}×${warped.height}, ` +
        `the target ${target.width}×${target.height}`,
    );
  }
  const m = fitMask(mask, target.width, target.height).data;
  const a = warped.data;
  const b = target.data;
  let sum = 0;
  let weight = 0;
  let pixels = 0;
  for (let i = 0; i < m.length; i++) {
    const w = Math.min(1, m[i]);
    if (!(w > 0)) continue;
    const p = i * 4;
    const dr = a[p] - b[p];
    const dg = a[p + 1] - b[p + 1];
    const db = a[p + 2] - b[p + 2];
    sum += w * (dr * dr + dg * dg + db * db);
    weight += w;
    pixels++;
  }
  return { value: pixels === 0 ? null : sum / (weight * 3 * 255 * 255), pixels };
}

/**
 * The loss of one layer's flow: upsample [gridHeight · gridWidth · 2] to the result's size, warp
 * the reference with it, and take `maskedL2` against the result.
 */
export function flowLoss(
  reference: RgbaImage,
  result: RgbaImage,
  mask: Mask,
  flow: Float32Array,
  gridWidth: number,
  gridHeight: number,
): MaskedL2 {
  const up = upsampleFlow(flow, gridWidth, gridHeight, result.width, result.height);
  return maskedL2(warpByFlow(reference, up, result.width, result.height), result, mask);
}
