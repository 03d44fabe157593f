/**
 * Tiled processing for models that scale an image (the Upscaler): the image is cut into
 * overlapping tiles small enough for the GPU's buffer limits, each tile is processed on its own,
 * and the results are blended back with linear ramps across the overlaps, so no seam shows where
 * two tiles meet (a model's output near a tile edge differs from what it gives with context).
 */

export interface Tile {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Start offsets along one axis: stride `tile - overlap`, the last tile flush with the far edge. */
function axisStarts(length: number, tile: number, overlap: number): number[] {
  if (length <= tile) return [0];
  const stride = tile - overlap;
  const starts: number[] = [];
  for (let s = 0; s + tile < length; s += stride) starts.push(s);
  starts.push(length - tile);
  return starts;
}

export function planTiles(width: number, height: number, tile: number, overlap: number): Tile[] {
  if (!(tile > 0 && overlap >= 0 && overlap * 2 <= tile)) {
    throw new Error(`tile ${tile} with overlap ${overlap}: overlap must be at most half the tile`);
  }
  const tiles: Tile[] = [];
  for (const y of axisStarts(height, tile, overlap)) {
    for (const x of axisStarts(width, tile, overlap)) {
      tiles.push({ x, y, width: Math.min(tile, width - x), height: Math.min(tile, height - y) });
    }
  }
  return tiles;
}

/**
 * Weight of output position `p` (0-based, in a tile of `length` output pixels) along one axis: it
 * rises linearly over the `ramp` pixels next to an edge that borders another tile and is 1
 * elsewhere, so overlapping tiles cross-fade and the image border keeps full weight.
 */
function edgeWeight(p: number, length: number, ramp: number, near: boolean, far: boolean): number {
  let w = 1;
  if (near) w = Math.min(w, (p + 0.5) / ramp);
  if (far) w = Math.min(w, (length - p - 0.5) / ramp);
  return w;
}

/** Accumulates scaled tiles into one planar image (channel-major), weighted across overlaps. */
export class TileBlender {
  private readonly sum: Float32Array;
  private readonly weight: Float32Array;
  readonly outWidth: number;
  readonly outHeight: number;

  constructor(
    private readonly width: number,
    private readonly height: number,
    private readonly scale: number,
    private readonly overlap: number,
    private readonly channels: number,
  ) {
    this.outWidth = width * scale;
    this.outHeight = height * scale;
    this.sum = new Float32Array(this.outWidth * this.outHeight * channels);
    this.weight = new Float32Array(this.outWidth * this.outHeight);
  }

  /** Adds a processed tile: planar `data` of `channels × (tile.height·scale) × (tile.width·scale)`. */
  add(tile: Tile, data: Float32Array): void {
    const s = this.scale;
    const tw = tile.width * s;
    const th = tile.height * s;
    if (data.length !== this.channels * tw * th) {
      throw new Error(`tile result has ${data.length} values, expected ${this.channels * tw * th}`);
    }
    const ramp = Math.max(1, this.overlap * s);
    const left = tile.x > 0;
    const right = tile.x + tile.width < this.width;
    const top = tile.y > 0;
    const bottom = tile.y + tile.height < this.height;
    const plane = this.outWidth * this.outHeight;
    for (let y = 0; y < th; y++) {
      const wy = edgeWeight(y, th, ramp, top, bottom);
      const row = (tile.y * s + y) * this.outWidth + tile.x * s;
      for (let x = 0; x < tw; x++) {
        const w = wy * edgeWeight(x, tw, ramp, left, right);
        const o = row + x;
        this.weight[o] += w;
        for (let c = 0; c < this.channels; c++)
          this.sum[c * plane + o] += w * data[(c * th + y) * tw + x];
      }
    }
  }

  /** The blended planar image; every pixel must have been covered by some tile. */
  result(): Float32Array {
    const plane = this.outWidth * this.outHeight;
    const out = new Float32Array(this.sum.length);
    for (let o = 0; o < plane; o++) {
      const w = this.weight[o];
      if (!(w > 0))
        throw new Error(
          `pixel ${o % this.outWidth},${Math.floor(o / this.outWidth)} was not covered by any tile`,
        );
      for (let c = 0; c < this.channels; c++) out[c * plane + o] = this.sum[c * plane + o] / w;
    }
    return out;
  }
}

/**
 * Peak bytes of activations per input pixel for a 4× super-resolution network with 64 feature
 * channels: its widest tensors are 64 float32 channels at the 4× output resolution (RRDBNet's
 * upsampling convolutions), i.e. 64 × 16 × 4 bytes. Smaller networks (SRVGG) stay well under it.
 */
export const UPSCALE_PEAK_BYTES_PER_PIXEL = 64 * 16 * 4;
const CPU_TILE_BUDGET_BYTES = 256 * 1024 * 1024;

/**
 * The largest tile (a multiple of 32, 64–512 px) whose biggest tensor fits one GPU buffer binding
 * (and one buffer), or a fixed memory budget off the GPU. Bigger tiles waste less on overlaps.
 */
export function chooseTileSize(
  limits: { maxBufferSize: number; maxStorageBufferBindingSize: number } | undefined,
  bytesPerPixel = UPSCALE_PEAK_BYTES_PER_PIXEL,
): number {
  const budget = limits
    ? Math.min(limits.maxBufferSize, limits.maxStorageBufferBindingSize)
    : CPU_TILE_BUDGET_BYTES;
  const side = Math.floor(Math.sqrt(budget / bytesPerPixel) / 32) * 32;
  return Math.min(512, Math.max(64, side));
}
