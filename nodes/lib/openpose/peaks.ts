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

/**
 * A heatmap at the photo's size whose values may be produced on demand: `prepare` makes
 * `values` valid over a rectangle, `bound` gives an upper bound of |value| over one (inclusive
 * corners), from which whole blocks are skipped.
 */
export interface HeatmapSource {
  readonly width: number;
  readonly height: number;
  readonly values: ArrayLike<number>;
  bound(x0: number, y0: number, x1: number, y1: number): number;
  /** Upper bounds of |value| over every `cell` × `cell` square, row-major, ceil(W / cell) wide. */
  cellBounds(cell: number): Float64Array;
  prepare(x0: number, y0: number, x1: number, y1: number): void;
}

/** A heatmap held whole: bounds from 8×8 block maxima. */
export function arraySource(
  values: ArrayLike<number>,
  width: number,
  height: number,
): HeatmapSource {
  const bw = Math.ceil(width / BLOCK);
  const bh = Math.ceil(height / BLOCK);
  const blockMax = new Float64Array(bw * bh);
  for (let y = 0; y < height; y++) {
    const row = ((y / BLOCK) | 0) * bw;
    for (let x = 0; x < width; x++) {
      const v = Math.abs(values[y * width + x]);
      const b = row + ((x / BLOCK) | 0);
      if (v > blockMax[b]) blockMax[b] = v;
    }
  }
  return {
    width,
    height,
    values,
    bound(x0, y0, x1, y1) {
      let most = 0;
      for (let by = (y0 / BLOCK) | 0; by <= ((y1 / BLOCK) | 0); by++) {
        for (let bx = (x0 / BLOCK) | 0; bx <= ((x1 / BLOCK) | 0); bx++) {
          most = Math.max(most, blockMax[by * bw + bx]);
        }
      }
      return most;
    },
    cellBounds(cell) {
      const cw = Math.ceil(width / cell);
      const out = new Float64Array(cw * Math.ceil(height / cell));
      for (let y = 0; y < height; y++) {
        const row = ((y / cell) | 0) * cw;
        for (let x = 0; x < width; x++) {
          const v = Math.abs(values[y * width + x]);
          const c = row + ((x / cell) | 0);
          if (v > out[c]) out[c] = v;
        }
      }
      return out;
    },
    prepare() {},
  };
}

/** Work buffers of one map's size, reusable from map to map (every value read is written first). */
export interface PeakScratch {
  readonly vertical: Float64Array;
  readonly smoothed: Float64Array;
}

export function peakScratch(width: number, height: number): PeakScratch {
  return {
    vertical: new Float64Array(width * height),
    smoothed: new Float64Array(width * height),
  };
}

const CELL = 4;

/**
 * Whether block (bx, by) can hold a smoothed value above the threshold. The smoothed value at p is
 * Σ w(q − p)·raw(q) ≤ Σ over 4×4 cells of (the most kernel weight any pixel of the block puts in
 * the cell) × (max |raw| in the cell), the weights being separable; a block whose window reaches
 * the border (where 'reflect' folds weights back) uses max |raw| over its window × Σw instead.
 * Both are upper bounds, so a skipped block holds no peak.
 */
function blockTest(
  source: HeatmapSource,
  kernel: Float64Array,
  threshold: number,
): (bx: number, by: number) => boolean {
  const { width, height } = source;
  const r = (kernel.length - 1) / 2;
  let weightSum = 0;
  for (const w of kernel) weightSum += w;
  // The margin covers float rounding of the smoothed sums and of the bounds.
  const margin = 1 + 1e-9;
  const coarse = (bx: number, by: number) =>
    source.bound(
      Math.max(0, bx * BLOCK - r),
      Math.max(0, by * BLOCK - r),
      Math.min(width - 1, (bx + 1) * BLOCK - 1 + r),
      Math.min(height - 1, (by + 1) * BLOCK - 1 + r),
    ) *
      weightSum *
      weightSum *
      margin >
    threshold;
  const span = BLOCK + 2 * r;
  if (r % CELL !== 0 || span % CELL !== 0) return coarse;
  const cells = span / CELL;
  const mass = new Float64Array(cells);
  for (let k = 0; k < cells; k++) {
    for (let p = 0; p < BLOCK; p++) {
      let m = 0;
      for (let q = 0; q < CELL; q++) {
        const d = k * CELL + q - r - p;
        if (d >= -r && d <= r) m += kernel[d + r];
      }
      mass[k] = Math.max(mass[k], m);
    }
  }
  const cw = Math.ceil(width / CELL);
  const cellMax = source.cellBounds(CELL);
  return (bx, by) => {
    const x0 = bx * BLOCK - r;
    const y0 = by * BLOCK - r;
    if (x0 < 0 || y0 < 0 || x0 + span > width || y0 + span > height) return coarse(bx, by);
    const cx0 = x0 / CELL;
    const cy0 = y0 / CELL;
    let sum = 0;
    for (let k = 0; k < cells; k++) {
      let rowSum = 0;
      const row = (cy0 + k) * cw + cx0;
      for (let l = 0; l < cells; l++) rowSum += mass[l] * cellMax[row + l];
      sum += mass[k] * rowSum;
    }
    return sum * margin > threshold;
  };
}

/** `peaksOf(raw, gaussianFilter(raw, …), …)` without smoothing the whole map. */
export function sparsePeaks(
  source: HeatmapSource,
  firstId: number,
  scratch: PeakScratch = peakScratch(source.width, source.height),
  sigma = PEAK_SIGMA,
  threshold = PEAK_THRESHOLD,
): Peak[] {
  const { width, height } = source;
  const kernel = gaussianKernel(sigma);
  const r = (kernel.length - 1) / 2;
  const w0 = kernel[r];
  const bw = Math.ceil(width / BLOCK);
  const bh = Math.ceil(height / BLOCK);
  // Reflected row and column indices, offset by r: reflectedY[y + r] for y in [−r, height + r).
  const reflectedY = Int32Array.from({ length: height + 2 * r }, (_, i) =>
    reflectIndex(i - r, height),
  );
  const reflectedX = Int32Array.from({ length: width + 2 * r }, (_, i) =>
    reflectIndex(i - r, width),
  );
  const { vertical, smoothed } = scratch;
  const found: { x: number; y: number }[] = [];
  const raw = source.values;

  // Which blocks can hold a value above the threshold, as runs [first, last] per block row.
  const canPass = blockTest(source, kernel, threshold);
  const runs: [number, number][][] = [];
  for (let by = 0; by < bh; by++) {
    const row: [number, number][] = [];
    let start = -1;
    for (let bx = 0; bx <= bw; bx++) {
      const on = bx < bw && canPass(bx, by);
      if (on && start < 0) start = bx;
      if (!on && start >= 0) {
        row.push([start, bx - 1]);
        start = -1;
      }
    }
    runs.push(row);
    for (const [first, last] of row) {
      source.prepare(
        Math.max(0, first * BLOCK - 1 - r),
        Math.max(0, by * BLOCK - 1 - r),
        Math.min(width - 1, (last + 1) * BLOCK + r),
        Math.min(height - 1, (by + 1) * BLOCK + r),
      );
    }
  }

  // Smoothed values, row by row, over the runs' columns plus a one-pixel ring (the neighbours a
  // peak is compared with): the rows of active blocks and the rows just above and below them.
  // Loops run tap by tap over a row span; each value still sums its taps in NI_Correlate1D's
  // order (centre first, then the outermost pair inwards).
  for (let y = 0; y < height; y++) {
    const by = (y / BLOCK) | 0;
    const spans: [number, number][] = [];
    const add = (list: readonly [number, number][] | undefined) => {
      for (const [first, last] of list ?? []) {
        spans.push([Math.max(0, first * BLOCK - 1), Math.min(width - 1, (last + 1) * BLOCK)]);
      }
    };
    add(runs[by]);
    if (y % BLOCK === BLOCK - 1) add(runs[by + 1]);
    if (y % BLOCK === 0) add(runs[by - 1]);
    for (const [x0, x1] of spans) {
      const vx0 = Math.max(0, x0 - r);
      const vx1 = Math.min(width - 1, x1 + r);
      const centre = y * width;
      for (let x = vx0; x <= vx1; x++) vertical[centre + x] = raw[centre + x] * w0;
      for (let j = r; j >= 1; j--) {
        const up = reflectedY[y - j + r] * width;
        const down = reflectedY[y + j + r] * width;
        const k = kernel[r - j];
        for (let x = vx0; x <= vx1; x++) {
          vertical[centre + x] += (raw[up + x] + raw[down + x]) * k;
        }
      }
      for (let x = x0; x <= x1; x++) smoothed[centre + x] = vertical[centre + x] * w0;
      for (let j = r; j >= 1; j--) {
        const k = kernel[r - j];
        for (let x = x0; x <= x1; x++) {
          smoothed[centre + x] +=
            (vertical[centre + reflectedX[x - j + r]] + vertical[centre + reflectedX[x + j + r]]) *
            k;
        }
      }
    }
  }

  for (let by = 0; by < bh; by++) {
    for (const [first, last] of runs[by]) {
      for (let y = by * BLOCK; y < Math.min(height, (by + 1) * BLOCK); y++) {
        for (let x = first * BLOCK; x < Math.min(width, (last + 1) * BLOCK); x++) {
          const i = y * width + x;
          const v = smoothed[i];
          if (!(v > threshold)) continue;
          if (y > 0 && !(v >= smoothed[i - width])) continue;
          if (y < height - 1 && !(v >= smoothed[i + width])) continue;
          if (x > 0 && !(v >= smoothed[i - 1])) continue;
          if (x < width - 1 && !(v >= smoothed[i + 1])) continue;
          found.push({ x, y });
        }
      }
    }
  }
  // np.nonzero's row-major order, not the blocks'.
  found.sort((a, b) => a.y - b.y || a.x - b.x);
  return found.map(({ x, y }, k) => ({ x, y, score: raw[y * width + x], id: firstId + k }));
}

/** Every part's peaks: `heatmap(part)` is that part's map at the photo's size. */
export function findAllPeaks(
  heatmap: (part: number) => HeatmapSource,
  parts: number,
  signal?: AbortSignal,
): Peak[][] {
  const all: Peak[][] = [];
  let next = 0;
  let scratch: PeakScratch | undefined;
  for (let part = 0; part < parts; part++) {
    signal?.throwIfAborted();
    const source = heatmap(part);
    scratch ??= peakScratch(source.width, source.height);
    const peaks = sparsePeaks(source, next, scratch);
    all.push(peaks);
    next += peaks.length;
  }
  return all;
}
