import { param } from "./core/params";
import { defineNode } from "./core/types";
import { compositeOver } from "./lib/composite";
import { optionalMask, requireImage } from "./lib/port-values";
import { fitMask } from "./lib/resample";

const MAX_OFFSET = 16384;

export const compositeNode = defineNode({
  type: "composite",
  version: 1,
  title: "Composite",
  category: "Image",
  description:
    "Draws the overlay over the base with its top-left corner at (x, y). The overlay's alpha times the mask (in overlay pixels) decides how much of it shows. The result has the base's size.",
  inputs: {
    base: { type: "IMAGE" },
    overlay: { type: "IMAGE" },
    mask: { type: "MASK", optional: true, label: "mask (overlay)" },
  },
  outputs: { image: { type: "IMAGE" } },
  params: {
    x: param.int({ label: "x", min: -MAX_OFFSET, max: MAX_OFFSET, default: 0 }),
    y: param.int({ label: "y", min: -MAX_OFFSET, max: MAX_OFFSET, default: 0 }),
  },
  async run(ctx, inputs, params) {
    const base = requireImage(inputs, "base");
    const overlay = requireImage(inputs, "overlay");
    const input = optionalMask(inputs, "mask");
    // Interpolated, not nearest: a soft mask should stay soft when it is brought to size.
    const mask = input && fitMask(input, overlay.width, overlay.height, ctx.signal);
    return { outputs: { image: compositeOver(base, overlay, params.x, params.y, mask) } };
  },
});
