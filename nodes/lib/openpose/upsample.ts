import { CubicResizeF32 } from "../opencv/resize-f32";
import type { BodyMaps } from "./body";

/**
 * The annotator's way back from the network's stride-8 maps to the photo (`Body.__call__`):
 * `cv2.resize(map, (0, 0), fx=8, fy=8, INTER_CUBIC)`, the padding cropped, then
 * `cv2.resize(…, (W, H), INTER_CUBIC)`, on the H × W × C float32 arrays (19 heatmap channels,
 * 38 PAF channels: the channel count fixes which values OpenCV's SIMD kernel computes). Heatmaps
 * are resized whole (every value feeds the peak search); PAFs are read at a few hundred points
 * only, so each PAF value is computed when first asked, with the same arithmetic.
 */

export const STRIDE = 8;

export interface NetworkMaps {
  /** [channels, h, w] planes at 1/8 of the padded input. */
  readonly data: Float32Array;
  readonly channels: number;
  readonly width: number;
  readonly height: number;
}

export interface UpsampleGeometry {
  /** The resized (unpadded) input the network saw. */
  readonly scaledWidth: number;
  readonly scaledHeight: number;
  /** The photo's size (384 × 512 for Leffa's app). */
  readonly width: number;
  readonly height: number;
}

/** A lazily upsampled stack: `at(c, x, y)` computes and keeps each value it is asked for. */
class LazyUpsample {
  private readonly first: CubicResizeF32;
  private readonly second: CubicResizeF32;
  private readonly mid: Float32Array;
  private readonly out: Float32Array;
  private readonly midSize: number;
  private readonly outSize: number;

  constructor(
    private readonly maps: NetworkMaps,
    private readonly geometry: UpsampleGeometry,
  ) {
    const { width: w, height: h, channels } = maps;
    this.first = new CubicResizeF32(w, h, w * STRIDE, h * STRIDE, channels, {
      fx: STRIDE,
      fy: STRIDE,
    });
    this.second = new CubicResizeF32(
      geometry.scaledWidth,
      geometry.scaledHeight,
      geometry.width,
      geometry.height,
      channels,
    );
    // Only the crop [0, scaledHeight) × [0, scaledWidth) of the ×8 map is ever read.
    this.midSize = geometry.scaledWidth * geometry.scaledHeight;
    this.outSize = geometry.width * geometry.height;
    this.mid = new Float32Array(channels * this.midSize).fill(Number.NaN);
    this.out = new Float32Array(channels * this.outSize).fill(Number.NaN);
  }

  private midAt(c: number, x: number, y: number): number {
    const i = c * this.midSize + y * this.geometry.scaledWidth + x;
    let v = this.mid[i];
    if (v === v) return v;
    const { width, height, data } = this.maps;
    const plane = c * width * height;
    v = this.first.at((sx, sy) => data[plane + sy * width + sx], c, x, y);
    this.mid[i] = v;
    return v;
  }

  at(c: number, x: number, y: number): number {
    const i = c * this.outSize + y * this.geometry.width + x;
    let v = this.out[i];
    if (v === v) return v;
    v = this.second.at((sx, sy) => this.midAt(c, sx, sy), c, x, y);
    this.out[i] = v;
    return v;
  }
}

/** Channels 0..count−1 of the stack at the photo's size, each a full plane. */
export function upsamplePlanes(
  maps: NetworkMaps,
  geometry: UpsampleGeometry,
  count: number,
  signal?: AbortSignal,
): Float32Array[] {
  const { width: w, height: h, channels, data } = maps;
  const first = new CubicResizeF32(w, h, w * STRIDE, h * STRIDE, channels, {
    fx: STRIDE,
    fy: STRIDE,
  });
  const second = new CubicResizeF32(
    geometry.scaledWidth,
    geometry.scaledHeight,
    geometry.width,
    geometry.height,
    channels,
  );
  const planes: Float32Array[] = [];
  for (let c = 0; c < count; c++) {
    signal?.throwIfAborted();
    const big = first.plane(data.subarray(c * w * h, (c + 1) * w * h), c);
    const crop = new Float32Array(geometry.scaledWidth * geometry.scaledHeight);
    for (let y = 0; y < geometry.scaledHeight; y++) {
      const row = big.subarray(y * w * STRIDE, y * w * STRIDE + geometry.scaledWidth);
      crop.set(row, y * geometry.scaledWidth);
    }
    planes.push(second.plane(crop, c));
  }
  return planes;
}

/** The maps the body estimation reads: full heatmap planes, PAF values on demand. */
export function upsampleForBody(
  heatmaps: NetworkMaps,
  pafs: NetworkMaps,
  geometry: UpsampleGeometry,
  parts: number,
  signal?: AbortSignal,
): BodyMaps {
  const planes = upsamplePlanes(heatmaps, geometry, parts, signal);
  const paf = new LazyUpsample(pafs, geometry);
  return {
    width: geometry.width,
    height: geometry.height,
    heatmap: (part) => planes[part],
    paf: (c, x, y) => paf.at(c, x, y),
  };
}
