import { gaussianKernel, reflectIndex } from "./gaussian-filter";

/**
 * The annotator's heatmap peaks (`Body.__call__`): each part's map smoothed by a Gaussian of σ 3,
 * a peak wherever the smoothed value exceeds 0.1 and is ≥ its four neighbours (0 beyond the
 * border), listed in row-major order (`np.nonzero`), scored by the *unsmoothed* map and numbered
 * across all parts in order.
 *
 * Smoothing the whole 384×512 map 18 times costs far more than the 50 ms the step may take, yet
 * only pixels near strong responses can pass the 0.1 threshold: a Gaussian of weights summing to
 * 1 cannot exceed the largest |value| within its radius. `sparsePeaks` therefore skips every 8×8
 * block whose neighbourhood holds nothing above the threshold and evaluates the smoothed map
 * elsewhere value by value, with the same operations in the same order as the full filter, so
 * the peaks and their order are the same (the tests compare both on the same maps).
 */

export const PEAK_SIGMA = 3;
export const PEAK_THRESHOLD = 0.1;

export interface Peak {
  readonly x: number;
  readonly y: number;
  /** The heatmap's value at the peak before smoothing. */
  readonly score: number;
  /** Index in the list of every part's peaks (the annotator's `candidate` row). */
  readonly id: number;
}

/** Peaks of one smoothed map, numbered from `firstId`. */
export function peaksOf(
  raw: ArrayLike<number>,
  smoothed: Float64Array,
  width: number,
  height: number,
  firstId: number,
  threshold = PEAK_THRESHOLD,
): Peak[] {
  const peaks: Peak[] = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const v = smoothed[i];
      if (!(v > threshold)) continue;
      if (y > 0 && !(v >= smoothed[i - width])) continue;
      if (y < height - 1 && !(v >= smoothed[i + width])) continue;
      if (x > 0 && !(v >= smoothed[i - 1])) continue;
      if (x < width - 1 && !(v >= smoothed[i + 1])) continue;
      peaks.push({ x, y, score: raw[i], id: firstId + peaks.length });
    }
  }
  return peaks;
}

const BLOCK = 8;

/** `peaksOf(raw, gaussianFilter(raw, …), …)` without smoothing the whole map. */
export function sparsePeaks(
  raw: ArrayLike<number>,
  width: number,
  height: number,
  firstId: number,
  sigma = PEAK_SIGMA,
  threshold = PEAK_THRESHOLD,
): Peak[] {
  const kernel = gaussianKernel(sigma);
  const r = (kernel.length - 1) / 2;
  const w0 = kernel[r];
  let weightSum = 0;
  for (const w of kernel) weightSum += w;
  // |smoothed| ≤ (Σw)² · max |raw| over the window; the margin covers float rounding.
  const bound = weightSum * weightSum * (1 + 1e-9);
  const bw = Math.ceil(width / BLOCK);
  const bh = Math.ceil(height / BLOCK);
  const blockMax = new Float64Array(bw * bh);
  for (let y = 0; y < height; y++) {
    const row = Math.floor(y / BLOCK) * bw;
    for (let x = 0; x < width; x++) {
      const v = Math.abs(raw[y * width + x]);
      const b = row + Math.floor(x / BLOCK);
      if (v > blockMax[b]) blockMax[b] = v;
    }
  }
  const reach = Math.ceil(r / BLOCK);
  const vertical = new Float64Array(width * height).fill(Number.NaN);
  const smoothed = new Float64Array(width * height).fill(Number.NaN);
  const reflectY = (i: number) => reflectIndex(i, height);
  const reflectX = (i: number) => reflectIndex(i, width);
  const verticalAt = (y: number, x: number): number => {
    const i = y * width + x;
    let v = vertical[i];
    if (v === v) return v;
    v = raw[i] * w0;
    for (let j = r; j >= 1; j--) {
      v += (raw[reflectY(y - j) * width + x] + raw[reflectY(y + j) * width + x]) * kernel[r - j];
    }
    vertical[i] = v;
    return v;
  };
  const smoothedAt = (y: number, x: number): number => {
    const i = y * width + x;
    let v = smoothed[i];
    if (v === v) return v;
    v = verticalAt(y, x) * w0;
    for (let j = r; j >= 1; j--) {
      v += (verticalAt(y, reflectX(x - j)) + verticalAt(y, reflectX(x + j))) * kernel[r - j];
    }
    smoothed[i] = v;
    return v;
  };
  const found: { x: number; y: number }[] = [];
  for (let by = 0; by < bh; by++) {
    for (let bx = 0; bx < bw; bx++) {
      let near = 0;
      for (let ny = Math.max(0, by - reach); ny <= Math.min(bh - 1, by + reach); ny++) {
        for (let nx = Math.max(0, bx - reach); nx <= Math.min(bw - 1, bx + reach); nx++) {
          near = Math.max(near, blockMax[ny * bw + nx]);
        }
      }
      if (!(near * bound > threshold)) continue;
      for (let y = by * BLOCK; y < Math.min(height, (by + 1) * BLOCK); y++) {
        for (let x = bx * BLOCK; x < Math.min(width, (bx + 1) * BLOCK); x++) {
          const v = smoothedAt(y, x);
          if (!(v > threshold)) continue;
          if (y > 0 && !(v >= smoothedAt(y - 1, x))) continue;
          if (y < height - 1 && !(v >= smoothedAt(y + 1, x))) continue;
          if (x > 0 && !(v >= smoothedAt(y, x - 1))) continue;
          if (x < width - 1 && !(v >= smoothedAt(y, x + 1))) continue;
          found.push({ x, y });
        }
      }
    }
  }
  // np.nonzero's row-major order, not the blocks'.
  found.sort((a, b) => a.y - b.y || a.x - b.x);
  return found.map(({ x, y }, k) => ({ x, y, score: raw[y * width + x], id: firstId + k }));
}

/** Every part's peaks: `heatmap(part)` is that part's width × height map at image size. */
export function findAllPeaks(
  heatmap: (part: number) => ArrayLike<number>,
  parts: number,
  width: number,
  height: number,
  signal?: AbortSignal,
): Peak[][] {
  const all: Peak[][] = [];
  let next = 0;
  for (let part = 0; part < parts; part++) {
    signal?.throwIfAborted();
    const peaks = sparsePeaks(heatmap(part), width, height, next);
    all.push(peaks);
    next += peaks.length;
  }
  return all;
}
