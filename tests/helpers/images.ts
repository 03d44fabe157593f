import { createImage, createMask, type Mask, type RgbaImage } from "../../nodes/core/image";

/** Small generated images for node tests: every pixel value is known in advance. */

export type Rgba = readonly [number, number, number, number];

export function solid(width: number, height: number, rgba: Rgba): RgbaImage {
  const image = createImage(width, height);
  for (let i = 0; i < image.data.length; i += 4) image.data.set(rgba, i);
  return image;
}

/** An image whose pixel (x, y) is given by `f`. */
export function imageFrom(
  width: number,
  height: number,
  f: (x: number, y: number) => Rgba,
): RgbaImage {
  const image = createImage(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) image.data.set(f(x, y), (y * width + x) * 4);
  }
  return image;
}

export function maskFrom(width: number, height: number, f: (x: number, y: number) => number): Mask {
  const mask = createMask(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) mask.data[y * width + x] = f(x, y);
  }
  return mask;
}

export function pixel(image: RgbaImage, x: number, y: number): number[] {
  const i = (y * image.width + x) * 4;
  return Array.from(image.data.subarray(i, i + 4));
}

export function maskAt(mask: Mask, x: number, y: number): number {
  return mask.data[y * mask.width + x];
}

export function sum(values: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i];
  return total;
}
