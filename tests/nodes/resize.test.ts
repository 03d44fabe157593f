import { describe, expect, it } from "vitest";
import type { Mask, RgbaImage } from "../../nodes/core/image";
import { CancelledError } from "../../nodes/core/types";
import { resizeNode } from "../../nodes/resize";
import { imageFrom, maskAt, maskFrom, pixel, solid } from "../helpers/images";
import { makeTestContext, runNode } from "../helpers/node-context";

async function resize(
  inputs: { image: RgbaImage; mask?: Mask },
  params: Parameters<typeof runNode<typeof resizeNode.params>>[2],
  ctx = makeTestContext(),
) {
  const result = await runNode(resizeNode, inputs, params, ctx);
  return {
    image: result.outputs.image as RgbaImage,
    mask: result.outputs.mask as Mask | undefined,
  };
}

describe("resize", () => {
  it("downscales a horizontal gradient by area averaging", async () => {
    // Columns 0..255: each output column averages 4 source columns, x*4 .. x*4+3 → x*4 + 1.5.
    const gradient = imageFrom(256, 8, (x) => [x, 255 - x, 0, 255]);
    const { image } = await resize({ image: gradient }, { mode: "stretch", width: 64, height: 2 });
    expect(image).toMatchObject({ width: 64, height: 2 });
    for (const x of [0, 10, 63]) {
      expect(pixel(image, x, 1)).toEqual([
        Math.round(x * 4 + 1.5),
        Math.round(255 - x * 4 - 1.5),
        0,
        255,
      ]);
    }
  });

  it("pad: fits, centres and fills the rest with the background, pixel-exact", async () => {
    const { image } = await resize(
      { image: solid(20, 10, [10, 20, 30, 255]) },
      { mode: "pad", width: 8, height: 8, background: "#ff0000" },
    );
    expect(image).toMatchObject({ width: 8, height: 8 });
    // 20×10 → 8×4, placed at y = 2.
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 8; x++) {
        const inside = y >= 2 && y < 6;
        expect(pixel(image, x, y)).toEqual(inside ? [10, 20, 30, 255] : [255, 0, 0, 255]);
      }
    }
  });

  it("pad: transparent parts of the image show the background", async () => {
    const { image } = await resize(
      { image: solid(4, 4, [0, 0, 0, 0]) },
      { mode: "pad", width: 4, height: 4, background: "#00ff00" },
    );
    expect(pixel(image, 1, 1)).toEqual([0, 255, 0, 255]);
  });

  it("fit returns the scaled size; stretch the exact box", async () => {
    const src = solid(300, 100, [1, 2, 3, 255]);
    expect(
      (await resize({ image: src }, { mode: "fit", width: 768, height: 1024 })).image,
    ).toMatchObject({ width: 768, height: 256 });
    expect(
      (await resize({ image: src }, { mode: "stretch", width: 50, height: 60 })).image,
    ).toMatchObject({ width: 50, height: 60 });
  });

  it("fill covers the box and keeps the centre", async () => {
    // 30×10: red | green | blue thirds. Filling 10×10 keeps only the green middle.
    const thirds = imageFrom(30, 10, (x) =>
      x < 10 ? [255, 0, 0, 255] : x < 20 ? [0, 255, 0, 255] : [0, 0, 255, 255],
    );
    const { image } = await resize({ image: thirds }, { mode: "fill", width: 10, height: 10 });
    expect(image).toMatchObject({ width: 10, height: 10 });
    for (let x = 0; x < 10; x++) expect(pixel(image, x, 5)).toEqual([0, 255, 0, 255]);
  });

  it("moves the mask with the image and leaves the pad area at 0", async () => {
    const image = solid(20, 10, [0, 0, 0, 255]);
    const mask = maskFrom(20, 10, (x) => (x < 10 ? 1 : 0));
    const out = await resize({ image, mask }, { mode: "pad", width: 8, height: 8 });
    expect(out.mask).toMatchObject({ width: 8, height: 8 });
    const m = out.mask as Mask;
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((x) => maskAt(m, x, 3))).toEqual([1, 1, 1, 1, 0, 0, 0, 0]);
    expect(maskAt(m, 0, 0)).toBe(0);
    expect(maskAt(m, 0, 7)).toBe(0);
  });

  it("scales a mask of a different size along the same geometry", async () => {
    const image = solid(40, 40, [0, 0, 0, 255]);
    const mask = maskFrom(10, 10, (x) => (x < 5 ? 1 : 0)); // left half, at a quarter resolution
    const out = await resize({ image, mask }, { mode: "fill", width: 20, height: 10 });
    // The centre band (rows 10..30 of 40) stays; the left half of the mask stays the left half.
    expect(out.mask).toMatchObject({ width: 20, height: 10 });
    expect(maskAt(out.mask as Mask, 2, 5)).toBe(1);
    expect(maskAt(out.mask as Mask, 17, 5)).toBe(0);
  });

  it("has no mask output without a mask input", async () => {
    const result = await runNode(resizeNode, { image: solid(2, 2, [0, 0, 0, 255]) });
    expect(Object.keys(result.outputs)).toEqual(["image"]);
    expect(result.outputs.image).toMatchObject({ width: 768, height: 1024 });
  });

  it("reports progress and honours cancellation", async () => {
    const ctx = makeTestContext();
    await runNode(resizeNode, { image: solid(50, 50, [0, 0, 0, 255]) }, { mode: "stretch" }, ctx);
    expect(ctx.progressCalls.length).toBeGreaterThan(2);
    expect(ctx.progressCalls.at(-1)).toMatchObject({ value: 1, max: 1 });
    const stopped = makeTestContext();
    stopped.abort();
    await expect(
      runNode(resizeNode, { image: solid(50, 50, [0, 0, 0, 255]) }, {}, stopped),
    ).rejects.toThrow(CancelledError);
  });
});
