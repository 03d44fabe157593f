import { createMask, type Mask } from "../../core/image";
import type { Keypoints } from "../../core/types";
import type { Box } from "../crop";
import { centreFitBox } from "../garment-prep";
import { resizeMask } from "../resample";

/**
 * Leffa parses and draws the mask at 384×512 (`src_image.resize((384, 512))` after
 * `resize_and_center`). An image of another aspect is fitted inside 384×512 and centred on white
 * (what `resize_and_center` does at 768×1024), so nothing is cropped or stretched; the results
 * are mapped back through the same box, so they line up with the input pixel for pixel.
 */

export const PARSE_WIDTH = 384;
export const PARSE_HEIGHT = 512;

/** Where a width × height person lands inside 384×512. */
export function personBox(width: number, height: number): Box {
  return centreFitBox(width, height, { x: 0, y: 0, width: PARSE_WIDTH, height: PARSE_HEIGHT });
}

/**
 * The first person's OpenPose-18 points in 384×512 pixels, [0, 0] where missing (Leffa's
 * convention). Points are given in the keypoints' own width × height, which is taken to frame
 * the same picture as the person image.
 */
export function keypointsInBox(keypoints: Keypoints, box: Box): [number, number][] | undefined {
  const person = keypoints.people[0];
  if (!person) return undefined;
  const sx = box.width / keypoints.width;
  const sy = box.height / keypoints.height;
  return person.map(([x, y, confidence]): [number, number] =>
    confidence > 0 ? [box.x + x * sx, box.y + y * sy] : [0, 0],
  );
}

/**
 * A 0|255 mask drawn at 384×512 back at the input's width × height: the person's box is resampled
 * (bilinear when enlarging, area when shrinking) and binarised at 0.5, as Leffa binarises the
 * resized mask.
 */
export function maskFromBox(
  mask: Uint8Array,
  box: Box,
  width: number,
  height: number,
  signal?: AbortSignal,
): Mask {
  const unit = createMask(PARSE_WIDTH, PARSE_HEIGHT);
  for (let i = 0; i < mask.length; i++) unit.data[i] = mask[i] ? 1 : 0;
  const resized = resizeMask(unit, width, height, { rect: box, signal });
  for (let i = 0; i < resized.data.length; i++) resized.data[i] = resized.data[i] >= 0.5 ? 1 : 0;
  return resized;
}

/** A 384×512 label map back at width × height, nearest label (labels cannot be blended). */
export function labelsFromBox(
  labels: Uint8Array,
  box: Box,
  width: number,
  height: number,
): Uint8Array {
  const out = new Uint8Array(width * height);
  const xs = new Int32Array(width);
  for (let x = 0; x < width; x++) {
    xs[x] = box.x + Math.min(box.width - 1, Math.floor(((x + 0.5) * box.width) / width));
  }
  for (let y = 0; y < height; y++) {
    const sy = box.y + Math.min(box.height - 1, Math.floor(((y + 0.5) * box.height) / height));
    for (let x = 0; x < width; x++) out[y * width + x] = labels[sy * PARSE_WIDTH + xs[x]];
  }
  return out;
}
