import { param } from "./core/params";
import { defineNode } from "./core/types";

/** Real-ESRGAN upscaling, tiled. The importer and models land with the models issue. */
export const upscalerNode = defineNode({
  type: "upscaler",
  version: 1,
  title: "Upscaler",
  category: "Image",
  description: "Real-ESRGAN super-resolution (x4fast or x4plus), tiled so any size fits the GPU.",
  inputs: { image: { type: "IMAGE" } },
  outputs: { image: { type: "IMAGE" } },
  params: {
    model: param.select({
      label: "model",
      options: [
        { value: "realesrgan-x4fast", label: "Real-ESRGAN x4 fast" },
        { value: "realesrgan-x4plus", label: "Real-ESRGAN x4 plus" },
      ],
      default: "realesrgan-x4fast",
    }),
    scale: param.select({ label: "scale", options: ["2", "4"], default: "4" }),
  },
  models: ["realesrgan-x4fast", "realesrgan-x4plus"],
  async run(ctx, _inputs, params) {
    await ctx.requireModel(params.model);
    throw new Error("the upscaler runs once its model is installed (models issue)");
  },
});
