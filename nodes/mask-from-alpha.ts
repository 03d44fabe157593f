import { param } from "./core/params";
import { defineNode } from "./core/types";
import { maskFromAlpha } from "./lib/mask";
import { requireImage } from "./lib/port-values";

export const maskFromAlphaNode = defineNode({
  type: "mask-from-alpha",
  version: 1,
  title: "Mask From Alpha",
  category: "Mask",
  description:
    "Turns an image's alpha channel into a mask: opaque = 1 (selected), transparent = 0; invert swaps them.",
  inputs: { image: { type: "IMAGE" } },
  outputs: { mask: { type: "MASK" } },
  params: {
    invert: param.boolean({
      label: "invert",
      description: "Select the transparent part instead.",
      default: false,
    }),
  },
  async run(_ctx, inputs, params) {
    return { outputs: { mask: maskFromAlpha(requireImage(inputs, "image"), params.invert) } };
  },
});
