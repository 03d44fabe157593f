import { param } from "./core/params";
import { defineNode, NodeError, type PortValue } from "./core/types";
import { clampBox, cropImage, cropMask } from "./lib/crop";
import { optionalMask, requireImage } from "./lib/port-values";
import { fitMask } from "./lib/resample";

const MAX_SIDE = 16384;

export const cropNode = defineNode({
  type: "crop",
  version: 1,
  title: "Crop",
  category: "Image",
  description:
    "Cuts a box out of an image (and its mask). A box reaching past the edges is clamped to the image.",
  inputs: {
    image: { type: "IMAGE" },
    mask: { type: "MASK", optional: true },
  },
  outputs: {
    image: { type: "IMAGE" },
    mask: { type: "MASK", label: "mask (when given)" },
  },
  params: {
    x: param.int({ label: "x", description: "Left edge, px.", min: 0, max: MAX_SIDE, default: 0 }),
    y: param.int({ label: "y", description: "Top edge, px.", min: 0, max: MAX_SIDE, default: 0 }),
    width: param.int({ label: "width", min: 1, max: MAX_SIDE, default: 512 }),
    height: param.int({ label: "height", min: 1, max: MAX_SIDE, default: 512 }),
  },
  async run(ctx, inputs, params) {
    const image = requireImage(inputs, "image");
    const mask = optionalMask(inputs, "mask");
    const box = clampBox(params, image.width, image.height);
    if (!box) {
      throw new NodeError(
        `the crop box ${params.width}×${params.height} at (${params.x}, ${params.y}) lies outside the ${image.width}×${image.height} image`,
      );
    }
    const outputs: Record<string, PortValue> = { image: cropImage(image, box) };
    // A mask of another size is brought to the image's size so the box means the same pixels.
    if (mask) outputs.mask = cropMask(fitMask(mask, image.width, image.height, ctx.signal), box);
    return { outputs };
  },
});
