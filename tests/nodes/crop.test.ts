import { describe, expect, it } from "vitest";
import type { Mask, RgbaImage } from "../../nodes/core/image";
import { NodeError } from "../../nodes/core/types";
import { cropNode } from "../../nodes/crop";
import { imageFrom, maskAt, maskFrom, pixel } from "../helpers/images";
import { runNode } from "../helpers/node-context";

/** Pixel (x, y) stores its own coordinates, so offsets can be read back. */
const coords = imageFrom(40, 30, (x, y) => [x, y, 0, 255]);

describe("crop", () => {
  it("cuts the box at its offset", async () => {
    const result = await runNode(cropNode, { image: coords }, { x: 5, y: 7, width: 10, height: 4 });
    const image = result.outputs.image as RgbaImage;
    expect(image).toMatchObject({ width: 10, height: 4 });
    expect(pixel(image, 0, 0)).toEqual([5, 7, 0, 255]);
    expect(pixel(image, 9, 3)).toEqual([14, 10, 0, 255]);
    expect(result.outputs.mask).toBeUndefined();
  });

  it("clamps a box reaching past the edges", async () => {
    const result = await runNode(
      cropNode,
      { image: coords },
      { x: 35, y: 20, width: 100, height: 100 },
    );
    const image = result.outputs.image as RgbaImage;
    expect(image).toMatchObject({ width: 5, height: 10 });
    expect(pixel(image, 4, 9)).toEqual([39, 29, 0, 255]);
  });

  it("names the box and the image size when they do not overlap", async () => {
    await expect(
      runNode(cropNode, { image: coords }, { x: 40, y: 0, width: 8, height: 8 }),
    ).rejects.toThrow(new NodeError("the crop box 8×8 at (40, 0) lies outside the 40×30 image"));
  });

  it("crops the mask with the same box, resizing a mask of another size first", async () => {
    const mask = maskFrom(40, 30, (x, y) => (x === 6 && y === 8 ? 1 : 0));
    const result = await runNode(
      cropNode,
      { image: coords, mask },
      { x: 5, y: 7, width: 3, height: 3 },
    );
    const out = result.outputs.mask as Mask;
    expect(out).toMatchObject({ width: 3, height: 3 });
    expect(maskAt(out, 1, 1)).toBe(1);
    expect(maskAt(out, 0, 0)).toBe(0);
    const half = maskFrom(20, 15, (x) => (x < 10 ? 1 : 0));
    const halfResult = await runNode(
      cropNode,
      { image: coords, mask: half },
      { x: 0, y: 0, width: 40, height: 30 },
    );
    const fitted = halfResult.outputs.mask as Mask;
    expect(fitted).toMatchObject({ width: 40, height: 30 });
    expect(maskAt(fitted, 5, 5)).toBe(1);
    expect(maskAt(fitted, 35, 5)).toBe(0);
  });
});
