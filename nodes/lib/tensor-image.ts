import { createImage, type RgbaImage } from "../core/image";
import type { Tile } from "./tiling";

/**
 * Conversions between studio images (RGBA8, row-major) and the planar float tensors vision models
 * take (NCHW, RGB in [0, 1]).
 */

/** The RGB of `rect` (the whole image by default) as a 3 × h × w planar array in [0, 1]. */
export function imageToPlanarRgb(image: RgbaImage, rect?: Tile): Float32Array {
  const {
    x: x0,
    y: y0,
    width: w,
    height: h,
  } = rect ?? {
    x: 0,
    y: 0,
    width: image.width,
    height: image.height,
  };
  if (x0 < 0 || y0 < 0 || x0 + w > image.width || y0 + h > image.height) {
    throw new Error(
      `region ${w}×${h} at ${x0},${y0} lies outside the ${image.width}×${image.height} image`,
    );
  }
  const plane = w * h;
  const out = new Float32Array(3 * plane);
  const d = image.data;
  for (let y = 0; y < h; y++) {
    let p = ((y0 + y) * image.width + x0) * 4;
    const row = y * w;
    for (let x = 0; x < w; x++, p += 4) {
      out[row + x] = d[p] / 255;
      out[plane + row + x] = d[p + 1] / 255;
      out[2 * plane + row + x] = d[p + 2] / 255;
    }
  }
  return out;
}

/**
 * A planar 3 × h × w RGB array (values clamped to [0, 1]) as an image; alpha is taken from
 * `alpha` (same size) when given, else opaque.
 */
export function planarRgbToImage(
  planar: Float32Array,
  width: number,
  height: number,
  alpha?: RgbaImage,
): RgbaImage {
  const plane = width * height;
  if (planar.length !== 3 * plane) {
    throw new Error(
      `expected ${3 * plane} values for a 3×${height}×${width} image, got ${planar.length}`,
    );
  }
  if (alpha && (alpha.width !== width || alpha.height !== height)) {
    throw new Error("the alpha source differs in size from the image");
  }
  const out = createImage(width, height);
  const d = out.data;
  for (let i = 0; i < plane; i++) {
    // Uint8ClampedArray rounds half to even and clamps, so only the scale is applied here.
    d[i * 4] = planar[i] * 255;
    d[i * 4 + 1] = planar[plane + i] * 255;
    d[i * 4 + 2] = planar[2 * plane + i] * 255;
    d[i * 4 + 3] = alpha ? alpha.data[i * 4 + 3] : 255;
  }
  return out;
}

/** True when some pixel is not fully opaque. */
export function hasTransparency(image: RgbaImage): boolean {
  for (let i = 3; i < image.data.length; i += 4) if (image.data[i] !== 255) return true;
  return false;
}
