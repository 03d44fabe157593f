import { param } from "./core/params";
import { defineNode } from "./core/types";
import { MAX_FILENAME_LENGTH, sanitizeFilename } from "./lib/filename";
import { requireImage } from "./lib/port-values";
import { embedWorkflowInPng } from "./lib/png-workflow";

const DEFAULT_NAME = "leffa";

export const saveImageNode = defineNode({
  type: "save-image",
  version: 1,
  title: "Save Image",
  category: "Output",
  description:
    "Offers the image as a lossless PNG download. With “embed workflow” the PNG carries this workflow: drop it back onto the editor to reopen the graph.",
  inputs: { image: { type: "IMAGE" } },
  outputs: {},
  params: {
    filename: param.text({
      label: "filename",
      description: "Without extension; unsafe characters become “_”.",
      maxLength: MAX_FILENAME_LENGTH * 2,
      default: DEFAULT_NAME,
    }),
    embedWorkflow: param.boolean({ label: "embed workflow", default: true }),
  },
  async run(ctx, inputs, params) {
    const image = requireImage(inputs, "image");
    const png = await ctx.codec.encodePng(image);
    const bytes = params.embedWorkflow ? embedWorkflowInPng(png, ctx.workflow) : png;
    const name = `${sanitizeFilename(params.filename, DEFAULT_NAME)}.png`;
    return { outputs: {}, ui: { images: [image], files: [{ name, mime: "image/png", bytes }] } };
  },
});
