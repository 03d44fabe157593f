import { describe, expect, it } from "vitest";
import {
  chooseTileSize,
  planTiles,
  TileBlender,
  UPSCALE_PEAK_BYTES_PER_PIXEL,
  type Tile,
} from "./tiling";

describe("planTiles", () => {
  it("uses one tile when the image fits", () => {
    expect(planTiles(100, 80, 128, 16)).toEqual([{ x: 0, y: 0, width: 100, height: 80 }]);
  });

  it("covers every pixel with in-bounds tiles that overlap by at least the overlap", () => {
    const [w, h, tile, overlap] = [300, 170, 64, 12];
    const tiles = planTiles(w, h, tile, overlap);
    const covered = new Uint8Array(w * h);
    for (const t of tiles) {
      expect(t.x + t.width).toBeLessThanOrEqual(w);
      expect(t.y + t.height).toBeLessThanOrEqual(h);
      expect([t.width, t.height]).toEqual([tile, tile]);
      for (let y = t.y; y < t.y + t.height; y++)
        for (let x = t.x; x < t.x + t.width; x++) covered[y * w + x] = 1;
    }
    expect(covered.every((c) => c === 1)).toBe(true);
    const xs = [...new Set(tiles.map((t) => t.x))].sort((a, b) => a - b);
    for (let i = 1; i < xs.length; i++)
      expect(xs[i - 1] + tile - xs[i]).toBeGreaterThanOrEqual(overlap);
  });

  it("refuses an overlap that leaves no stride", () => {
    expect(() => planTiles(500, 500, 32, 17)).toThrow(/overlap/);
  });
});

describe("TileBlender", () => {
  /** A per-pixel "model": 2× nearest upscale of a planar 1-channel image, plus a constant. */
  function process(src: Float32Array, width: number, tile: Tile, scale: number): Float32Array {
    const tw = tile.width * scale;
    const out = new Float32Array(tw * tile.height * scale);
    for (let y = 0; y < tile.height * scale; y++) {
      for (let x = 0; x < tw; x++) {
        const sx = tile.x + Math.floor(x / scale);
        const sy = tile.y + Math.floor(y / scale);
        out[y * tw + x] = src[sy * width + sx] * 2 + 1;
      }
    }
    return out;
  }

  it("reassembles a position-independent result exactly, seams included", () => {
    const [w, h, scale] = [50, 37, 2];
    const src = Float32Array.from({ length: w * h }, (_, i) => Math.sin(i) * 10);
    const blender = new TileBlender(w, h, scale, 6, 1);
    for (const tile of planTiles(w, h, 16, 6)) blender.add(tile, process(src, w, tile, scale));
    const whole = process(src, w, { x: 0, y: 0, width: w, height: h }, scale);
    const out = blender.result();
    for (let i = 0; i < whole.length; i++) expect(out[i]).toBeCloseTo(whole[i], 4);
  });

  it("cross-fades tiles that disagree instead of cutting between them", () => {
    const blender = new TileBlender(24, 1, 1, 8, 1);
    const tiles = planTiles(24, 1, 16, 8);
    expect(tiles.map((t) => t.x)).toEqual([0, 8]);
    blender.add(tiles[0], new Float32Array(16).fill(0));
    blender.add(tiles[1], new Float32Array(16).fill(1));
    const out = blender.result();
    expect(out[0]).toBe(0);
    expect(out[23]).toBe(1);
    // Across the overlap (x 8..15) the value climbs steadily, with no jump bigger than a ramp step.
    for (let x = 9; x < 16; x++) expect(out[x] - out[x - 1]).toBeGreaterThan(0);
    for (let x = 1; x < 24; x++) expect(Math.abs(out[x] - out[x - 1])).toBeLessThanOrEqual(0.25);
  });

  it("refuses a tile result of the wrong size and reports uncovered pixels", () => {
    const blender = new TileBlender(4, 4, 2, 0, 3);
    expect(() => blender.add({ x: 0, y: 0, width: 2, height: 2 }, new Float32Array(5))).toThrow(
      /expected 48/,
    );
    expect(() => blender.result()).toThrow(/not covered/);
  });
});

describe("chooseTileSize", () => {
  it("fits the widest tensor into the GPU's binding limit", () => {
    const limits = { maxBufferSize: 256 * 1024 ** 2, maxStorageBufferBindingSize: 128 * 1024 ** 2 };
    const tile = chooseTileSize(limits);
    expect(tile % 32).toBe(0);
    expect(tile * tile * UPSCALE_PEAK_BYTES_PER_PIXEL).toBeLessThanOrEqual(128 * 1024 ** 2);
    expect((tile + 32) ** 2 * UPSCALE_PEAK_BYTES_PER_PIXEL).toBeGreaterThan(128 * 1024 ** 2);
  });

  it("grows with bigger limits up to a cap, and has a floor", () => {
    const big = { maxBufferSize: 4 * 1024 ** 3, maxStorageBufferBindingSize: 2 * 1024 ** 3 };
    expect(chooseTileSize(big)).toBe(512);
    const tiny = { maxBufferSize: 1024 ** 2, maxStorageBufferBindingSize: 1024 ** 2 };
    expect(chooseTileSize(tiny)).toBe(64);
    expect(chooseTileSize(undefined)).toBe(256);
  });
});
