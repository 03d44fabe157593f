import { createImage, createMask, type Mask, type RgbaImage } from "../core/image";

/** An axis-aligned box in whole pixels; x and y may be negative before clamping. */
export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** The part of `box` inside a width × height image, or null when they do not overlap. */
export function clampBox(box: Box, width: number, height: number): Box | null {
  const x0 = Math.max(0, box.x);
  const y0 = Math.max(0, box.y);
  const x1 = Math.min(width, box.x + box.width);
  const y1 = Math.min(height, box.y + box.height);
  if (x1 <= x0 || y1 <= y0) return null;
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

function assertInside(box: Box, width: number, height: number): void {
  const inside =
    box.x >= 0 && box.y >= 0 && box.x + box.width <= width && box.y + box.height <= height;
  if (!inside) throw new Error("crop box must lie inside the image (clamp it first)");
}

/** Copies a box (already inside the image) out of an image, row by row. */
export function cropImage(image: RgbaImage, box: Box): RgbaImage {
  assertInside(box, image.width, image.height);
  const out = createImage(box.width, box.height);
  const rowBytes = box.width * 4;
  for (let y = 0; y < box.height; y++) {
    const start = ((box.y + y) * image.width + box.x) * 4;
    out.data.set(image.data.subarray(start, start + rowBytes), y * rowBytes);
  }
  return out;
}

/** Copies a box (already inside the mask) out of a mask. */
export function cropMask(mask: Mask, box: Box): Mask {
  assertInside(box, mask.width, mask.height);
  const out = createMask(box.width, box.height);
  for (let y = 0; y < box.height; y++) {
    const start = (box.y + y) * mask.width + box.x;
    out.data.set(mask.data.subarray(start, start + box.width), y * box.width);
  }
  return out;
}
