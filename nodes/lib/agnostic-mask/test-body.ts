import { LEFFA_LABELS as L } from "./labels";
import type { Keypoint } from "./pose";
import { fillRect } from "./test-raster";

/**
 * A synthetic front-facing person at 384×512 for the rule tests, drawn with rectangles. The
 * person's left is on the image's right, as in a photo: label 14 (left arm) and keypoints 5-7
 * sit at x ≈ 270, label 15 and keypoints 2-4 at x ≈ 114. The legs run off the bottom edge, as in
 * VITON-HD crops.
 */
export const W = 384;
export const H = 512;

export const BODY = {
  hair: [160, 30, 224, 40],
  head: [160, 40, 224, 110],
  neck: [180, 110, 204, 130],
  upper: [130, 130, 254, 300],
  rightArm: [100, 130, 130, 300],
  leftArm: [254, 130, 284, 300],
  pants: [140, 300, 244, 512],
  bag: [320, 200, 360, 260],
} as const;

export function body(overrides: Partial<Record<keyof typeof BODY, number>> = {}): Uint8Array {
  const labels: Record<keyof typeof BODY, number> = {
    hair: L.hair,
    head: L.head,
    neck: L.neck,
    upper: L.upperClothes,
    rightArm: L.rightArm,
    leftArm: L.leftArm,
    pants: L.pants,
    bag: L.bag,
    ...overrides,
  };
  const p = new Uint8Array(W * H);
  for (const key of Object.keys(BODY) as (keyof typeof BODY)[]) {
    const [x0, y0, x1, y1] = BODY[key];
    fillRect(p, W, x0, y0, x1, y1, labels[key]);
  }
  return p;
}

/** Shoulders at y 140, elbows at 210, wrists at 270 (extended by Leffa to 282). */
export function pose(changes: Record<number, Keypoint> = {}): Keypoint[] {
  const kp: Keypoint[] = Array.from({ length: 18 }, () => [0, 0] as const);
  kp[0] = [192, 80];
  kp[1] = [192, 135];
  kp[2] = [114, 140];
  kp[3] = [114, 210];
  kp[4] = [114, 270];
  kp[5] = [270, 140];
  kp[6] = [270, 210];
  kp[7] = [270, 270];
  for (const [i, p] of Object.entries(changes)) kp[Number(i)] = p;
  return kp;
}

export function at(mask: Uint8Array, x: number, y: number): number {
  return mask[y * W + x];
}

/** Every pixel of `parsing` with `label` and inside the box (x0, y0, x1, y1 exclusive). */
export function pixelsOf(
  parsing: Uint8Array,
  label: number,
  box: readonly [number, number, number, number] = [0, 0, W, H],
): [number, number][] {
  const out: [number, number][] = [];
  for (let y = box[1]; y < box[3]; y++) {
    for (let x = box[0]; x < box[2]; x++) if (parsing[y * W + x] === label) out.push([x, y]);
  }
  return out;
}
