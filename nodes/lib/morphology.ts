import { createMask, type Mask } from "../core/image";
import { CancelledError } from "../core/types";

/**
 * Exact Euclidean morphology through a distance transform: a pixel is within radius r of the
 * selection exactly when its squared distance to the nearest selected pixel is at most r². The
 * transform is separable (a column scan, then the lower envelope of parabolas along rows, after
 * Felzenszwalb & Huttenlocher), so the cost is linear in the pixel count whatever the radius.
 */

/** "No feature in this column". Real squared distances are capped just below it. */
const NONE = 0x7fffffff;
/**
 * Int32 keeps the column buffer at 4 bytes a pixel; a distance over 46,340 px (only in freakishly
 * tall masks) is stored as this cap, which is still far beyond any grow radius.
 */
const CAP = NONE - 1;

const ROWS_PER_CHECK = 64;

/** Squared vertical distance from each pixel to the nearest feature pixel in its column. */
function columnPass(features: Uint8Array, width: number, height: number): Int32Array {
  const g = new Int32Array(width * height);
  for (let x = 0; x < width; x++) {
    let last = -1;
    for (let y = 0; y < height; y++) {
      if (features[y * width + x]) last = y;
      g[y * width + x] = last < 0 ? NONE : Math.min(CAP, (y - last) * (y - last));
    }
    last = -1;
    for (let y = height - 1; y >= 0; y--) {
      if (features[y * width + x]) last = y;
      if (last >= 0) {
        const d = Math.min(CAP, (last - y) * (last - y));
        if (d < g[y * width + x]) g[y * width + x] = d;
      }
    }
  }
  return g;
}

/** Scratch buffers for `rowPass`, reused across rows. */
interface RowScratch {
  readonly v: Int32Array;
  readonly z: Float64Array;
}

/**
 * One row of the 2-D transform: out[q] = min over p of (q − p)² + g[p], computed as the lower
 * envelope of the parabolas rooted at the columns that have a feature. Columns without one are
 * skipped rather than given a huge sentinel, which would lose precision in the intersections.
 */
function rowPass(
  g: Int32Array,
  offset: number,
  width: number,
  out: Float64Array,
  scratch: RowScratch,
): void {
  const { v, z } = scratch;
  let k = -1;
  for (let q = 0; q < width; q++) {
    const fq = g[offset + q];
    if (fq === NONE) continue;
    if (k < 0) {
      k = 0;
      v[0] = q;
      z[0] = -Infinity;
      z[1] = Infinity;
      continue;
    }
    let s: number;
    for (;;) {
      const p = v[k];
      s = (fq + q * q - (g[offset + p] + p * p)) / (2 * (q - p));
      if (s > z[k]) break;
      k--;
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = Infinity;
  }
  if (k < 0) {
    out.fill(Infinity);
    return;
  }
  k = 0;
  for (let q = 0; q < width; q++) {
    while (z[k + 1] < q) k++;
    const p = v[k];
    out[q] = (q - p) * (q - p) + g[offset + p];
  }
}

/**
 * Squared Euclidean distance from every pixel to the nearest pixel where `features` is non-zero
 * (0 on features, Infinity when there are none at all). Exact for distances up to 46,340 px.
 */
export function squaredDistanceTransform(
  features: Uint8Array,
  width: number,
  height: number,
): Float64Array {
  const g = columnPass(features, width, height);
  const out = new Float64Array(width * height);
  const row = new Float64Array(width);
  const scratch = { v: new Int32Array(width), z: new Float64Array(width + 1) };
  for (let y = 0; y < height; y++) {
    rowPass(g, y * width, width, row, scratch);
    out.set(row, y * width);
  }
  return out;
}

/**
 * Grows (radius > 0) or shrinks (radius < 0) the selection by a Euclidean disc of |radius| px.
 * The mask is binarised at 0.5 first: morphology on a hard edge is exact, and Mask Ops feathers
 * afterwards when a soft edge is wanted. Outside the image counts as neither selected nor not,
 * so a mask covering the whole image stays whole when shrunk.
 */
export function growMask(mask: Mask, radius: number, signal?: AbortSignal): Mask {
  const r = Math.trunc(radius);
  const { width, height } = mask;
  if (r === 0) return mask;
  const shrink = r < 0;
  const features = new Uint8Array(width * height);
  // Growing measures the distance to the selection; shrinking, to the unselected part.
  for (let i = 0; i < features.length; i++) {
    const selected = mask.data[i] >= 0.5;
    features[i] = selected !== shrink ? 1 : 0;
  }
  if (signal?.aborted) throw new CancelledError();
  const g = columnPass(features, width, height);
  const out = createMask(width, height);
  const row = new Float64Array(width);
  const scratch = { v: new Int32Array(width), z: new Float64Array(width + 1) };
  const r2 = r * r;
  for (let y = 0; y < height; y++) {
    if (y % ROWS_PER_CHECK === 0 && signal?.aborted) throw new CancelledError();
    rowPass(g, y * width, width, row, scratch);
    const base = y * width;
    // Grow: selected when the selection is within the radius. Shrink: selected when no
    // unselected pixel is (which also implies the pixel itself was selected).
    for (let x = 0; x < width; x++) {
      const near = row[x] <= r2;
      out.data[base + x] = near !== shrink ? 1 : 0;
    }
  }
  return out;
}
