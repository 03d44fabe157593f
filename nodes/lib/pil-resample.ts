import { createImage, type RgbaImage } from "../core/image";
import { CancelledError } from "../core/types";

/**
 * Pillow's `Image.resize` on 8-bit images, bit for bit (src/libImaging/Resample.c, and the RGBA
 * handling in `Image.resize` plus the RGBA ↔ RGBa conversions of Convert.c):
 * - each output pixel's filter weights are computed in double, normalised to sum 1, then turned
 *   into fixed point with PRECISION_BITS = 32 − 8 − 2 = 22 fractional bits (rounded half away
 *   from zero);
 * - the image is resized horizontally first (only the source rows the vertical pass will read),
 *   rounding and clipping to uint8, then vertically, rounding and clipping again;
 * - RGBA is premultiplied first (RGBa, `MULDIV255`) and un-premultiplied after (integer
 *   `255 · c / a`, clipped), so transparent pixels lend no colour to their neighbours.
 *
 * Leffa's `preprocess_garment_image` resizes the cut-out garment with `Image.LANCZOS` this way.
 * The filters use JavaScript's Math.sin where Pillow uses C's sin; both are within an ulp, and a
 * difference would have to straddle a 2⁻²² rounding edge of a normalised weight to show.
 */

export const PIL_PRECISION_BITS = 32 - 8 - 2;

/** Pillow's resampling filters (`Image.Resampling`), each with its support at scale 1. */
export type PilFilter = "box" | "bilinear" | "hamming" | "bicubic" | "lanczos";

const sinc = (x: number): number => {
  if (x === 0.0) return 1.0;
  const px = x * Math.PI;
  return Math.sin(px) / px;
};

const FILTERS: Record<PilFilter, { fn: (x: number) => number; support: number }> = {
  box: { fn: (x) => (x > -0.5 && x <= 0.5 ? 1.0 : 0.0), support: 0.5 },
  bilinear: {
    fn: (x) => {
      const a = Math.abs(x);
      return a < 1.0 ? 1.0 - a : 0.0;
    },
    support: 1.0,
  },
  hamming: {
    fn: (x) => {
      const a = Math.abs(x);
      if (a === 0.0) return 1.0;
      if (a >= 1.0) return 0.0;
      const px = a * Math.PI;
      // 0.54f + 0.46f * cos(x): float constants promoted to double.
      return (Math.sin(px) / px) * (Math.fround(0.54) + Math.fround(0.46) * Math.cos(px));
    },
    support: 1.0,
  },
  bicubic: {
    fn: (x) => {
      const a = -0.5;
      const t = Math.abs(x);
      if (t < 1.0) return ((a + 2.0) * t - (a + 3.0)) * t * t + 1;
      if (t < 2.0) return (((t - 5) * t + 8) * t - 4) * a;
      return 0.0;
    },
    support: 2.0,
  },
  lanczos: {
    fn: (x) => (-3.0 <= x && x < 3.0 ? sinc(x) * sinc(x / 3) : 0.0),
    support: 3.0,
  },
};

/** One axis's weights: output i reads `count[i]` inputs from `start[i]` with `weights`. */
export interface PilCoefficients {
  /** Weights per output, `ksize` apart; unused tail entries are 0. */
  readonly ksize: number;
  readonly start: Int32Array;
  readonly count: Int32Array;
  /** Normalised double weights (`precompute_coeffs`). */
  readonly weights: Float64Array;
}

/**
 * `precompute_coeffs(inSize, in0, in1, outSize, filter)`: for output pixel i the centre is
 * in0 + (i + 0.5) · scale in input pixels; the filter is widened by the downscale factor
 * (never narrowed), the window rounded to whole pixels (C's (int) truncation of x + 0.5) and
 * clipped to the image, and the weights divided by their sum.
 */
export function pilCoefficients(
  inSize: number,
  outSize: number,
  filter: PilFilter,
  in0 = 0,
  in1 = inSize,
): PilCoefficients {
  const { fn, support: base } = FILTERS[filter];
  // float box coordinates, subtracted in float, divided in double.
  const scale = Math.fround(Math.fround(in1) - Math.fround(in0)) / outSize;
  const filterscale = scale < 1.0 ? 1.0 : scale;
  const support = base * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const inv = 1.0 / filterscale;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float64Array(outSize * ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = Math.fround(in0) + (xx + 0.5) * scale;
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    const k = xx * ksize;
    let ww = 0.0;
    for (let x = 0; x < xmax; x++) {
      const w = fn((x + xmin - center + 0.5) * inv);
      weights[k + x] = w;
      ww += w;
    }
    if (ww !== 0.0) for (let x = 0; x < xmax; x++) weights[k + x] /= ww;
    start[xx] = xmin;
    count[xx] = xmax;
  }
  return { ksize, start, count, weights };
}

/** `normalize_coeffs_8bpc`: the weights in 22-bit fixed point, rounded half away from zero. */
export function pilFixedPoint(weights: Float64Array): Int32Array {
  const one = 1 << PIL_PRECISION_BITS;
  const out = new Int32Array(weights.length);
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i];
    out[i] = w < 0 ? Math.trunc(-0.5 + w * one) : Math.trunc(0.5 + w * one);
  }
  return out;
}

/**
 * `clip8`: the fixed-point sum shifted down and clamped to 0..255. Pillow's sums are C ints and
 * stay inside 32 bits by design (the two spare bits of PRECISION_BITS), so `>>` is its shift.
 */
function clip8(sum: number): number {
  const v = sum >> PIL_PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

const HALF = 1 << (PIL_PRECISION_BITS - 1);

function checkCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}

/** `ImagingResampleHorizontal_8bpc` over `rows` rows starting at source row `first`. */
function horizontalPass(
  data: Uint8Array | Uint8ClampedArray,
  width: number,
  channels: number,
  first: number,
  rows: number,
  outWidth: number,
  filter: PilFilter,
  signal: AbortSignal | undefined,
): Uint8Array {
  const c = pilCoefficients(width, outWidth, filter);
  const kk = pilFixedPoint(c.weights);
  const temp = new Uint8Array(outWidth * rows * channels);
  for (let yy = 0; yy < rows; yy++) {
    if ((yy & 63) === 0) checkCancelled(signal);
    const inRow = (yy + first) * width * channels;
    let o = yy * outWidth * channels;
    for (let xx = 0; xx < outWidth; xx++) {
      const n = c.count[xx];
      const k = xx * c.ksize;
      let p = inRow + c.start[xx] * channels;
      if (channels === 4) {
        // The RGBA case, unrolled: it is every garment resize.
        let s0 = HALF;
        let s1 = HALF;
        let s2 = HALF;
        let s3 = HALF;
        for (let x = 0; x < n; x++, p += 4) {
          const w = kk[k + x];
          s0 += data[p] * w;
          s1 += data[p + 1] * w;
          s2 += data[p + 2] * w;
          s3 += data[p + 3] * w;
        }
        temp[o++] = clip8(s0);
        temp[o++] = clip8(s1);
        temp[o++] = clip8(s2);
        temp[o++] = clip8(s3);
      } else {
        for (let ch = 0; ch < channels; ch++) {
          let sum = HALF;
          for (let x = 0; x < n; x++) sum += data[p + x * channels + ch] * kk[k + x];
          temp[o++] = clip8(sum);
        }
      }
    }
  }
  return temp;
}

/**
 * `ImagingResampleVertical_8bpc`: each output row from its window of source rows, whose first
 * row is `rowOffset` in `src` (the horizontal pass kept only the rows needed). The sums are
 * accumulated row by row, in the same order as Pillow's per-pixel loop over the window.
 */
function verticalPass(
  src: Uint8Array | Uint8ClampedArray,
  rowLength: number,
  rowOffset: number,
  height: number,
  outHeight: number,
  filter: PilFilter,
  signal: AbortSignal | undefined,
): Uint8Array {
  const c = pilCoefficients(height, outHeight, filter);
  const kk = pilFixedPoint(c.weights);
  const out = new Uint8Array(rowLength * outHeight);
  const acc = new Float64Array(rowLength);
  for (let yy = 0; yy < outHeight; yy++) {
    if ((yy & 63) === 0) checkCancelled(signal);
    const ymin = c.start[yy] - rowOffset;
    const k = yy * c.ksize;
    acc.fill(HALF);
    for (let y = 0; y < c.count[yy]; y++) {
      const w = kk[k + y];
      const row = (y + ymin) * rowLength;
      for (let i = 0; i < rowLength; i++) acc[i] += src[row + i] * w;
    }
    const o = yy * rowLength;
    for (let i = 0; i < rowLength; i++) out[o + i] = clip8(acc[i]);
  }
  return out;
}

/**
 * `ImagingResample` on interleaved 8-bit data of `channels` bands (1..4): horizontal pass over
 * the rows the vertical pass needs, then the vertical pass; a pass is skipped when its size is
 * unchanged (Pillow's need_horizontal / need_vertical with the default box).
 */
export function pilResampleU8(
  data: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  channels: number,
  outWidth: number,
  outHeight: number,
  filter: PilFilter,
  signal?: AbortSignal,
): Uint8Array {
  const needHorizontal = outWidth !== width;
  const needVertical = outHeight !== height;
  if (!needHorizontal && !needVertical) return Uint8Array.from(data);
  let src: Uint8Array | Uint8ClampedArray = data;
  let rowOffset = 0;
  if (needHorizontal) {
    // Only the rows the vertical pass reads: the first window's start to the last one's end.
    const vert = pilCoefficients(height, outHeight, filter);
    const first = vert.start[0];
    const last = vert.start[outHeight - 1] + vert.count[outHeight - 1];
    src = horizontalPass(data, width, channels, first, last - first, outWidth, filter, signal);
    rowOffset = first;
    if (!needVertical) return src as Uint8Array;
  }
  const rowLength = outWidth * channels;
  return verticalPass(src, rowLength, rowOffset, height, outHeight, filter, signal);
}

/** `rgbA2rgba`: c · a / 255 with Pillow's MULDIV255 rounding, alpha kept. */
export function premultiply(data: Uint8Array | Uint8ClampedArray): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i += 4) {
    const a = data[i + 3];
    for (let c = 0; c < 3; c++) {
      const tmp = data[i + c] * a + 128;
      out[i + c] = ((tmp >> 8) + tmp) >> 8;
    }
    out[i + 3] = a;
  }
  return out;
}

/** `rgba2rgbA`: 255 · c / a in integer division, clipped; alpha 0 and 255 leave colour as is. */
export function unpremultiply(data: Uint8Array): Uint8ClampedArray {
  const out = new Uint8ClampedArray(data.length);
  for (let i = 0; i < data.length; i += 4) {
    const a = data[i + 3];
    for (let c = 0; c < 3; c++) {
      out[i + c] =
        a === 255 || a === 0 ? data[i + c] : Math.min(255, Math.floor((255 * data[i + c]) / a));
    }
    out[i + 3] = a;
  }
  return out;
}

/**
 * `Image.resize((width, height), filter)` on an RGBA image, as Pillow does it: the same size is
 * a plain copy; otherwise RGBA → RGBa, resample, RGBa → RGBA.
 */
export function pilResizeRgba(
  image: RgbaImage,
  width: number,
  height: number,
  filter: PilFilter = "lanczos",
  signal?: AbortSignal,
): RgbaImage {
  if (width === image.width && height === image.height) {
    return createImage(width, height, Uint8ClampedArray.from(image.data));
  }
  const premultiplied = premultiply(image.data);
  const resized = pilResampleU8(
    premultiplied,
    image.width,
    image.height,
    4,
    width,
    height,
    filter,
    signal,
  );
  return createImage(width, height, unpremultiply(resized));
}
