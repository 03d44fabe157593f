import { param } from "./core/params";
import { defineNode } from "./core/types";

const MODEL_IDS = {
  viton_hd: "leffa-vton-hd",
  dress_code: "leffa-vton-dc",
  pose_transfer: "leffa-pose-transfer",
} as const;

/**
 * Leffa: virtual try-on and pose transfer (leffa.md §2.5). Defaults are Leffa's own. The sampling
 * loop lands with the sampler issue; until its converted graphs are installed, running fails here.
 */
export const leffaSamplerNode = defineNode({
  type: "leffa-sampler",
  version: 1,
  title: "Leffa Sampler",
  category: "Generation",
  description:
    "Virtual try-on (person + garment + mask + DensePose) or pose transfer (source person + target DensePose).",
  inputs: {
    person: { type: "IMAGE", label: "person" },
    reference: { type: "IMAGE", label: "garment / source" },
    mask: { type: "MASK", optional: true },
    densepose: { type: "DENSEPOSE" },
  },
  outputs: { image: { type: "IMAGE" }, flow: { type: "FLOW" } },
  params: {
    model: param.select({
      label: "model",
      options: [
        { value: "viton_hd", label: "try-on: VITON-HD" },
        { value: "dress_code", label: "try-on: DressCode" },
        { value: "pose_transfer", label: "pose transfer" },
      ],
      default: "viton_hd",
    }),
    resolution: param.select({
      label: "resolution",
      options: [
        { value: "1024x768", label: "1024×768 (native)" },
        { value: "512x384", label: "512×384 (fast)" },
      ],
      default: "1024x768",
    }),
    steps: param.int({ label: "steps", min: 1, max: 100, default: 30, slider: true }),
    guidance: param.number({
      label: "guidance",
      min: 0,
      max: 10,
      step: 0.1,
      default: 2.5,
      slider: true,
    }),
    seed: param.seed({ label: "seed", default: 42 }),
    refAcceleration: param.boolean({ label: "ref acceleration", default: false }),
    repaint: param.boolean({ label: "repaint", default: false }),
  },
  models: Object.values(MODEL_IDS),
  async run(ctx, _inputs, params) {
    await ctx.requireModel(MODEL_IDS[params.model as keyof typeof MODEL_IDS]);
    throw new Error(
      "the Leffa sampler runs once its converted graphs are installed (sampler issue)",
    );
  },
});
