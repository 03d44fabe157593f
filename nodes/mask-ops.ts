import type { Mask } from "./core/image";
import { param } from "./core/params";
import { CancelledError, defineNode, NodeError } from "./core/types";
import { blurMask } from "./lib/blur";
import { combineMasks, invertMask, type CombineOp } from "./lib/mask";
import { growMask } from "./lib/morphology";
import { optionalMask, requireMask } from "./lib/port-values";
import { resizeMaskNearest } from "./lib/resample";

const COMBINE_OPS: readonly string[] = ["union", "intersect", "subtract"] satisfies CombineOp[];

export const maskOpsNode = defineNode({
  type: "mask-ops",
  version: 1,
  title: "Mask Ops",
  category: "Mask",
  description:
    "Edits a mask, in this order: combine with another mask, grow or shrink by a round brush, feather (soften the edge), invert.",
  inputs: {
    mask: { type: "MASK" },
    other: { type: "MASK", optional: true },
  },
  outputs: { mask: { type: "MASK" } },
  params: {
    combine: param.select({
      label: "combine",
      description: "How to merge the other mask (resized to this one when sizes differ).",
      options: [
        { value: "none", label: "none" },
        { value: "union", label: "union (either)" },
        { value: "intersect", label: "intersect (both)" },
        { value: "subtract", label: "subtract other" },
      ],
      default: "none",
    }),
    grow: param.int({
      label: "grow",
      description:
        "Pixels to grow the selection by (negative shrinks). Exact round brush; the edge becomes hard, feather softens it.",
      min: -128,
      max: 128,
      default: 0,
      slider: true,
    }),
    feather: param.number({
      label: "feather",
      description: "Edge softness: Gaussian blur radius (sigma) in pixels.",
      min: 0,
      max: 128,
      step: 0.5,
      default: 0,
      slider: true,
    }),
    invert: param.boolean({ label: "invert", default: false }),
  },
  async run(ctx, inputs, params) {
    let mask: Mask = requireMask(inputs, "mask");
    const other = optionalMask(inputs, "other");
    const steps = 3;
    if (params.combine !== "none") {
      if (!COMBINE_OPS.includes(params.combine)) {
        throw new NodeError(`unknown combine mode "${params.combine}"`);
      }
      if (!other)
        throw new NodeError(`combine "${params.combine}" needs the "other" mask connected`);
      // Nearest keeps a hard mask hard when it has to be brought to this mask's size.
      const fitted = resizeMaskNearest(other, mask.width, mask.height);
      mask = combineMasks(mask, fitted, params.combine as CombineOp);
    }
    ctx.progress(1, steps, "combine");
    if (ctx.signal.aborted) throw new CancelledError();
    if (params.grow !== 0) mask = growMask(mask, params.grow, ctx.signal);
    ctx.progress(2, steps, "grow");
    if (params.feather > 0) mask = blurMask(mask, params.feather, ctx.signal);
    ctx.progress(3, steps, "feather");
    if (params.invert) mask = invertMask(mask);
    return { outputs: { mask } };
  },
});
