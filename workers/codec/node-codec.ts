import sharp, { type OutputInfo } from "sharp";
import { createImage, type RgbaImage } from "../../nodes/core/image";
import type { ImageCodec } from "../../nodes/core/types";

/**
 * Image codec for Node (CLI, API, tests) on sharp/libvips: the same contract as the browser
 * codec, so a workflow gives the same pixels in either place. Output goes through toUint8Array,
 * whose buffers are plain and transferable (Buffers may sit in a shared pool).
 */
export const nodeCodec: ImageCodec = {
  async decode(bytes: Uint8Array): Promise<RgbaImage> {
    let result: { data: Uint8Array; info: OutputInfo };
    try {
      result = await sharp(bytes)
        // Applies the EXIF orientation (and drops the tag), as browsers do for <img>.
        .rotate()
        // Grey, CMYK and 16-bit files all arrive as 8-bit sRGB with an alpha channel.
        .toColourspace("srgb")
        .ensureAlpha()
        .raw({ depth: "uchar" })
        .toUint8Array();
    } catch (err) {
      const detail = err instanceof Error ? err.message.trim() : String(err);
      throw new Error(`the file is corrupt or not a PNG, JPEG or WebP image (${detail})`);
    }
    const { data, info } = result;
    if (info.channels !== 4) throw new Error(`decoder returned ${info.channels} channels, not 4`);
    const pixels = new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength);
    return createImage(info.width, info.height, pixels);
  },

  async encodePng(image: RgbaImage): Promise<Uint8Array> {
    const raw = { width: image.width, height: image.height, channels: 4 as const };
    // Truecolour with alpha and no palette reduction: lossless whatever the content.
    const { data } = await sharp(image.data, { raw }).png({ palette: false }).toUint8Array();
    return data;
  },
};
