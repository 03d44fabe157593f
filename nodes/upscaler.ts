import { MODELS } from "../models/manifest";
import type { RgbaImage } from "./core/image";
import { param } from "./core/params";
import {
  CancelledError,
  defineNode,
  ModelUnavailableError,
  NodeError,
  type ModelSession,
  type NodeContext,
} from "./core/types";
import { requireImage } from "./lib/port-values";
import { resizeImage } from "./lib/resample";
import { hasTransparency, imageToPlanarRgb, planarRgbToImage } from "./lib/tensor-image";
import { chooseTileSize, planTiles, TileBlender } from "./lib/tiling";

const UPSCALERS = MODELS.filter((m) => m.task === "upscale");
const LANCZOS = "lanczos";
/** Input pixels of context on each side of a tile: enough for the networks' receptive field. */
const TILE_OVERLAP = 16;

async function upscaleWithModel(
  ctx: NodeContext,
  session: ModelSession,
  image: RgbaImage,
): Promise<{ image: RgbaImage; scale: number; tile: number; tiles: number }> {
  const tile = chooseTileSize(ctx.backend.limits);
  const tiles = planTiles(image.width, image.height, tile, TILE_OVERLAP);
  let blender: TileBlender | undefined;
  let scale = 0;
  for (const [i, t] of tiles.entries()) {
    if (ctx.signal.aborted) throw new CancelledError();
    ctx.progress(i, tiles.length, `tile ${i + 1} of ${tiles.length}`);
    const input = ctx.tensor("float32", imageToPlanarRgb(image, t), [1, 3, t.height, t.width]);
    const { output } = await session.run({ input });
    const [, channels, oh, ow] = output.dims;
    // The network's factor is read from its output, so any ×N upscaler in the manifest works.
    scale ||= oh / t.height;
    if (
      channels !== 3 ||
      oh !== t.height * scale ||
      ow !== t.width * scale ||
      !Number.isInteger(scale)
    ) {
      throw new NodeError(
        `${session.modelId} returned [${output.dims.join(", ")}] for a ${t.width}×${t.height} tile; expected 3 channels at an integer scale`,
      );
    }
    blender ??= new TileBlender(image.width, image.height, scale, TILE_OVERLAP, 3);
    blender.add(t, (await output.getData()) as Float32Array);
    output.dispose();
  }
  ctx.progress(tiles.length, tiles.length);
  const width = image.width * scale;
  const height = image.height * scale;
  // The networks see RGB only; alpha is enlarged with the same Lanczos filter as the fallback.
  const alpha = hasTransparency(image)
    ? resizeImage(image, width, height, { filter: "lanczos3", signal: ctx.signal })
    : undefined;
  return {
    image: planarRgbToImage(blender!.result(), width, height, alpha),
    scale,
    tile,
    tiles: tiles.length,
  };
}

/** Real-ESRGAN super-resolution, tiled so any image fits the GPU's buffers. */
export const upscalerNode = defineNode({
  type: "upscaler",
  version: 2,
  title: "Upscaler",
  category: "Image",
  description:
    "Super-resolution with Real-ESRGAN (x4 fast or x4 plus) or any installed upscaler, tiled with blended overlaps so any size fits the GPU; 2× is the 4× result reduced with Lanczos. Without an installed model it can do a plain Lanczos resize instead.",
  inputs: { image: { type: "IMAGE" } },
  outputs: { image: { type: "IMAGE" } },
  params: {
    model: param.select({
      label: "model",
      options: [
        ...UPSCALERS.map((m) => ({ value: m.id, label: m.title })),
        { value: LANCZOS, label: "Lanczos resize (no model)" },
      ],
      default: "realesrgan-x4fast",
    }),
    scale: param.select({ label: "scale", options: ["2", "4"], default: "4" }),
    fallback: param.boolean({
      label: "Lanczos if the model is missing",
      description:
        "Resize with Lanczos, and say so, instead of failing when the model is not installed.",
      default: true,
    }),
  },
  models: UPSCALERS.map((m) => m.id),
  async run(ctx, inputs, params) {
    const image = requireImage(inputs, "image");
    const scale = Number(params.scale);
    const lanczos = (note: string) => ({
      outputs: {
        image: resizeImage(image, image.width * scale, image.height * scale, {
          filter: "lanczos3",
          signal: ctx.signal,
        }),
      },
      ui: { text: note },
    });
    if (params.model === LANCZOS) return lanczos(`Lanczos ${scale}×`);

    let session: ModelSession;
    try {
      session = await ctx.loadModel(params.model);
    } catch (err) {
      if (!(err instanceof ModelUnavailableError) || !params.fallback) throw err;
      return lanczos(`Lanczos ${scale}× — ${err.message}`);
    }
    const up = await upscaleWithModel(ctx, session, image);
    const result =
      up.scale === scale
        ? up.image
        : resizeImage(up.image, image.width * scale, image.height * scale, {
            filter: "lanczos3",
            signal: ctx.signal,
          });
    return {
      outputs: { image: result },
      ui: {
        text: `${session.modelId} ${scale}× on ${session.backend.name} · ${up.tiles} tile${up.tiles === 1 ? "" : "s"} of ≤${up.tile}px`,
      },
    };
  },
});
