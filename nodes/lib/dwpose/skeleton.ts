import { createImage, type RgbaImage } from "../../core/image";
import type { Keypoints } from "../../core/types";

/**
 * The OpenPose-style body skeleton of controlnet_aux `dwpose/util.py draw_bodypose`: on black,
 * each of 17 limbs as a filled ellipse (semi-axes half the limb length × stick width 4, along the
 * limb) in 60 % of its colour, then each of the 18 joints as a filled disc of radius 4 in full
 * colour, person after person.
 *
 * The reference fills `cv2.ellipse2Poly` polygons (vertices rounded to whole pixels, edges
 * included) and draws `cv2.circle`. Here a pixel is tested against the ellipse itself, grown by
 * half a pixel on both axes to stand in for the rounded, edge-inclusive polygon; boundary pixels
 * can differ from OpenCV's by one. No anti-aliasing, as in the reference.
 */

/** OpenPose-18 joint pairs (0-based), in the reference's order (its limbSeq is 1-based). */
export const BODY_LIMBS: readonly (readonly [number, number])[] = [
  [1, 2],
  [1, 5],
  [2, 3],
  [3, 4],
  [5, 6],
  [6, 7],
  [1, 8],
  [8, 9],
  [9, 10],
  [1, 11],
  [11, 12],
  [12, 13],
  [1, 0],
  [0, 14],
  [14, 16],
  [0, 15],
  [15, 17],
];

/** RGB per joint; limb i uses colour i. */
export const BODY_COLORS: readonly (readonly [number, number, number])[] = [
  [255, 0, 0],
  [255, 85, 0],
  [255, 170, 0],
  [255, 255, 0],
  [170, 255, 0],
  [85, 255, 0],
  [0, 255, 0],
  [0, 255, 85],
  [0, 255, 170],
  [0, 255, 255],
  [0, 170, 255],
  [0, 85, 255],
  [0, 0, 255],
  [85, 0, 255],
  [170, 0, 255],
  [255, 0, 255],
  [255, 0, 170],
  [255, 0, 85],
];

export const STICK_WIDTH = 4;
export const JOINT_RADIUS = 4;

/** The reference darkens limbs with int(c × 0.6). */
export function limbColor(index: number): [number, number, number] {
  const [r, g, b] = BODY_COLORS[index];
  return [Math.trunc(r * 0.6), Math.trunc(g * 0.6), Math.trunc(b * 0.6)];
}

function setPixel(image: RgbaImage, x: number, y: number, rgb: readonly number[]): void {
  if (x < 0 || y < 0 || x >= image.width || y >= image.height) return;
  const p = (y * image.width + x) * 4;
  image.data[p] = rgb[0];
  image.data[p + 1] = rgb[1];
  image.data[p + 2] = rgb[2];
}

/**
 * Fills the limb from (x1, y1) to (x2, y2) with the reference's integer geometry: centre, half
 * length and angle in degrees all truncated with Python's int().
 */
function fillLimb(
  image: RgbaImage,
  x1: number,
  y1: number,
  x2: number,
  y2: number,
  rgb: readonly number[],
): void {
  const cx = Math.trunc((x1 + x2) / 2);
  const cy = Math.trunc((y1 + y2) / 2);
  const halfLength = Math.trunc(Math.hypot(x2 - x1, y2 - y1) / 2);
  const angle = (Math.trunc((Math.atan2(y1 - y2, x1 - x2) * 180) / Math.PI) * Math.PI) / 180;
  const a = halfLength + 0.5;
  const b = STICK_WIDTH + 0.5;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const reach = Math.ceil(Math.max(a, b));
  for (let y = cy - reach; y <= cy + reach; y++) {
    for (let x = cx - reach; x <= cx + reach; x++) {
      const dx = x - cx;
      const dy = y - cy;
      // Offsets along and across the limb (image y points down, as in cv2's angle).
      const along = dx * cos + dy * sin;
      const across = -dx * sin + dy * cos;
      if ((along / a) ** 2 + (across / b) ** 2 <= 1) setPixel(image, x, y, rgb);
    }
  }
}

/** The filled disc dx² + dy² ≤ r² around the truncated centre (cv2.circle, thickness −1). */
function fillJoint(image: RgbaImage, x: number, y: number, rgb: readonly number[]): void {
  const cx = Math.trunc(x);
  const cy = Math.trunc(y);
  const r = JOINT_RADIUS;
  for (let dy = -r; dy <= r; dy++) {
    for (let dx = -r; dx <= r; dx++) {
      if (dx * dx + dy * dy <= r * r) setPixel(image, cx + dx, cy + dy, rgb);
    }
  }
}

/**
 * Draws everyone's body skeleton on an opaque black image of the keypoints' size. Points with
 * confidence 0 are missing: they get no disc and their limbs are not drawn.
 */
export function renderBodySkeleton(keypoints: Keypoints): RgbaImage {
  const image = createImage(keypoints.width, keypoints.height);
  for (let i = 3; i < image.data.length; i += 4) image.data[i] = 255;
  for (const person of keypoints.people) {
    const present = (i: number) => i < person.length && person[i][2] > 0;
    BODY_LIMBS.forEach(([from, to], limb) => {
      if (!present(from) || !present(to)) return;
      const [x1, y1] = person[from];
      const [x2, y2] = person[to];
      fillLimb(image, x1, y1, x2, y2, limbColor(limb));
    });
    for (let i = 0; i < Math.min(person.length, BODY_COLORS.length); i++) {
      if (present(i)) fillJoint(image, person[i][0], person[i][1], BODY_COLORS[i]);
    }
  }
  return image;
}
