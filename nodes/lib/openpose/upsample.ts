import { CubicResizeF32 } from "../opencv/resize-f32";
import type { BodyMaps } from "./body";
import type { HeatmapSource } from "./peaks";

/**
 * The annotator's way back from the network's stride-8 maps to the photo (`Body.__call__`):
 * `cv2.resize(map, (0, 0), fx=8, fy=8, INTER_CUBIC)`, the padding cropped, then
 * `cv2.resize(…, (W, H), INTER_CUBIC)`, on the H × W × C float32 arrays (19 heatmap channels,
 * 38 PAF channels: the channel count fixes which values OpenCV's SIMD kernel computes). The ×8
 * maps are made whole; the photo-size values only where they are read, with the same arithmetic:
 * the peak search asks for heatmap regions near strong responses (a cubic interpolation cannot
 * exceed 1.375² times the largest |value| it reads, which bounds the skipped blocks), the limb
 * scoring for a few hundred PAF points.
 */

/** Σ|w| of OpenCV's A = −0.75 cubic weights is at most 1.375 (at a half-pixel offset). */
const CUBIC_GAIN = 1.375;
const MID_CELL = 4;

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
  /** Values computed so far, by channel and pixel: a few hundred are read, of millions. */
  private readonly mid = new Map<number, number>();
  private readonly out = new Map<number, number>();

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
  }

  private midAt(c: number, x: number, y: number): number {
    const { scaledWidth, scaledHeight } = this.geometry;
    const key = (c * scaledHeight + y) * scaledWidth + x;
    let v = this.mid.get(key);
    if (v !== undefined) return v;
    const { width, height, data } = this.maps;
    const offset = c * width * height;
    v = this.first.at((sx, sy) => data[offset + sy * width + sx], c, x, y);
    this.mid.set(key, v);
    return v;
  }

  at(c: number, x: number, y: number): number {
    const key = (c * this.geometry.height + y) * this.geometry.width + x;
    let v = this.out.get(key);
    if (v !== undefined) return v;
    v = this.second.at((sx, sy) => this.midAt(c, sx, sy), c, x, y);
    this.out.set(key, v);
    return v;
  }
}

/**
 * Photo-size buffers the heatmap sources share: the peak search reads one part at a time, so
 * each part's source takes them over when used (clearing what the previous one computed); a
 * source used again later takes them back and computes its values again.
 */
interface SharedPlanes {
  owner: UpsampledHeatmap | undefined;
  readonly values: Float32Array;
  readonly done: Uint8Array;
  readonly rows: Float32Array;
}

/** One channel at the photo's size, made region by region as the peak search asks. */
class UpsampledHeatmap implements HeatmapSource {
  private readonly cellMax: Float32Array;
  private readonly cellsW: number;

  constructor(
    private readonly resize: CubicResizeF32,
    private readonly mid: Float32Array,
    private readonly channel: number,
    private readonly shared: SharedPlanes,
  ) {
    const { srcW, srcH } = resize;
    this.cellsW = Math.ceil(srcW / MID_CELL);
    this.cellMax = new Float32Array(this.cellsW * Math.ceil(srcH / MID_CELL));
    for (let y = 0; y < srcH; y++) {
      for (let x = 0; x < srcW; x++) {
        const cell = ((y / MID_CELL) | 0) * this.cellsW + ((x / MID_CELL) | 0);
        this.cellMax[cell] = Math.max(this.cellMax[cell], Math.abs(mid[y * srcW + x]));
      }
    }
  }

  private claim(): SharedPlanes {
    const { shared } = this;
    if (shared.owner !== this) {
      shared.done.fill(0);
      shared.rows.fill(Number.NaN);
      shared.owner = this;
    }
    return shared;
  }

  get values(): Float32Array {
    return this.claim().values;
  }

  get width(): number {
    return this.resize.dstW;
  }

  get height(): number {
    return this.resize.dstH;
  }

  bound(x0: number, y0: number, x1: number, y1: number): number {
    const [sx0, sy0, sx1, sy1] = this.resize.sourceRect(x0, y0, x1, y1);
    let most = 0;
    for (let cy = (sy0 / MID_CELL) | 0; cy <= ((sy1 / MID_CELL) | 0); cy++) {
      for (let cx = (sx0 / MID_CELL) | 0; cx <= ((sx1 / MID_CELL) | 0); cx++) {
        most = Math.max(most, this.cellMax[cy * this.cellsW + cx]);
      }
    }
    // float32 sums of four products round a little: a margin well above their error.
    return most * CUBIC_GAIN * CUBIC_GAIN * (1 + 1e-5);
  }

  cellBounds(cell: number): Float64Array {
    const { srcW, srcH, dstW, dstH } = this.resize;
    const cw = Math.ceil(dstW / cell);
    const ch = Math.ceil(dstH / cell);
    // Each cell's source columns, then per source row the max over them, then over source rows.
    const colRange = (c: number) =>
      this.resize.sourceRect(c * cell, 0, Math.min(dstW - 1, c * cell + cell - 1), 0);
    const rowRange = (c: number) =>
      this.resize.sourceRect(0, c * cell, 0, Math.min(dstH - 1, c * cell + cell - 1));
    const byRow = new Float64Array(srcH * cw);
    for (let cx = 0; cx < cw; cx++) {
      const [sx0, , sx1] = colRange(cx);
      for (let sy = 0; sy < srcH; sy++) {
        let most = 0;
        for (let sx = sx0; sx <= sx1; sx++)
          most = Math.max(most, Math.abs(this.mid[sy * srcW + sx]));
        byRow[sy * cw + cx] = most;
      }
    }
    const out = new Float64Array(cw * ch);
    const gain = CUBIC_GAIN * CUBIC_GAIN * (1 + 1e-5);
    for (let cy = 0; cy < ch; cy++) {
      const [, sy0, , sy1] = rowRange(cy);
      for (let cx = 0; cx < cw; cx++) {
        let most = 0;
        for (let sy = sy0; sy <= sy1; sy++) most = Math.max(most, byRow[sy * cw + cx]);
        out[cy * cw + cx] = most * gain;
      }
    }
    return out;
  }

  prepare(x0: number, y0: number, x1: number, y1: number): void {
    const { values, done, rows } = this.claim();
    this.resize.region(this.mid, this.channel, [x0, y0, x1, y1], values, done, rows);
  }
}

/** The ×8 map of channel c with the padding cropped: the second resize's source. */
function croppedMid(
  first: CubicResizeF32,
  maps: NetworkMaps,
  geometry: UpsampleGeometry,
  c: number,
): Float32Array {
  const { width: w, height: h, data } = maps;
  const big = first.plane(data.subarray(c * w * h, (c + 1) * w * h), c);
  const crop = new Float32Array(geometry.scaledWidth * geometry.scaledHeight);
  for (let y = 0; y < geometry.scaledHeight; y++) {
    const row = big.subarray(y * w * STRIDE, y * w * STRIDE + geometry.scaledWidth);
    crop.set(row, y * geometry.scaledWidth);
  }
  return crop;
}

/** Channels 0..count−1 of the stack at the photo's size, each a full plane. */
export function upsamplePlanes(
  maps: NetworkMaps,
  geometry: UpsampleGeometry,
  count: number,
  signal?: AbortSignal,
): Float32Array[] {
  const { width: w, height: h, channels } = maps;
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
    planes.push(second.plane(croppedMid(first, maps, geometry, c), c));
  }
  return planes;
}

/** The maps the body estimation reads: heatmaps and PAFs made where they are read. */
export function upsampleForBody(
  heatmaps: NetworkMaps,
  pafs: NetworkMaps,
  geometry: UpsampleGeometry,
  parts: number,
  signal?: AbortSignal,
): BodyMaps {
  const { width: w, height: h, channels } = heatmaps;
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
  const size = geometry.width * geometry.height;
  const shared: SharedPlanes = {
    owner: undefined,
    values: new Float32Array(size),
    done: new Uint8Array(size),
    rows: new Float32Array(geometry.scaledHeight * geometry.width),
  };
  const sources: UpsampledHeatmap[] = [];
  for (let c = 0; c < parts; c++) {
    signal?.throwIfAborted();
    const mid = croppedMid(first, heatmaps, geometry, c);
    sources.push(new UpsampledHeatmap(second, mid, c, shared));
  }
  const paf = new LazyUpsample(pafs, geometry);
  return {
    width: geometry.width,
    height: geometry.height,
    heatmap: (part) => sources[part],
    paf: (c, x, y) => paf.at(c, x, y),
  };
}
