/**
 * OpenCV's `cv::resize` on interleaved uint8 images, INTER_LINEAR and INTER_CUBIC
 * (`resize.cpp`, `resizeGeneric_` with fixed-point coefficients): pixel centres at half-integers,
 * coefficients computed in float32 and rounded to 11-bit fixed point, a horizontal pass into
 * int32 rows, then a vertical pass with OpenCV's own rounding: for linear the uint8 kernel's
 * pre-shifted products; for cubic, the 128-bit SIMD kernel's float32 sums over the row's leading
 * 8-element blocks and the fixed-point scalar formula on the rest (as x86 and ARM builds run).
 */

export interface ImageU8 {
  /** Interleaved, `channels` values a pixel. */
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: number;
}

export type ResizeInterpolation = "linear" | "cubic";

const COEF_BITS = 11;
const COEF_SCALE = 1 << COEF_BITS;
const f32 = Math.fround;

/** cvRound on a float: round half to even. */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function saturateShort(v: number): number {
  return Math.max(-32768, Math.min(32767, roundHalfEven(v)));
}

/** OpenCV's `interpolateCubic` (A = −0.75), every operation in float32. */
export function cubicCoefficients(x: number): [number, number, number, number] {
  const A = -0.75;
  const x1 = f32(x + 1);
  const c0 = f32(f32(f32(f32(f32(f32(A * x1) - f32(5 * A)) * x1) + f32(8 * A)) * x1) - f32(4 * A));
  const c1 = f32(f32(f32(f32(f32((A + 2) * x) - (A + 3)) * x) * x) + 1);
  const ix = f32(1 - x);
  const c2 = f32(f32(f32(f32(f32((A + 2) * ix) - (A + 3)) * ix) * ix) + 1);
  const c3 = f32(f32(f32(1 - c0) - c1) - c2);
  return [c0, c1, c2, c3];
}

interface Axis {
  /** First source pixel of each destination pixel's taps (before the −1 of cubic). */
  readonly ofs: Int32Array;
  /** ksize fixed-point coefficients a destination pixel. */
  readonly coef: Int16Array;
}

/**
 * Taps along one axis. `clampX` applies OpenCV's horizontal-only rule for linear: outside the
 * source, the coordinate snaps to the edge pixel with weight 1 (vertically it is the row index
 * that is clamped, with the weights unchanged).
 */
function axis(src: number, dst: number, cubic: boolean, clampX: boolean): Axis {
  const scale = 1 / (dst / src);
  const ksize = cubic ? 4 : 2;
  const ofs = new Int32Array(dst);
  const coef = new Int16Array(dst * ksize);
  for (let d = 0; d < dst; d++) {
    let f = f32((d + 0.5) * scale - 0.5);
    let s = Math.floor(f);
    f = f32(f - s);
    if (clampX && !cubic) {
      if (s < 0) {
        f = 0;
        s = 0;
      }
      if (s >= src - 1) {
        f = 0;
        s = src - 1;
      }
    }
    ofs[d] = s;
    const c = cubic ? cubicCoefficients(f) : [f32(1 - f), f];
    for (let k = 0; k < ksize; k++) coef[d * ksize + k] = saturateShort(f32(c[k] * COEF_SCALE));
  }
  return { ofs, coef };
}

/** `cv2.resize(src, (width, height), interpolation=…)` for uint8. */
export function resizeU8(
  src: ImageU8,
  width: number,
  height: number,
  interpolation: ResizeInterpolation,
): ImageU8 {
  const { width: sw, height: sh, channels: cn, data } = src;
  if (data.length !== sw * sh * cn) {
    throw new Error(`resize: expected ${sw}×${sh}×${cn} values, got ${data.length}`);
  }
  if (width < 1 || height < 1 || sw < 1 || sh < 1) {
    throw new Error(`resize: sizes must be positive, got ${sw}×${sh} → ${width}×${height}`);
  }
  // OpenCV turns an exact 2× linear shrink into its area average.
  if (interpolation === "linear" && sw === 2 * width && sh === 2 * height) {
    return halve(src);
  }
  const cubic = interpolation === "cubic";
  const ksize = cubic ? 4 : 2;
  const ax = axis(sw, width, cubic, true);
  const ay = axis(sh, height, cubic, false);
  const rowLen = width * cn;
  const out = new Uint8Array(height * rowLen);
  // Horizontal pass of every source row, on demand (each is used by several output rows).
  const hrows = new Map<number, Int32Array>();
  const hrow = (sy: number): Int32Array => {
    let r = hrows.get(sy);
    if (r) return r;
    r = new Int32Array(rowLen);
    const base = sy * sw * cn;
    for (let dx = 0; dx < width; dx++) {
      const s0 = ax.ofs[dx] - (cubic ? 1 : 0);
      for (let c = 0; c < cn; c++) {
        let v = 0;
        for (let k = 0; k < ksize; k++) {
          const sx = Math.min(sw - 1, Math.max(0, s0 + k));
          v += data[base + sx * cn + c] * ax.coef[dx * ksize + k];
        }
        r[dx * cn + c] = v;
      }
    }
    hrows.set(sy, r);
    return r;
  };
  const rows: Int32Array[] = new Array<Int32Array>(ksize);
  for (let dy = 0; dy < height; dy++) {
    const s0 = ay.ofs[dy] - (cubic ? 1 : 0);
    for (let k = 0; k < ksize; k++) rows[k] = hrow(Math.min(sh - 1, Math.max(0, s0 + k)));
    const b = ay.coef.subarray(dy * ksize, dy * ksize + ksize);
    const o = dy * rowLen;
    if (cubic) verticalCubic(rows, b, out, o, rowLen);
    else verticalLinear(rows, b, out, o, rowLen);
  }
  return { data: out, width, height, channels: cn };
}

function clampU8(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/**
 * OpenCV's uint8 specialisation of the linear vertical pass (SIMD and scalar alike):
 * ((S0 >> 4)·b0 >> 16) + ((S1 >> 4)·b1 >> 16), then (+2) >> 2.
 */
function verticalLinear(
  rows: readonly Int32Array[],
  b: Int16Array,
  out: Uint8Array,
  o: number,
  len: number,
): void {
  const [s0, s1] = rows;
  const [b0, b1] = b;
  for (let x = 0; x < len; x++) {
    const t = ((b0 * (s0[x] >> 4)) >> 16) + ((b1 * (s1[x] >> 4)) >> 16);
    out[o + x] = clampU8((t + 2) >> 2);
  }
}

/**
 * Scalar: (Σ b·S + 2^21) >> 22. SIMD (`VResizeCubicVec_32s8u`, 8 lanes): float32
 * S0·b0' + (S1·b1' + (S2·b2' + S3·b3')) with b' = b / 2^22, rounded half to even.
 */
function verticalCubic(
  rows: readonly Int32Array[],
  b: Int16Array,
  out: Uint8Array,
  o: number,
  len: number,
): void {
  const [s0, s1, s2, s3] = rows;
  const scale = f32(1 / (COEF_SCALE * COEF_SCALE));
  const fb = Array.from(b, (v) => f32(v * scale));
  let x = 0;
  for (; x <= len - 8; x += 8) {
    for (let i = x; i < x + 8; i++) {
      let t = f32(s3[i] * fb[3]);
      t = f32(f32(s2[i] * fb[2]) + t);
      t = f32(f32(s1[i] * fb[1]) + t);
      t = f32(f32(s0[i] * fb[0]) + t);
      out[o + i] = clampU8(Math.max(-32768, Math.min(32767, roundHalfEven(t))));
    }
  }
  for (; x < len; x++) {
    const v = s0[x] * b[0] + s1[x] * b[1] + s2[x] * b[2] + s3[x] * b[3];
    out[o + x] = clampU8((v + (1 << 21)) >> 22);
  }
}

/** INTER_AREA's fast path for an exact 2× shrink: the 2×2 mean, rounded half up. */
function halve(src: ImageU8): ImageU8 {
  const { width: sw, channels: cn, data } = src;
  const width = sw >> 1;
  const height = src.height >> 1;
  const out = new Uint8Array(width * height * cn);
  const step = sw * cn;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < cn; c++) {
        const i = 2 * y * step + 2 * x * cn + c;
        out[(y * width + x) * cn + c] =
          (data[i] + data[i + cn] + data[i + step] + data[i + step + cn] + 2) >> 2;
      }
    }
  }
  return { data: out, width, height, channels: cn };
}
