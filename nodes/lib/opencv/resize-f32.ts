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

  /** Channel `c` of the output, from its source plane (srcH × srcW, row-major). */
  plane(src: Float32Array, c: number, out = new Float32Array(this.dstW * this.dstH)): Float32Array {
    const { srcW, srcH, dstW, dstH } = this;
    if (src.length < srcW * srcH) throw new Error(`resize: plane of ${src.length} values`);
    // Horizontal pass of every source row (each feeds up to four output rows).
    const h = new Float32Array(srcH * dstW);
    const read = (x: number, y: number) => src[y * srcW + x];
    for (let sy = 0; sy < srcH; sy++) {
      for (let dx = 0; dx < dstW; dx++) h[sy * dstW + dx] = this.horizontal(read, sy, dx);
    }
    for (let dy = 0; dy < dstH; dy++) {
      const [r0, r1, r2, r3] = this.sourceRows(dy).map((r) => r * dstW);
      const o = dy * dstW;
      for (let dx = 0; dx < dstW; dx++) {
        out[o + dx] = this.vertical(c, dx, dy, h[r0 + dx], h[r1 + dx], h[r2 + dx], h[r3 + dx]);
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
