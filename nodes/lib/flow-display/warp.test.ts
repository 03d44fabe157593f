import { describe, expect, it } from "vitest";
import { createImage, type RgbaImage } from "../../core/image";
import { coordinateGrid } from "../flow/coordinate-grid";
import { warpByFlow } from "./warp";

/** A deterministic image whose every pixel differs from its neighbours. */
function pattern(width: number, height: number): RgbaImage {
  const image = createImage(width, height);
  for (let i = 0; i < width * height; i++) {
    image.data.set([(i * 37) % 256, (i * 91 + 13) % 256, (i * 53 + 101) % 256, 255], i * 4);
  }
  return image;
}

const pixel = (image: RgbaImage, x: number, y: number) =>
  Array.from(image.data.subarray((y * image.width + x) * 4, (y * image.width + x) * 4 + 4));

describe("warpByFlow", () => {
  it("reproduces the image exactly under the identity grid", () => {
    const ref = pattern(7, 5);
    const out = warpByFlow(ref, coordinateGrid(7, 5), 7, 5);
    expect(Array.from(out.data)).toEqual(Array.from(ref.data));
  });

  it("flips the image under a horizontally mirrored grid", () => {
    const ref = pattern(6, 4);
    const grid = coordinateGrid(6, 4);
    for (let i = 0; i < grid.length; i += 2) grid[i] = -grid[i];
    const out = warpByFlow(ref, grid, 6, 4);
    for (let y = 0; y < 4; y++) {
      for (let x = 0; x < 6; x++) expect(pixel(out, x, y)).toEqual(pixel(ref, 5 - x, y));
    }
  });

  it("averages neighbours at a half-pixel shift", () => {
    const ref = createImage(
      3,
      1,
      Uint8ClampedArray.from([0, 0, 0, 255, 100, 50, 10, 255, 200, 0, 30, 255]),
    );
    // Column centres are x = −1, 0, 1; halfway between columns 0 and 1 is x = −0.5, 1 and 2 x = 0.5.
    const out = warpByFlow(ref, Float32Array.from([-0.5, 0, 0.5, 0]), 2, 1);
    expect(pixel(out, 0, 0)).toEqual([50, 25, 5, 255]);
    expect(pixel(out, 1, 0)).toEqual([150, 25, 20, 255]);
  });

  it("reads white outside the reference and blends it in at the rim", () => {
    const ref = createImage(2, 1, Uint8ClampedArray.from([0, 0, 0, 255, 0, 0, 0, 255]));
    // x = 3 is column 2 (outside); x = 2 is column 1.5, half column 1, half outside; NaN is undefined.
    const out = warpByFlow(ref, Float32Array.from([3, 0, 2, 0, Number.NaN, 0]), 3, 1);
    expect(pixel(out, 0, 0)).toEqual([255, 255, 255, 255]);
    expect(pixel(out, 1, 0)).toEqual([128, 128, 128, 255]);
    expect(pixel(out, 2, 0)).toEqual([255, 255, 255, 255]);
  });

  it("samples a reference of another size through normalised coordinates", () => {
    const ref = pattern(9, 9);
    // A 3×3 identity grid on a 9×9 reference picks columns/rows 0, 4 and 8.
    const out = warpByFlow(ref, coordinateGrid(3, 3), 3, 3);
    expect(pixel(out, 1, 1)).toEqual(pixel(ref, 4, 4));
    expect(pixel(out, 2, 0)).toEqual(pixel(ref, 8, 0));
  });

  it("rejects a flow of the wrong size", () => {
    expect(() => warpByFlow(pattern(2, 2), new Float32Array(6), 2, 2)).toThrow(
      /expected 2×2×2 = 8/,
    );
  });
});
