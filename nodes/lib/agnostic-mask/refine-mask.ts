import { contourArea } from "../opencv/contour-area";
import { fillPoly } from "../opencv/fill-poly";
import { findContours, type FindContoursOptions } from "../opencv/find-contours";

/**
 * Leffa's `refine_mask` (`leffa_utils/utils.py`), OpenCV-exact: `cv2.findContours(mask,
 * RETR_CCOMP, CHAIN_APPROX_TC89_L1)`, the first contour of largest |contourArea| (outer borders
 * and holes alike), drawn filled with `drawContours(…, 255, -1)`. The approximated polygon can
 * cut or add a pixel along slanted edges, as it does upstream.
 * Input: nonzero = set. Output: 0/255.
 */
export function refineMask(
  mask: Uint8Array,
  width: number,
  height: number,
  options: FindContoursOptions = {},
): Uint8Array {
  const contours = findContours(mask, width, height, "ccomp", "tc89-l1", options);
  const out = new Uint8Array(width * height);
  if (contours.length === 0) return out;
  let best = 0;
  let bestArea = -1;
  contours.forEach((c, i) => {
    const area = Math.abs(contourArea(c.points, true));
    // Python's list.index(max(...)): the first of equal maxima.
    if (area > bestArea) {
      bestArea = area;
      best = i;
    }
  });
  fillPoly(out, width, height, [contours[best].points], 255);
  return out;
}
