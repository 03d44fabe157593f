import { createMask, type Mask, type RgbaImage } from "../../core/image";
import { compositeOver } from "../composite";
import { fitMask } from "../resample";

/**
 * How much of the warped garment shows inside the mask by default: mostly the garment, with the
 * result still faintly visible underneath so misalignments read as ghosting.
 */
export const DEFAULT_OVERLAY_OPACITY = 0.75;

/**
 * The Flow Field node's "warped" view (leffa.md §3.2 display a): the warped garment alpha-blended
 * over the result inside `mask` (usually the garment / agnostic mask), each pixel's coverage being
 * mask × opacity; outside the mask the result is unchanged. A mask of another size is resampled
 * (area / bilinear) to the result's.
 */
export function overlayWarped(
  result: RgbaImage,
  warped: RgbaImage,
  mask: Mask,
  opacity: number = DEFAULT_OVERLAY_OPACITY,
): RgbaImage {
  if (warped.width !== result.width || warped.height !== result.height) {
    throw new Error(
      `overlayWarped: the warped garment is ${warped.width}×${warped.height}, ` +
        `the result ${result.width}×${result.height}`,
    );
  }
  if (!(opacity >= 0 && opacity <= 1)) {
    throw new Error(`overlayWarped: opacity must be in [0, 1], got ${opacity}`);
  }
  const fitted = fitMask(mask, result.width, result.height);
  const coverage = createMask(result.width, result.height);
  for (let i = 0; i < coverage.data.length; i++) coverage.data[i] = fitted.data[i] * opacity;
  return compositeOver(result, warped, 0, 0, coverage);
}
