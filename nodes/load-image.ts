import { param } from "./core/params";
import type { RgbaImage } from "./core/image";
import { CancelledError, defineNode, NodeError } from "./core/types";
import { readImageHeader } from "./lib/image-header";
import { maskFromAlpha } from "./lib/mask";

/**
 * Decoded RGBA costs 4 bytes a pixel and every node downstream copies it, so 40 MP (160 MB) is
 * where a browser tab starts to fail; anything larger should be downscaled before upload.
 */
export const MAX_PIXELS = 40_000_000;

export const loadImageNode = defineNode({
  type: "load-image",
  version: 1,
  title: "Load Image",
  category: "Input",
  description:
    "An uploaded PNG, JPEG or WebP (pick a file, drop one or paste one). EXIF orientation is applied. The mask is the alpha channel: opaque = 1, transparent = 0.",
  inputs: {},
  outputs: {
    image: { type: "IMAGE" },
    mask: { type: "MASK", label: "mask (alpha)" },
  },
  params: {
    image: param.image({ label: "image" }),
  },
  async run(ctx, _inputs, params) {
    if (!params.image) throw new NodeError("no image chosen: pick a file, drop one or paste one");
    const bytes = await ctx.asset(params.image);
    // The header is checked before decoding, so an oversized file is refused without the
    // decoder ever allocating its pixels.
    const header = readImageHeader(bytes);
    if (!header) throw new NodeError("unsupported or corrupt image: expected PNG, JPEG or WebP");
    const pixels = header.width * header.height;
    if (pixels > MAX_PIXELS) {
      const mp = Math.round(pixels / 100_000) / 10;
      throw new NodeError(
        `image is ${header.width}×${header.height} (${mp} MP); the limit is ${MAX_PIXELS / 1_000_000} MP — downscale it first`,
      );
    }
    if (ctx.signal.aborted) throw new CancelledError();
    let image: RgbaImage;
    try {
      image = await ctx.codec.decode(bytes);
    } catch (err) {
      throw new NodeError(
        `could not decode image: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    return { outputs: { image, mask: maskFromAlpha(image) } };
  },
});
