import { param } from "./core/params";
import { defineNode } from "./core/types";

/** Human parsing + Leffa's agnostic try-on mask rules. The models land with the mask issue. */
export const maskGeneratorNode = defineNode({
  type: "mask-generator",
  version: 1,
  title: "Mask Generator",
  category: "Mask",
  description:
    "Parses the person (SCHP or SegFormer) and draws Leffa's agnostic mask for the garment to replace.",
  inputs: {
    image: { type: "IMAGE", label: "person" },
    keypoints: { type: "KEYPOINTS", optional: true },
  },
  outputs: { mask: { type: "MASK" }, parsing: { type: "IMAGE", label: "parsing" } },
  params: {
    parser: param.select({
      label: "parser",
      options: [
        { value: "schp", label: "SCHP ATR + LIP" },
        { value: "segformer", label: "SegFormer B2 (light)" },
      ],
      default: "schp",
    }),
    modelType: param.select({
      label: "model type",
      options: [
        { value: "viton_hd", label: "VITON-HD" },
        { value: "dress_code", label: "DressCode" },
      ],
      default: "viton_hd",
    }),
    garment: param.select({
      label: "garment",
      options: [
        { value: "upper_body", label: "upper body" },
        { value: "lower_body", label: "lower body" },
        { value: "dresses", label: "dresses" },
      ],
      default: "upper_body",
    }),
    grow: param.int({ label: "grow (px)", min: -64, max: 64, default: 0, slider: true }),
    feather: param.number({
      label: "feather (px)",
      min: 0,
      max: 64,
      step: 0.5,
      default: 0,
      slider: true,
    }),
  },
  models: ["schp-atr", "schp-lip", "segformer-b2-clothes"],
  async run(ctx, _inputs, params) {
    await ctx.requireModel(params.parser === "schp" ? "schp-atr" : "segformer-b2-clothes");
    throw new Error("the mask generator runs once its models are installed (mask issue)");
  },
});
