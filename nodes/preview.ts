import { defineNode } from "./core/types";
import { requireImage } from "./lib/port-values";

export const previewNode = defineNode({
  type: "preview",
  version: 1,
  title: "Preview",
  category: "Output",
  description: "Shows an image on the node without saving it.",
  inputs: { image: { type: "IMAGE" } },
  outputs: {},
  params: {},
  async run(_ctx, inputs) {
    return { outputs: {}, ui: { images: [requireImage(inputs, "image")] } };
  },
});
