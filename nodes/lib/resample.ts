import { createImage, createMask, type Mask, type RgbaImage } from "../core/image";
import { CancelledError } from "../core/types";

/**
 * Separable resampling for images and masks, in plain TypeScript so it gives the same pixels in
 * the browser worker and under Node. Per axis, the default filter averages areas when shrinking
 * (every source pixel contributes by its overlap, so no aliasing) and interpolates bilinearly when
 * enlarging. The Lanczos-3 filter is sharper both ways (the Upscaler's model-free resize and its
 * 4×→2× reduction) at the price of slight ringing at hard edges.
 */

export type ResampleFilter = "area-bilinear" | "lanczos3";

/** A rectangle of the source in pixel units; fractional edges are allowed (Resize "fill"). */
export interface SourceRect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface ResampleOptions {
  /** The part of the source to map onto the output; the whole source when absent. */
  readonly rect?: SourceRect;
  /** Default "area-bilinear". */
  readonly filter?: ResampleFilter;
  readonly signal?: AbortSignal;
  /** Called now and then with output rows done and the total. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** For each output index, `taps` source indices and weights (unused taps have weight 0). */
interface Taps {
  readonly taps: number;
  readonly index: Int32Array;
  readonly weight: Float32Array;
}

const ROWS_PER_CHECK = 64;

const LANCZOS_LOBES = 3;

function lanczos(x: number): number {
  if (x === 0) return 1;
  if (Math.abs(x) >= LANCZOS_LOBES) return 0;
  const px = Math.PI * x;
  return (LANCZOS_LOBES * Math.sin(px) * Math.sin(px / LANCZOS_LOBES)) / (px * px);
}

/**
 * Lanczos-3 weights. When shrinking, the kernel is stretched by the scale so it also low-passes
 * (no aliasing); taps falling outside the source are clamped to the edge pixel, and each output's
 * weights are normalised to sum to 1 so flat areas stay exactly flat.
 */
function buildLanczosTaps(srcLength: number, start: number, span: number, dstLength: number): Taps {
  const scale = span / dstLength;
  const stretch = Math.max(1, scale);
  const radius = LANCZOS_LOBES * stretch;
  const taps = Math.ceil(radius) * 2 + 1;
  const index = new Int32Array(dstLength * taps);
  const weight = new Float32Array(dstLength * taps);
  for (let i = 0; i < dstLength; i++) {
    const centre = start + (i + 0.5) * scale - 0.5;
    const first = Math.ceil(centre - radius);
    let sum = 0;
    for (let k = 0; k < taps; k++) {
      const p = first + k;
      const w = lanczos((p - centre) / stretch);
      index[i * taps + k] = Math.min(srcLength - 1, Math.max(0, p));
      weight[i * taps + k] = w;
      sum += w;
    }
    for (let k = 0; k < taps; k++) weight[i * taps + k] /= sum;
  }
  return { taps, index, weight };
}

/**
 * Weights mapping source span [start, start + span) of an axis of `srcLength` pixels onto
 * `dstLength` output pixels.
 */
function buildTaps(
  srcLength: number,
  start: number,
  span: number,
  dstLength: number,
  filter: ResampleFilter = "area-bilinear",
): Taps {
  if (filter === "lanczos3") return buildLanczosTaps(srcLength, start, span, dstLength);
  const scale = span / dstLength;
  if (scale > 1) {
    const taps = Math.ceil(scale) + 1;
    const index = new Int32Array(dstLength * taps);
    const weight = new Float32Array(dstLength * taps);
    for (let i = 0; i < dstLength; i++) {
      const a = Math.max(0, start + i * scale);
      const b = Math.min(srcLength, start + (i + 1) * scale);
      const first = Math.min(Math.floor(a), srcLength - 1);
      if (b <= a) {
        // The output pixel lies wholly outside the source: take the nearest edge pixel.
        index[i * taps] = first;
        weight[i * taps] = 1;
        continue;
      }
      let k = 0;
      for (let p = first; p < b && k < taps; p++, k++) {
        index[i * taps + k] = p;
        weight[i * taps + k] = (Math.min(b, p + 1) - Math.max(a, p)) / (b - a);
      }
    }
    return { taps, index, weight };
  }
  const index = new Int32Array(dstLength * 2);
  const weight = new Float32Array(dstLength * 2);
  for (let i = 0; i < dstLength; i++) {
    // Pixel centres sit at half-integers, so output centre i maps to source centre `c`.
    const c = Math.min(srcLength - 1, Math.max(0, start + (i + 0.5) * scale - 0.5));
    const p0 = Math.floor(c);
    const f = c - p0;
    index[i * 2] = p0;
    weight[i * 2] = 1 - f;
    index[i * 2 + 1] = Math.min(p0 + 1, srcLength - 1);
    weight[i * 2 + 1] = f;
  }
  return { taps: 2, index, weight };
}

function rowRange(t: Taps): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < t.index.length; i++) {
    if (t.weight[i] === 0) continue;
    lo = Math.min(lo, t.index[i]);
    hi = Math.max(hi, t.index[i]);
  }
  return lo <= hi ? [lo, hi + 1] : [0, 1];
}

function checkSignal(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}

/**
 * The vertical pass, shared by images and masks: combines rows of the horizontally resampled
 * buffer `tmp` (rows y0.., `rowLength` floats each) and hands each finished output row to `emit`.
 */
function verticalPass(
  tmp: Float32Array,
  rowLength: number,
  y0: number,
  ty: Taps,
  dstHeight: number,
  emit: (y: number, row: Float32Array) => void,
  options: ResampleOptions,
): void {
  const row = new Float32Array(rowLength);
  for (let y = 0; y < dstHeight; y++) {
    if (y % ROWS_PER_CHECK === 0) {
      checkSignal(options.signal);
      options.onProgress?.(y, dstHeight);
    }
    row.fill(0);
    for (let k = 0; k < ty.taps; k++) {
      const w = ty.weight[y * ty.taps + k];
      if (w === 0) continue;
      const offset = (ty.index[y * ty.taps + k] - y0) * rowLength;
      for (let i = 0; i < rowLength; i++) row[i] += w * tmp[offset + i];
    }
    emit(y, row);
  }
  options.onProgress?.(dstHeight, dstHeight);
}

function axes(
  srcWidth: number,
  srcHeight: number,
  dstWidth: number,
  dstHeight: number,
  options: ResampleOptions,
): { tx: Taps; ty: Taps } {
  const r = options.rect ?? { x: 0, y: 0, width: srcWidth, height: srcHeight };
  if (!(r.width > 0 && r.height > 0)) throw new Error("source rectangle is empty");
  return {
    tx: buildTaps(srcWidth, r.x, r.width, dstWidth, options.filter),
    ty: buildTaps(srcHeight, r.y, r.height, dstHeight, options.filter),
  };
}

/**
 * Resamples an RGBA image. Colour is weighted by alpha (premultiplied while filtering) so fully
 * transparent pixels, whatever colour they store, never bleed into visible ones.
 */
export function resizeImage(
  src: RgbaImage,
  width: number,
  height: number,
  options: ResampleOptions = {},
): RgbaImage {
  const out = createImage(width, height);
  const { tx, ty } = axes(src.width, src.height, width, height, options);
  const [y0, y1] = rowRange(ty);
  const rowLength = width * 4;
  const tmp = new Float32Array((y1 - y0) * rowLength);
  const s = src.data;
  for (let y = y0; y < y1; y++) {
    if ((y - y0) % ROWS_PER_CHECK === 0) checkSignal(options.signal);
    const srcRow = y * src.width * 4;
    const tmpRow = (y - y0) * rowLength;
    for (let x = 0; x < width; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let k = 0; k < tx.taps; k++) {
        const w = tx.weight[x * tx.taps + k];
        if (w === 0) continue;
        const p = srcRow + tx.index[x * tx.taps + k] * 4;
        const wa = w * s[p + 3];
        r += wa * s[p];
        g += wa * s[p + 1];
        b += wa * s[p + 2];
        a += wa;
      }
      const o = tmpRow + x * 4;
      tmp[o] = r;
      tmp[o + 1] = g;
      tmp[o + 2] = b;
      tmp[o + 3] = a;
    }
  }
  const d = out.data;
  verticalPass(
    tmp,
    rowLength,
    y0,
    ty,
    height,
    (y, row) => {
      const base = y * rowLength;
      for (let i = 0; i < rowLength; i += 4) {
        const a = row[i + 3];
        // Below 1/1000 of a level the pixel is transparent; its colour is meaningless.
        if (a > 1e-3) {
          d[base + i] = row[i] / a;
          d[base + i + 1] = row[i + 1] / a;
          d[base + i + 2] = row[i + 2] / a;
          d[base + i + 3] = a;
        }
      }
    },
    options,
  );
  return out;
}

/** Resamples a mask with the same filters as `resizeImage`. */
export function resizeMask(
  src: Mask,
  width: number,
  height: number,
  options: ResampleOptions = {},
): Mask {
  const out = createMask(width, height);
  const { tx, ty } = axes(src.width, src.height, width, height, options);
  const [y0, y1] = rowRange(ty);
  const tmp = new Float32Array((y1 - y0) * width);
  const s = src.data;
  for (let y = y0; y < y1; y++) {
    if ((y - y0) % ROWS_PER_CHECK === 0) checkSignal(options.signal);
    const srcRow = y * src.width;
    const tmpRow = (y - y0) * width;
    for (let x = 0; x < width; x++) {
      let v = 0;
      for (let k = 0; k < tx.taps; k++) {
        v += tx.weight[x * tx.taps + k] * s[srcRow + tx.index[x * tx.taps + k]];
      }
      tmp[tmpRow + x] = v;
    }
  }
  verticalPass(tmp, width, y0, ty, height, (y, row) => out.data.set(row, y * width), options);
  return out;
}

/**
 * Nearest-neighbour mask resize, for combining masks of different sizes where interpolated grey
 * edges would blur a hard selection.
 */
export function resizeMaskNearest(src: Mask, width: number, height: number): Mask {
  if (src.width === width && src.height === height) return src;
  const out = createMask(width, height);
  const xs = new Int32Array(width);
  for (let x = 0; x < width; x++) {
    xs[x] = Math.min(src.width - 1, Math.floor(((x + 0.5) * src.width) / width));
  }
  for (let y = 0; y < height; y++) {
    const sy = Math.min(src.height - 1, Math.floor(((y + 0.5) * src.height) / height));
    const srcRow = sy * src.width;
    const dstRow = y * width;
    for (let x = 0; x < width; x++) out.data[dstRow + x] = src.data[srcRow + xs[x]];
  }
  return out;
}

/** Returns `mask` at width × height, resampled (area/bilinear) when its size differs. */
export function fitMask(mask: Mask, width: number, height: number, signal?: AbortSignal): Mask {
  if (mask.width === width && mask.height === height) return mask;
  return resizeMask(mask, width, height, { signal });
}

/**
 * Source index and weight pairs along one axis, as PyTorch's `interpolate(mode="bilinear")`
 * computes them: output `o` blends `i0[o]` and `i1[o]` with weight `w1[o]` on the second.
 */
export function bilinearTaps(inLength: number, outLength: number, alignCorners: boolean) {
  const i0 = new Int32Array(outLength);
  const i1 = new Int32Array(outLength);
  const w1 = new Float32Array(outLength);
  for (let o = 0; o < outLength; o++) {
    let src: number;
    if (alignCorners) {
      src = outLength > 1 ? (o * (inLength - 1)) / (outLength - 1) : 0;
    } else {
      // Half-pixel centres; PyTorch clamps negative coordinates to the first pixel.
      src = Math.max(0, ((o + 0.5) * inLength) / outLength - 0.5);
    }
    const lo = Math.min(Math.floor(src), inLength - 1);
    i0[o] = lo;
    i1[o] = Math.min(lo + 1, inLength - 1);
    w1[o] = src - lo;
  }
  return { i0, i1, w1 };
}
