import { describe, expect, it } from "vitest";
import type { RgbaImage } from "../../nodes/core/image";
import { compositeNode } from "../../nodes/composite";
import { maskFrom, pixel, solid } from "../helpers/images";
import { runNode } from "../helpers/node-context";

async function composite(
  inputs: Parameters<typeof runNode>[1],
  params: Parameters<typeof runNode<typeof compositeNode.params>>[2] = {},
) {
  return (await runNode(compositeNode, inputs, params)).outputs.image as RgbaImage;
}

describe("composite", () => {
  const base = solid(10, 8, [0, 0, 100, 255]);

  it("places an opaque overlay at (x, y) and keeps the base size", async () => {
    const out = await composite({ base, overlay: solid(3, 2, [200, 0, 0, 255]) }, { x: 4, y: 5 });
    expect(out).toMatchObject({ width: 10, height: 8 });
    expect(pixel(out, 4, 5)).toEqual([200, 0, 0, 255]);
    expect(pixel(out, 6, 6)).toEqual([200, 0, 0, 255]);
    expect(pixel(out, 7, 5)).toEqual([0, 0, 100, 255]);
    expect(pixel(out, 4, 4)).toEqual([0, 0, 100, 255]);
  });

  it("blends by mask × overlay alpha", async () => {
    const overlay = solid(2, 1, [200, 0, 0, 255]);
    const mask = maskFrom(2, 1, (x) => [0.25, 1][x]);
    const out = await composite({ base, overlay, mask });
    expect(pixel(out, 0, 0)).toEqual([50, 0, 75, 255]); // 200·0.25, 100·0.75
    expect(pixel(out, 1, 0)).toEqual([200, 0, 0, 255]);
    const halfAlpha = await composite({ base, overlay: solid(1, 1, [200, 0, 0, 102]) });
    expect(pixel(halfAlpha, 0, 0)).toEqual([80, 0, 60, 255]); // coverage 0.4
  });

  it("clips an overlay hanging over the top-left edge (negative offsets)", async () => {
    const out = await composite({ base, overlay: solid(3, 3, [9, 9, 9, 255]) }, { x: -2, y: -1 });
    expect(pixel(out, 0, 0)).toEqual([9, 9, 9, 255]);
    expect(pixel(out, 0, 1)).toEqual([9, 9, 9, 255]);
    expect(pixel(out, 1, 0)).toEqual([0, 0, 100, 255]);
    expect(pixel(out, 0, 2)).toEqual([0, 0, 100, 255]);
  });

  it("resizes a mask of another size to the overlay", async () => {
    const overlay = solid(4, 4, [255, 255, 255, 255]);
    const mask = maskFrom(2, 2, (x) => (x === 0 ? 1 : 0)); // left half, at half resolution
    const out = await composite({ base, overlay, mask });
    expect(pixel(out, 0, 0)).toEqual([255, 255, 255, 255]);
    expect(pixel(out, 3, 3)).toEqual([0, 0, 100, 255]);
    // Bilinear: the columns next to the seam are partly covered.
    expect(pixel(out, 1, 0)[0]).toBeGreaterThan(100);
    expect(pixel(out, 1, 0)[0]).toBeLessThan(255);
  });

  it("does not modify its inputs", async () => {
    const before = Array.from(base.data);
    await composite({ base, overlay: solid(2, 2, [1, 2, 3, 255]) });
    expect(Array.from(base.data)).toEqual(before);
  });
});
