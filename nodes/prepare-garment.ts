import { getModel } from "../models/manifest";
import { createImage, createMask, type RgbaImage } from "./core/image";
import { param } from "./core/params";
import { CancelledError, defineNode, NodeError, type NodeContext } from "./core/types";
import { compositeOver, solidImage } from "./lib/composite";
import { centreGarment, fitOnWhite } from "./lib/garment-prep";
import { requireImage } from "./lib/port-values";
import { resizeImage, resizeMask } from "./lib/resample";
import { hasTransparency } from "./lib/tensor-image";

/** ISNet's fixed input side. */
const ISNET_SIZE = 1024;

function onWhite(image: RgbaImage): RgbaImage {
  return compositeOver(solidImage(image.width, image.height, [255, 255, 255, 255]), image, 0, 0);
}

/**
 * Cuts the garment out with ISNet: the image (flattened on white) is stretched to 1024², RGB,
 * (x − 128) / 256; the foreground alpha comes back at 1024² and is resized to the image. Any
 * alpha the image already had is kept where ISNet's is larger (the product of the two).
 */
async function removeBackground(
  ctx: NodeContext,
  image: RgbaImage,
  modelId: string,
): Promise<{ image: RgbaImage; backend: string }> {
  const session = await ctx.loadModel(modelId);
  if (ctx.signal.aborted) throw new CancelledError();
  const { inputs, outputs } = getModel(modelId).contract;
  const square = resizeImage(onWhite(image), ISNET_SIZE, ISNET_SIZE, { signal: ctx.signal });
  const plane = ISNET_SIZE * ISNET_SIZE;
  const data = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) data[c * plane + i] = (square.data[i * 4 + c] - 128) / 256;
  }
  const result = await session.run({
    [inputs[0].name]: ctx.tensor("float32", data, [1, 3, ISNET_SIZE, ISNET_SIZE]),
  });
  const output = result[outputs[0].name];
  if (!output) throw new NodeError(`${modelId} returned no "${outputs[0].name}" output`);
  const alpha = await output.getData();
  output.dispose();
  if (!(alpha instanceof Float32Array) || alpha.length !== plane) {
    throw new NodeError(`${modelId} returned [${output.dims.join(", ")}]; expected a 1024² alpha`);
  }
  const foreground = resizeMask(
    createMask(ISNET_SIZE, ISNET_SIZE, alpha),
    image.width,
    image.height,
    { signal: ctx.signal },
  );
  const out = createImage(image.width, image.height, Uint8ClampedArray.from(image.data));
  for (let i = 0; i < foreground.data.length; i++) {
    const a = Math.min(1, Math.max(0, foreground.data[i]));
    out.data[i * 4 + 3] = a * image.data[i * 4 + 3];
  }
  return { image: out, backend: `${session.modelId} on ${session.backend.name}` };
}

/** Leffa's garment preparation, with optional background removal. */
export const prepareGarmentNode = defineNode({
  type: "prepare-garment",
  version: 1,
  title: "Prepare Garment",
  category: "Image",
  description:
    "Puts a garment on Leffa's white 768×1024 canvas: centred from a cut-out (Leffa's garment preprocessing: the transparent PNG's garment is squared, scaled to 768 wide and placed at y = 128) or fitted whole on white. ISNet can cut the garment out first.",
  inputs: { image: { type: "IMAGE", label: "garment" } },
  outputs: { image: { type: "IMAGE" } },
  params: {
    mode: param.select({
      label: "mode",
      options: [
        { value: "centre", label: "centre the cut-out (PNG with alpha)" },
        { value: "fit", label: "fit on white" },
      ],
      default: "centre",
    }),
    background: param.select({
      label: "remove background",
      options: [
        { value: "none", label: "no (use the image's alpha)" },
        { value: "isnet-fp16", label: "ISNet fp16" },
        { value: "isnet", label: "ISNet fp32" },
      ],
      default: "none",
    }),
  },
  models: ["isnet-fp16", "isnet"],
  async run(ctx, inputs, params) {
    const source = requireImage(inputs, "image");
    const notes: string[] = [];
    let image = source;
    ctx.progress(0, 2, params.background === "none" ? "preparing" : "removing the background");
    if (params.background !== "none") {
      const cut = await removeBackground(ctx, source, params.background);
      image = cut.image;
      notes.push(`background removed with ${cut.backend}`);
    } else if (!hasTransparency(source)) {
      notes.push(
        params.mode === "centre"
          ? "the image has no transparency, so the whole image was taken as the garment: use a cut-out PNG or turn on background removal"
          : "the image has no transparency: its background is kept",
      );
    }
    ctx.progress(1, 2, "placing on 768×1024");
    let out: RgbaImage;
    if (params.mode === "centre") {
      let centred;
      try {
        centred = centreGarment(image, ctx.signal);
      } catch (err) {
        if (err instanceof CancelledError) throw err;
        throw new NodeError(err instanceof Error ? err.message : String(err));
      }
      out = centred.image;
      const { box, square } = centred;
      notes.unshift(
        `garment ${box.width}×${box.height} at ${box.x},${box.y} → square ${square.width}² at ${square.x},${square.y} → 768² at y = 128`,
      );
    } else {
      const fitted = fitOnWhite(image, undefined, undefined, ctx.signal);
      out = fitted.image;
      const p = fitted.placed;
      notes.unshift(`fitted as ${p.width}×${p.height} at ${p.x},${p.y} on white 768×1024`);
    }
    ctx.progress(2, 2);
    return { outputs: { image: out }, ui: { text: notes.join("\n") } };
  },
});
