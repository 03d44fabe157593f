import type { ImageU8 } from "./resize";

/**
 * OpenCV's `cv::warpAffine` with INTER_LINEAR (`imgwarp.cpp` as of OpenCV ≤ 4.10: WarpAffineInvoker
 * + remapBilinear). The matrix (image → output, unless `inverse`) is inverted in doubles; each
 * output pixel's source position is built from row and column terms rounded to 1/1024 pixel
 * (`saturate_cast<int>(v * 1024)`), then cut to 1/32 pixel (INTER_BITS = 5). The 32 × 32
 * interpolation weights come from a table: for uint8 in 15-bit fixed point (exact products of
 * 1/32 steps), for float32 as float32 products, summed left to right in float32.
 *
 * OpenCV 4.11+ replaced the uint8/float32 INTER_LINEAR warp with float32-coordinate kernels
 * (`warp_kernels.simd.hpp`); this port is the fixed-point one the 4.x releases up to 4.10 ran.
 */

/** [a, b, c, d, e, f]: x' = a·x + b·y + c, y' = d·x + e·y + f. */
export type AffineMatrix = readonly [number, number, number, number, number, number];

export type WarpBorder =
  { readonly mode: "constant"; readonly value: number } | { readonly mode: "replicate" };

export interface WarpOptions {
  /** The matrix already maps output → source (WARP_INVERSE_MAP). */
  readonly inverse?: boolean;
  /** Default: constant 0, cv2's default. */
  readonly border?: WarpBorder;
}

const AB_BITS = 10;
const AB_SCALE = 1 << AB_BITS;
const INTER_BITS = 5;
const INTER_TAB_SIZE = 1 << INTER_BITS;
const ROUND_DELTA = AB_SCALE / INTER_TAB_SIZE / 2;
const COEF_BITS = 15;
const f32 = Math.fround;

/** saturate_cast<int>(double): round half to even, clamped to int32. */
function saturateInt(v: number): number {
  const r = Math.round(v);
  const even = r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
  return Math.max(-2147483648, Math.min(2147483647, even));
}

/** OpenCV's inversion in `warpAffine` (a zero determinant gives a zero matrix). */
export function invertAffineMatrix(m: AffineMatrix): AffineMatrix {
  const [a, b, c, d, e, f] = m;
  let det = a * e - b * d;
  det = det !== 0 ? 1 / det : 0;
  const a11 = e * det;
  const a22 = a * det;
  const a12 = -b * det;
  const a21 = -d * det;
  return [a11, a12, -a11 * c - a12 * f, a21, a22, -a21 * c - a22 * f];
}

/**
 * Source positions in 1/32 pixel for every output pixel, as WarpAffineInvoker computes them:
 * X = (round(M0·x·1024) + round((M1·y + M2)·1024) + 16) >> 5, likewise Y.
 */
function positions(
  m: AffineMatrix,
  width: number,
  height: number,
): { x: Int32Array; y: Int32Array } {
  const adelta = new Int32Array(width);
  const bdelta = new Int32Array(width);
  for (let x = 0; x < width; x++) {
    adelta[x] = saturateInt(m[0] * x * AB_SCALE);
    bdelta[x] = saturateInt(m[3] * x * AB_SCALE);
  }
  const px = new Int32Array(width * height);
  const py = new Int32Array(width * height);
  for (let y = 0; y < height; y++) {
    const x0 = saturateInt((m[1] * y + m[2]) * AB_SCALE) + ROUND_DELTA;
    const y0 = saturateInt((m[4] * y + m[5]) * AB_SCALE) + ROUND_DELTA;
    for (let x = 0; x < width; x++) {
      px[y * width + x] = (x0 + adelta[x]) >> (AB_BITS - INTER_BITS);
      py[y * width + x] = (y0 + bdelta[x]) >> (AB_BITS - INTER_BITS);
    }
  }
  return { x: px, y: py };
}

function sourceMatrix(m: AffineMatrix, options: WarpOptions): AffineMatrix {
  return options.inverse ? m : invertAffineMatrix(m);
}

/** `cv2.warpAffine(src, M, (width, height), flags=INTER_LINEAR, …)` on interleaved uint8. */
export function warpAffineU8(
  src: ImageU8,
  m: AffineMatrix,
  width: number,
  height: number,
  options: WarpOptions = {},
): ImageU8 {
  const { width: sw, height: sh, channels: cn, data } = src;
  if (data.length !== sw * sh * cn) {
    throw new Error(`warpAffine: expected ${sw}×${sh}×${cn} values, got ${data.length}`);
  }
  const border = options.border ?? { mode: "constant", value: 0 };
  const pos = positions(sourceMatrix(m, options), width, height);
  const out = new Uint8Array(width * height * cn);
  const at = (x: number, y: number, c: number): number => {
    if (border.mode === "replicate") {
      x = Math.min(sw - 1, Math.max(0, x));
      y = Math.min(sh - 1, Math.max(0, y));
    } else if (x < 0 || y < 0 || x >= sw || y >= sh) return border.value;
    return data[(y * sw + x) * cn + c];
  };
  const stride = sw * cn;
  for (let i = 0; i < width * height; i++) {
    const X = pos.x[i];
    const Y = pos.y[i];
    const sx = X >> INTER_BITS;
    const sy = Y >> INTER_BITS;
    const fx = X & (INTER_TAB_SIZE - 1);
    const fy = Y & (INTER_TAB_SIZE - 1);
    // (1 − fx/32)(1 − fy/32) · 32768 etc. are whole numbers: the table needs no correction.
    const w00 = (32 - fx) * (32 - fy) * 32;
    const w01 = fx * (32 - fy) * 32;
    const w10 = (32 - fx) * fy * 32;
    const w11 = fx * fy * 32;
    const o = i * cn;
    if (sx >= 0 && sy >= 0 && sx < sw - 1 && sy < sh - 1) {
      // All four taps inside: OpenCV's fast path, same arithmetic.
      const p = sy * stride + sx * cn;
      for (let c = 0; c < cn; c++) {
        const q = p + c;
        const v =
          data[q] * w00 + data[q + cn] * w01 + data[q + stride] * w10 + data[q + stride + cn] * w11;
        out[o + c] = (v + (1 << (COEF_BITS - 1))) >> COEF_BITS;
      }
      continue;
    }
    if (border.mode === "constant" && (sx >= sw || sx + 1 < 0 || sy >= sh || sy + 1 < 0)) {
      out.fill(border.value, o, o + cn);
      continue;
    }
    for (let c = 0; c < cn; c++) {
      const v =
        at(sx, sy, c) * w00 +
        at(sx + 1, sy, c) * w01 +
        at(sx, sy + 1, c) * w10 +
        at(sx + 1, sy + 1, c) * w11;
      const r = (v + (1 << (COEF_BITS - 1))) >> COEF_BITS;
      out[o + c] = r < 0 ? 0 : r > 255 ? 255 : r;
    }
  }
  return { data: out, width, height, channels: cn };
}

/** The float32 weight table entry OpenCV builds for (fx, fy) in 1/32 steps. */
function floatWeights(fx: number, fy: number): [number, number, number, number] {
  const step = f32(1 / INTER_TAB_SIZE);
  const x = f32(fx * step);
  const y = f32(fy * step);
  const x0 = f32(1 - x);
  const y0 = f32(1 - y);
  return [f32(y0 * x0), f32(y0 * x), f32(y * x0), f32(y * x)];
}

/**
 * `cv2.warpAffine` with INTER_LINEAR on one float32 plane: the same 1/32-pixel positions, the
 * float32 table weights, v00·w00 + v01·w01 + v10·w10 + v11·w11 summed in float32.
 */
export function warpAffineF32(
  src: Float32Array,
  sw: number,
  sh: number,
  m: AffineMatrix,
  width: number,
  height: number,
  options: WarpOptions = {},
): Float32Array {
  if (src.length !== sw * sh) {
    throw new Error(`warpAffine: expected ${sw}×${sh} values, got ${src.length}`);
  }
  const taps = warpTapsF32(sw, sh, m, width, height, options);
  return applyTapsF32(src, taps);
}

/** Per output pixel: 4 source indices (−1 = border value) and their float32 weights. */
export interface WarpTaps {
  readonly index: Int32Array;
  readonly weight: Float32Array;
  /** Pixels entirely outside (constant border): the border value, whatever the weights. */
  readonly outside: Uint8Array;
  readonly borderValue: number;
}

/**
 * The taps of a float32 warp, shared by every plane warped with the same matrix (SCHP warps its
 * 20 logit planes one by one with one matrix).
 */
export function warpTapsF32(
  sw: number,
  sh: number,
  m: AffineMatrix,
  width: number,
  height: number,
  options: WarpOptions = {},
): WarpTaps {
  const border = options.border ?? { mode: "constant", value: 0 };
  const pos = positions(sourceMatrix(m, options), width, height);
  const n = width * height;
  const index = new Int32Array(4 * n);
  const weight = new Float32Array(4 * n);
  const outside = new Uint8Array(n);
  const idx = (x: number, y: number): number => {
    if (border.mode === "replicate") {
      x = Math.min(sw - 1, Math.max(0, x));
      y = Math.min(sh - 1, Math.max(0, y));
    } else if (x < 0 || y < 0 || x >= sw || y >= sh) return -1;
    return y * sw + x;
  };
  for (let i = 0; i < n; i++) {
    const sx = pos.x[i] >> INTER_BITS;
    const sy = pos.y[i] >> INTER_BITS;
    if (border.mode === "constant" && (sx >= sw || sx + 1 < 0 || sy >= sh || sy + 1 < 0)) {
      outside[i] = 1;
    }
    const w = floatWeights(pos.x[i] & (INTER_TAB_SIZE - 1), pos.y[i] & (INTER_TAB_SIZE - 1));
    index[4 * i] = idx(sx, sy);
    index[4 * i + 1] = idx(sx + 1, sy);
    index[4 * i + 2] = idx(sx, sy + 1);
    index[4 * i + 3] = idx(sx + 1, sy + 1);
    weight.set(w, 4 * i);
  }
  return { index, weight, outside, borderValue: border.mode === "constant" ? border.value : 0 };
}

/** One plane through precomputed taps, OpenCV's float32 summation order (into `out` if given). */
export function applyTapsF32(
  src: Float32Array,
  taps: WarpTaps,
  out = new Float32Array(taps.outside.length),
): Float32Array {
  const n = taps.outside.length;
  const { index, weight, borderValue } = taps;
  for (let i = 0; i < n; i++) {
    if (taps.outside[i]) {
      out[i] = borderValue;
      continue;
    }
    const k = 4 * i;
    const v0 = index[k] < 0 ? borderValue : src[index[k]];
    const v1 = index[k + 1] < 0 ? borderValue : src[index[k + 1]];
    const v2 = index[k + 2] < 0 ? borderValue : src[index[k + 2]];
    const v3 = index[k + 3] < 0 ? borderValue : src[index[k + 3]];
    let s = f32(v0 * weight[k]);
    s = f32(s + f32(v1 * weight[k + 1]));
    s = f32(s + f32(v2 * weight[k + 2]));
    out[i] = f32(s + f32(v3 * weight[k + 3]));
  }
  return out;
}
