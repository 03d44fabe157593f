import { createImage, type RgbaImage } from "../../nodes/core/image";
import type { ImageCodec } from "../../nodes/core/types";

/**
 * Image codec on the browser's own decoders (works in a worker: no DOM needed). EXIF orientation
 * is applied by createImageBitmap; colour-space conversion and premultiplication are switched off
 * so pixels arrive as stored in the file.
 */
export const browserCodec: ImageCodec = {
  async decode(bytes: Uint8Array): Promise<RgbaImage> {
    let bitmap: ImageBitmap;
    try {
      bitmap = await createImageBitmap(new Blob([bytes as BlobPart]), {
        imageOrientation: "from-image",
        premultiplyAlpha: "none",
        colorSpaceConversion: "none",
      });
    } catch {
      throw new Error("the file is corrupt or not a PNG, JPEG or WebP image");
    }
    try {
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const g = canvas.getContext("2d", { willReadFrequently: true });
      if (!g) throw new Error("2D canvas unavailable in this browser");
      g.drawImage(bitmap, 0, 0);
      const data = g.getImageData(0, 0, bitmap.width, bitmap.height).data;
      return createImage(bitmap.width, bitmap.height, data);
    } finally {
      bitmap.close();
    }
  },

  async encodePng(image: RgbaImage): Promise<Uint8Array> {
    const canvas = new OffscreenCanvas(image.width, image.height);
    const g = canvas.getContext("2d");
    if (!g) throw new Error("2D canvas unavailable in this browser");
    g.putImageData(
      new ImageData(new Uint8ClampedArray(image.data), image.width, image.height),
      0,
      0,
    );
    const blob = await canvas.convertToBlob({ type: "image/png" });
    return new Uint8Array(await blob.arrayBuffer());
  },
};
