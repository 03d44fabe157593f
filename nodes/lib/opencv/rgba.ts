import { createImage, type RgbaImage } from "../../core/image";
import type { ImageU8 } from "./resize";

/**
 * The studio's RGBA images as the 3-channel uint8 arrays cv2 receives (`np.array(pil_rgb)`), and
 * back. The channel count matters for exactness: OpenCV's SIMD blocks run over a row's
 * interleaved values.
 */
export function rgbOf(image: RgbaImage): ImageU8 {
  const n = image.width * image.height;
  const data = new Uint8Array(3 * n);
  for (let i = 0; i < n; i++) {
    data[3 * i] = image.data[4 * i];
    data[3 * i + 1] = image.data[4 * i + 1];
    data[3 * i + 2] = image.data[4 * i + 2];
  }
  return { data, width: image.width, height: image.height, channels: 3 };
}

/** The alpha channel as a 1-channel image. */
export function alphaOf(image: RgbaImage): ImageU8 {
  const n = image.width * image.height;
  const data = new Uint8Array(n);
  for (let i = 0; i < n; i++) data[i] = image.data[4 * i + 3];
  return { data, width: image.width, height: image.height, channels: 1 };
}

/** An RGBA image from 3-channel RGB and an optional alpha (opaque when absent). */
export function rgbaFrom(rgb: ImageU8, alpha?: ImageU8): RgbaImage {
  if (rgb.channels !== 3) throw new Error(`expected 3 channels, got ${rgb.channels}`);
  const n = rgb.width * rgb.height;
  const data = new Uint8ClampedArray(4 * n);
  for (let i = 0; i < n; i++) {
    data[4 * i] = rgb.data[3 * i];
    data[4 * i + 1] = rgb.data[3 * i + 1];
    data[4 * i + 2] = rgb.data[3 * i + 2];
    data[4 * i + 3] = alpha ? alpha.data[i] : 255;
  }
  return createImage(rgb.width, rgb.height, data);
}

export function isOpaque(image: RgbaImage): boolean {
  for (let i = 3; i < image.data.length; i += 4) if (image.data[i] !== 255) return false;
  return true;
}
