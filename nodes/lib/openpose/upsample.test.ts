import { describe, expect, it } from "vitest";
import { resizeCubicF32 } from "../opencv/resize-f32";
import { gaussianFilter } from "./gaussian-filter";
import { peaksOf, sparsePeaks } from "./peaks";
import { networkMaps, standingPerson } from "./test-people";
import { upsampleForBody, upsamplePlanes } from "./upsample";

/** A seeded [channels, h, w] stack. */
function stack(channels: number, width: number, height: number) {
  let state = 9;
  const data = Float32Array.from({ length: channels * width * height }, () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return Math.fround(state / 2 ** 32 - 0.3);
  });
  return { data, channels, width, height };
}

describe("upsampling the network's maps", () => {
  // 138×184 padded to 144×184: maps 18×23, ×8, crop 138 wide, to 384×512.
  const geometry = { scaledWidth: 138, scaledHeight: 184, width: 384, height: 512 };

  it("is cv2.resize ×8 (fx = fy = 8), the padding cropped, then cv2.resize to the photo", () => {
    const maps = stack(3, 18, 23);
    const big = resizeCubicF32(maps, 144, 184, { fx: 8, fy: 8 });
    const crop = new Float32Array(3 * 138 * 184);
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < 184; y++) {
        crop.set(
          big.data.subarray((c * 184 + y) * 144, (c * 184 + y) * 144 + 138),
          (c * 184 + y) * 138,
        );
      }
    }
    const expected = resizeCubicF32({ data: crop, width: 138, height: 184, channels: 3 }, 384, 512);
    const planes = upsamplePlanes(maps, geometry, 2);
    expect(planes).toHaveLength(2);
    expect(planes[1]).toEqual(expected.data.subarray(384 * 512, 2 * 384 * 512));
  });

  it("computes a PAF value on demand exactly as the whole plane", () => {
    const heat = stack(19, 18, 23);
    const paf = stack(38, 18, 23);
    const body = upsampleForBody(heat, paf, geometry, 18);
    const planes = upsamplePlanes(paf, geometry, 38);
    for (const [c, x, y] of [
      [0, 0, 0],
      [5, 383, 511],
      [37, 200, 17],
      [37, 201, 17],
      [12, 95, 300],
    ]) {
      expect(body.paf(c, x, y)).toBe(planes[c][y * 384 + x]);
    }
    // Heatmaps: a region made on demand holds the whole plane's values.
    const source = body.heatmap(4);
    source.prepare(100, 200, 180, 260);
    const plane = upsamplePlanes(heat, geometry, 5)[4];
    for (const [x, y] of [
      [100, 200],
      [180, 260],
      [137, 229],
    ]) {
      expect(source.values[y * 384 + x]).toBe(plane[y * 384 + x]);
    }
    // Another part takes the shared buffers over; part 4, used again, computes its values again.
    body.heatmap(5).prepare(100, 200, 180, 260);
    source.prepare(137, 229, 137, 229);
    expect(source.values[229 * 384 + 137]).toBe(plane[229 * 384 + 137]);
    // The bound holds over every value of a region.
    let most = 0;
    for (let y = 200; y <= 260; y++) {
      for (let x = 100; x <= 180; x++) most = Math.max(most, Math.abs(plane[y * 384 + x]));
    }
    expect(source.bound(100, 200, 180, 260)).toBeGreaterThanOrEqual(most);
  });

  it("finds the same peaks on demand as on the whole upsampled, fully smoothed maps", () => {
    const { heatmaps, pafs } = networkMaps([
      { parts: standingPerson(110, 60) },
      { parts: standingPerson(270, 80), strength: 0.6 },
    ]);
    const body = upsampleForBody(heatmaps, pafs, geometry, 18);
    const planes = upsamplePlanes(heatmaps, geometry, 18);
    for (const part of [0, 7, 13]) {
      const full = peaksOf(planes[part], gaussianFilter(planes[part], 384, 512, 3), 384, 512, 5);
      expect(sparsePeaks(body.heatmap(part), 5)).toEqual(full);
      expect(full).toHaveLength(2);
    }
  }, 60_000);
});
