import { parseHexColor, type Mask, type RgbaImage } from "./core/image";
import { param } from "./core/params";
import { defineNode, type PortValue } from "./core/types";
import { compositeOver, placeMask, solidImage } from "./lib/composite";
import { planResize, RESIZE_MODES, scaleRect, type ResizeMode } from "./lib/fit";
import { optionalMask, requireImage } from "./lib/port-values";
import { resizeImage, resizeMask } from "./lib/resample";

export const resizeNode = defineNode({
  type: "resize",
  version: 1,
  title: "Resize",
  category: "Image",
  description:
    "Scales an image (and its mask) to a target size. fit: inside the box, keeping proportions; fill: cover the box and crop the centre; pad: fit, then centre on a canvas of the background colour (Leffa expects 768×1024 on white); stretch: exactly the box, ignoring proportions.",
  inputs: {
    image: { type: "IMAGE" },
    mask: { type: "MASK", optional: true },
  },
  outputs: {
    image: { type: "IMAGE" },
    mask: { type: "MASK", label: "mask (when given)" },
  },
  params: {
    mode: param.select({
      label: "mode",
      options: [
        { value: "fit", label: "fit (keep proportions)" },
        { value: "fill", label: "fill (crop to cover)" },
        { value: "pad", label: "pad (fit on a canvas)" },
        { value: "stretch", label: "stretch" },
      ],
      default: "pad",
    }),
    width: param.int({ label: "width", min: 1, max: 8192, default: 768 }),
    height: param.int({ label: "height", min: 1, max: 8192, default: 1024 }),
    background: param.color({
      label: "background",
      description: "Canvas colour for pad; transparent parts of the image show it too.",
      default: "#ffffff",
    }),
  },
  async run(ctx, inputs, params) {
    const image = requireImage(inputs, "image");
    const mask = optionalMask(inputs, "mask");
    // The runtime validates params before run; this only narrows the string to the union.
    const mode = (RESIZE_MODES as readonly string[]).includes(params.mode)
      ? (params.mode as ResizeMode)
      : "fit";
    const plan = planResize(image.width, image.height, params.width, params.height, mode);
    const total = mask ? 2 : 1;
    const resampleOptions = (step: number) => ({
      rect: plan.source,
      signal: ctx.signal,
      onProgress: (done: number, rows: number) =>
        ctx.progress(step + done / rows, total, "resizing"),
    });

    let scaled: RgbaImage = resizeImage(
      image,
      plan.scaledWidth,
      plan.scaledHeight,
      resampleOptions(0),
    );
    if (mode === "pad") {
      const canvas = solidImage(plan.width, plan.height, parseHexColor(params.background));
      scaled = compositeOver(canvas, scaled, plan.offsetX, plan.offsetY);
    }
    const outputs: Record<string, PortValue> = { image: scaled };

    if (mask) {
      // A mask of another size covers the same picture, so the plan is scaled to its pixels.
      const rect = scaleRect(plan.source, mask.width / image.width, mask.height / image.height);
      let m: Mask = resizeMask(mask, plan.scaledWidth, plan.scaledHeight, {
        ...resampleOptions(1),
        rect,
      });
      if (mode === "pad") m = placeMask(m, plan.width, plan.height, plan.offsetX, plan.offsetY);
      outputs.mask = m;
    }
    return { outputs };
  },
});
