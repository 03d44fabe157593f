import { describe, expect, it } from "vitest";
import type { Mask } from "../../nodes/core/image";
import { maskFromAlphaNode } from "../../nodes/mask-from-alpha";
import { imageFrom } from "../helpers/images";
import { runNode } from "../helpers/node-context";

describe("mask-from-alpha", () => {
  const image = imageFrom(4, 1, (x) => [255, 255, 255, [0, 85, 170, 255][x]]);

  it("maps alpha to 0..1 with opaque = 1", async () => {
    const mask = (await runNode(maskFromAlphaNode, { image })).outputs.mask as Mask;
    expect(mask).toMatchObject({ kind: "mask", width: 4, height: 1 });
    expect(Array.from(mask.data)).toEqual([0, 85 / 255, 170 / 255, 1].map(Math.fround));
  });

  it("inverts on request", async () => {
    const mask = (await runNode(maskFromAlphaNode, { image }, { invert: true })).outputs
      .mask as Mask;
    expect(Array.from(mask.data)).toEqual([1, 1 - 85 / 255, 1 - 170 / 255, 0].map(Math.fround));
  });

  it("requires the image input", async () => {
    await expect(runNode(maskFromAlphaNode, {})).rejects.toThrow(/"image" is not connected/);
  });
});
