import { cubicCoefficients } from "./resize";

/**
 * OpenCV's `cv::resize` INTER_CUBIC on float32 images (`resizeGeneric_` with
 * `HResizeCubic<float, float, float>` and `VResizeCubic<…, VResizeCubicVec_32f>`): pixel centres at
 * half-integers, A = −0.75 weights in float32 (no fixed point for floats), taps clamped to the
 * edge, a horizontal pass S0·a0 + S1·a1 + S2·a2 + S3·a3 summed left to right in float32, then a
 * vertical pass that OpenCV's 128-bit SIMD kernel computes as S0·b0 + (S1·b1 + (S2·b2 + S3·b3))
 * (x86's baseline has no fused multiply-add) over the interleaved row's leading 8-element blocks,
 * and the scalar loop as ((S0·b0 + S1·b1) + S2·b2) + S3·b3 on the rest. Which formula a value gets
 * depends on its position in the *interleaved* row (x · channels + c), so the channel count of
 * the array OpenCV resized matters even though the data here is stored one plane per channel.
 */

/** Planar float32 data: `channels` planes of height × width. */
export interface PlanarF32 {
  readonly data: Float32Array;
  readonly width: number;
  readonly height: number;
  readonly channels: number;
}

const f32 = Math.fround;

interface CubicAxis {
  /** Source index of each destination's first tap (already −1), unclamped. */
  readonly first: Int32Array;
  /** Four float32 weights per destination. */
  readonly weights: Float32Array;
}

/**
 * Taps along one axis. `scale` is OpenCV's source step per destination pixel: 1 / fx when the
 * call gives a factor (`cv2.resize(src, (0, 0), fx=…)`), src / dst (as 1 / (dst / src)) when it
 * gives a size.
 */
function cubicAxis(dst: number, scale: number): CubicAxis {
  const first = new Int32Array(dst);
  const weights = new Float32Array(dst * 4);
  for (let d = 0; d < dst; d++) {
    let f = f32((d + 0.5) * scale - 0.5);
    const s = Math.floor(f);
    f = f32(f - s);
    first[d] = s - 1;
    weights.set(cubicCoefficients(f), d * 4);
  }
  return { first, weights };
}

export interface CubicResizeOptions {
  /** `fx` / `fy` as the caller passed them; without them the scale comes from the sizes. */
  readonly fx?: number;
  readonly fy?: number;
  /** The channels to compute (others stay 0); all by default. */
  readonly only?: readonly number[];
}

/**
 * A prepared INTER_CUBIC resize from srcW × srcH to dstW × dstH for an array of `channels`
 * interleaved channels: `plane` resizes one channel, `at` gives one output value without the
 * rest (the same arithmetic, so the same float32 result).
 */
export class CubicResizeF32 {
  private readonly ax: CubicAxis;
  private readonly ay: CubicAxis;
  /** Interleaved row elements OpenCV's SIMD vertical kernel covers (multiples of 8). */
  private readonly simdEnd: number;

  constructor(
    readonly srcW: number,
    readonly srcH: number,
    readonly dstW: number,
    readonly dstH: number,
    readonly channels: number,
    options: Pick<CubicResizeOptions, "fx" | "fy"> = {},
  ) {
    if (srcW < 1 || srcH < 1 || dstW < 1 || dstH < 1 || channels < 1) {
      throw new Error(`resize: sizes must be positive, got ${srcW}×${srcH} → ${dstW}×${dstH}`);
    }
    this.ax = cubicAxis(dstW, options.fx ? 1 / options.fx : 1 / (dstW / srcW));
    this.ay = cubicAxis(dstH, options.fy ? 1 / options.fy : 1 / (dstH / srcH));
    const rowLength = dstW * channels;
    this.simdEnd = rowLength - (rowLength % 8);
  }

  /** The horizontal pass of source row `sy` at destination column `dx`, from `src(x, y)`. */
  private horizontal(src: (x: number, y: number) => number, sy: number, dx: number): number {
    const w = this.ax.weights;
    const o = dx * 4;
    const s = this.ax.first[dx];
    const max = this.srcW - 1;
    const t0 = src(Math.min(max, Math.max(0, s)), sy);
    const t1 = src(Math.min(max, Math.max(0, s + 1)), sy);
    const t2 = src(Math.min(max, Math.max(0, s + 2)), sy);
    const t3 = src(Math.min(max, Math.max(0, s + 3)), sy);
    let v = f32(f32(t0 * w[o]) + f32(t1 * w[o + 1]));
    v = f32(v + f32(t2 * w[o + 2]));
    return f32(v + f32(t3 * w[o + 3]));
  }

  private vertical(
    c: number,
    dx: number,
    dy: number,
    s0: number,
    s1: number,
    s2: number,
    s3: number,
  ): number {
    const b = this.ay.weights;
    const o = dy * 4;
    if (dx * this.channels + c < this.simdEnd) {
      let t = f32(s3 * b[o + 3]);
      t = f32(f32(s2 * b[o + 2]) + t);
      t = f32(f32(s1 * b[o + 1]) + t);
      return f32(f32(s0 * b[o]) + t);
    }
    let v = f32(f32(s0 * b[o]) + f32(s1 * b[o + 1]));
    v = f32(v + f32(s2 * b[o + 2]));
    return f32(v + f32(s3 * b[o + 3]));
  }

  private sourceRows(dy: number): [number, number, number, number] {
    const s = this.ay.first[dy];
    const max = this.srcH - 1;
    const clamp = (v: number) => Math.min(max, Math.max(0, v));
    return [clamp(s), clamp(s + 1), clamp(s + 2), clamp(s + 3)];
  }

  /** One output value of channel `c`, reading the source through `src(x, y)`. */
  at(src: (x: number, y: number) => number, c: number, dx: number, dy: number): number {
    const rows = this.sourceRows(dy);
    const h = rows.map((sy) => this.horizontal(src, sy, dx));
    return this.vertical(c, dx, dy, h[0], h[1], h[2], h[3]);
  }

  /** The source rectangle [sx0, sx1] × [sy0, sy1] whose values make output [x0, x1] × [y0, y1]. */
  sourceRect(x0: number, y0: number, x1: number, y1: number): [number, number, number, number] {
    const clampX = (v: number) => Math.min(this.srcW - 1, Math.max(0, v));
    const clampY = (v: number) => Math.min(this.srcH - 1, Math.max(0, v));
    return [
      clampX(this.ax.first[x0]),
      clampY(this.ay.first[y0]),
      clampX(this.ax.first[x1] + 3),
      clampY(this.ay.first[y1] + 3),
    ];
  }

  /**
   * Output values of channel `c` over [x0, x1] × [y0, y1] into `out` (a whole dstW × dstH plane),
   * skipping those `done` marks and marking the rest; `rows` caches the horizontal pass
   * (srcH × dstW, NaN where not yet computed). Same values as `plane`.
   */
  region(
    src: Float32Array,
    c: number,
    rect: readonly [number, number, number, number],
    out: Float32Array,
    done: Uint8Array,
    rows: Float32Array,
  ): void {
    const [x0, y0, x1, y1] = rect;
    const { srcW, srcH, dstW, channels, simdEnd } = this;
    const { first, weights: a } = this.ax;
    const b = this.ay.weights;
    const maxX = srcW - 1;
    const maxY = srcH - 1;
    // The horizontal pass of source row sy at column dx, cached (the same arithmetic as `plane`).
    const hAt = (sy: number, dx: number): number => {
      const k = sy * dstW + dx;
      let v = rows[k];
      if (v === v) return v;
      const row = sy * srcW;
      const s = first[dx];
      const t = dx * 4;
      const p0 = src[row + (s < 0 ? 0 : s > maxX ? maxX : s)];
      const p1 = src[row + (s + 1 < 0 ? 0 : s + 1 > maxX ? maxX : s + 1)];
      const p2 = src[row + (s + 2 < 0 ? 0 : s + 2 > maxX ? maxX : s + 2)];
      const p3 = src[row + (s + 3 > maxX ? maxX : s + 3 < 0 ? 0 : s + 3)];
      v = f32(f32(p0 * a[t]) + f32(p1 * a[t + 1]));
      v = f32(v + f32(p2 * a[t + 2]));
      v = f32(v + f32(p3 * a[t + 3]));
      rows[k] = v;
      return v;
    };
    for (let dy = y0; dy <= y1; dy++) {
      const s = this.ay.first[dy];
      const r0 = s < 0 ? 0 : s > maxY ? maxY : s;
      const r1 = s + 1 < 0 ? 0 : s + 1 > maxY ? maxY : s + 1;
      const r2 = s + 2 < 0 ? 0 : s + 2 > maxY ? maxY : s + 2;
      const r3 = s + 3 < 0 ? 0 : s + 3 > maxY ? maxY : s + 3;
      const t = dy * 4;
      const b0 = b[t];
      const b1 = b[t + 1];
      const b2 = b[t + 2];
      const b3 = b[t + 3];
      const o = dy * dstW;
      for (let dx = x0; dx <= x1; dx++) {
        if (done[o + dx]) continue;
        const h0 = hAt(r0, dx);
        const h1 = hAt(r1, dx);
        const h2 = hAt(r2, dx);
        const h3 = hAt(r3, dx);
        let v: number;
        if (dx * channels + c < simdEnd) {
          v = f32(h3 * b3);
          v = f32(f32(h2 * b2) + v);
          v = f32(f32(h1 * b1) + v);
          v = f32(f32(h0 * b0) + v);
        } else {
          v = f32(f32(h0 * b0) + f32(h1 * b1));
          v = f32(v + f32(h2 * b2));
          v = f32(v + f32(h3 * b3));
        }
        out[o + dx] = v;
        done[o + dx] = 1;
      }
    }
  }

  /** Channel `c` of the output, from its source plane (srcH × srcW, row-major). */
  plane(src: Float32Array, c: number, out = new Float32Array(this.dstW * this.dstH)): Float32Array {
    const { srcW, srcH, dstW, dstH, channels, simdEnd } = this;
    if (src.length < srcW * srcH) throw new Error(`resize: plane of ${src.length} values`);
    // The same arithmetic as `horizontal` and `vertical`, in straight loops over typed arrays.
    const taps = new Int32Array(dstW * 4);
    const { first, weights: a } = this.ax;
    for (let dx = 0; dx < dstW; dx++) {
      for (let k = 0; k < 4; k++) taps[dx * 4 + k] = Math.min(srcW - 1, Math.max(0, first[dx] + k));
    }
    const h = new Float32Array(srcH * dstW);
    for (let sy = 0; sy < srcH; sy++) {
      const row = sy * srcW;
      const o = sy * dstW;
      for (let dx = 0; dx < dstW; dx++) {
        const t = dx * 4;
        let v = f32(f32(src[row + taps[t]] * a[t]) + f32(src[row + taps[t + 1]] * a[t + 1]));
        v = f32(v + f32(src[row + taps[t + 2]] * a[t + 2]));
        h[o + dx] = f32(v + f32(src[row + taps[t + 3]] * a[t + 3]));
      }
    }
    const b = this.ay.weights;
    // Output columns before `split` sit in OpenCV's SIMD blocks of the interleaved row.
    const split = Math.min(dstW, Math.max(0, Math.ceil((simdEnd - c) / channels)));
    for (let dy = 0; dy < dstH; dy++) {
      const [r0, r1, r2, r3] = this.sourceRows(dy).map((r) => r * dstW);
      const o = dy * dstW;
      const t = dy * 4;
      const b0 = b[t];
      const b1 = b[t + 1];
      const b2 = b[t + 2];
      const b3 = b[t + 3];
      for (let dx = 0; dx < split; dx++) {
        let v = f32(h[r3 + dx] * b3);
        v = f32(f32(h[r2 + dx] * b2) + v);
        v = f32(f32(h[r1 + dx] * b1) + v);
        out[o + dx] = f32(f32(h[r0 + dx] * b0) + v);
      }
      for (let dx = split; dx < dstW; dx++) {
        let v = f32(f32(h[r0 + dx] * b0) + f32(h[r1 + dx] * b1));
        v = f32(v + f32(h[r2 + dx] * b2));
        out[o + dx] = f32(v + f32(h[r3 + dx] * b3));
      }
    }
    return out;
  }
}

/** `cv2.resize(src, (dstW, dstH), interpolation=cv2.INTER_CUBIC)` (or with fx / fy) on float32. */
export function resizeCubicF32(
  src: PlanarF32,
  dstW: number,
  dstH: number,
  options: CubicResizeOptions = {},
): PlanarF32 {
  const { width, height, channels, data } = src;
  if (data.length !== width * height * channels) {
    throw new Error(`resize: expected ${width}×${height}×${channels} values, got ${data.length}`);
  }
  const resize = new CubicResizeF32(width, height, dstW, dstH, channels, options);
  const out = new Float32Array(dstW * dstH * channels);
  const planeSize = width * height;
  for (const c of options.only ?? Array.from({ length: channels }, (_, i) => i)) {
    const plane = data.subarray(c * planeSize, (c + 1) * planeSize);
    resize.plane(plane, c, out.subarray(c * dstW * dstH, (c + 1) * dstW * dstH));
  }
  return { data: out, width: dstW, height: dstH, channels };
}
