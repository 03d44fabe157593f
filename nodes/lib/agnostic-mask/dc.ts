import { andNot, inpaintMask, orInto } from "./bitmask";
import { leffaHoleFill } from "./fill-holes";
import { LEFFA_LABELS as L, labelMask } from "./labels";
import { dilateRect } from "./morph-rect";
import { createCanvas } from "./pil-canvas";
import { drawLineCurveJoints, type PilPoint } from "./pil-line";
import { isMissing, OPENPOSE as P, type Keypoint } from "./pose";

/**
 * Leffa's `get_agnostic_mask_dc` (DressCode model), step by step. Unlike the HD rule it draws
 * both arms as one 30-px polyline across the shoulders, cuts the neck below the shoulder line,
 * does not erode the fixed regions and does not keep only the largest contour.
 * `keypoints` undefined means "no pose": the parsed arm labels stand in for the drawn arms and
 * the neck is not cut (head and neck stay protected).
 */
export type DcGarment = "upper_body" | "lower_body" | "dresses";

export const DC_ARM_LINE_WIDTH = 30;

export function agnosticMaskDc(
  parsing: Uint8Array,
  width: number,
  height: number,
  keypoints: readonly Keypoint[] | undefined,
  garment: DcGarment,
): Uint8Array {
  const head = labelMask(parsing, [L.hat, L.hair, L.sunglasses, L.head, L.neck]);
  const fixedLabels: number[] = [
    L.hair,
    L.leftShoe,
    L.rightShoe,
    L.hat,
    L.sunglasses,
    L.scarf,
    L.bag,
  ];
  let garmentLabels: number[];
  if (garment === "dresses") {
    garmentLabels = [L.dress, L.leftLeg, L.rightLeg];
  } else if (garment === "upper_body") {
    garmentLabels = [L.upperClothes];
    fixedLabels.push(L.skirt, L.pants);
  } else {
    garmentLabels = [L.pants, L.leftLeg, L.rightLeg];
    fixedLabels.push(L.upperClothes, L.leftArm, L.rightArm);
  }
  const fixed = labelMask(parsing, fixedLabels);
  const changeable = new Uint8Array(parsing.length);
  for (let i = 0; i < parsing.length; i++) changeable[i] = parsing[i] === 0 || !fixed[i] ? 1 : 0;
  let garmentMask = labelMask(parsing, garmentLabels);
  const scale = height / 512.0;

  let headKept = head;
  if (garment !== "lower_body") {
    const arms = labelMask(parsing, [L.leftArm, L.rightArm]);
    let drawn = keypoints ? drawArms(width, height, keypoints, scale) : arms;
    if (height > 512) {
      drawn = dilateRect(drawn, width, height, { width: 10, height: 10, iterations: 5 });
    } else if (height > 256) {
      drawn = dilateRect(drawn, width, height, { width: 5, height: 5, iterations: 5 });
    }
    orInto(garmentMask, drawn);
    orInto(fixed, andNot(arms, drawn)); // hands
    if (keypoints) headKept = cutNeck(head, width, height, keypoints, scale);
  }
  orInto(fixed, headKept);
  orInto(garmentMask, andNot(head, headKept));

  const k = height > 512 ? 20 : height > 256 ? 10 : 5;
  garmentMask = dilateRect(garmentMask, width, height, { width: k, height: k, iterations: 5 });
  return leffaHoleFill(inpaintMask(changeable, garmentMask, fixed), width, height);
}

/**
 * Both arms as one polyline wrist-elbow-shoulder-shoulder-elbow-wrist; a side whose wrist is
 * missing loses its wrist, and its elbow too if that is missing. Leffa checks the right side
 * first, so with both wrists missing the left wrist is still drawn (at [0, 0] if absent).
 */
function drawArms(
  width: number,
  height: number,
  keypoints: readonly Keypoint[],
  scale: number,
): Uint8Array {
  const at = (i: number): PilPoint => [keypoints[i][0] * scale, keypoints[i][1] * scale];
  const sr = at(P.rightShoulder);
  const sl = at(P.leftShoulder);
  const er = at(P.rightElbow);
  const el = at(P.leftElbow);
  const wr = at(P.rightWrist);
  const wl = at(P.leftWrist);
  let chain: PilPoint[];
  if (isMissing(wr)) {
    chain = isMissing(er) ? [wl, el, sl, sr] : [wl, el, sl, sr, er];
  } else if (isMissing(wl)) {
    chain = isMissing(el) ? [sl, sr, er, wr] : [el, sl, sr, er, wr];
  } else {
    chain = [wl, el, sl, sr, er, wr];
  }
  const canvas = createCanvas(width, height);
  drawLineCurveJoints(canvas, chain, DC_ARM_LINE_WIDTH, 255);
  return canvas.data;
}

/**
 * Leffa's "delete neck": fit y = m·x + c through the two shoulders (numpy `lstsq`, whose
 * minimum-norm answer matters when both have the same x, e.g. both missing) and, in every column,
 * drop the head/neck labels from 20 px (at 512 height) above that line downwards. The start row
 * follows Python: `int()` truncates and a negative start counts from the bottom.
 */
export function cutNeck(
  head: Uint8Array,
  width: number,
  height: number,
  keypoints: readonly Keypoint[],
  scale: number,
): Uint8Array {
  const x1 = keypoints[P.rightShoulder][0] * scale;
  const y1 = keypoints[P.rightShoulder][1] * scale;
  const x2 = keypoints[P.leftShoulder][0] * scale;
  const y2 = keypoints[P.leftShoulder][1] * scale;
  const { m, c } = fitLine(x1, y1, x2, y2);
  const kept = head.slice();
  for (let x = 0; x < width; x++) {
    let start = Math.trunc(x * m + c - 20 * scale);
    if (start < 0) start = Math.max(0, height + start);
    for (let y = start; y < height; y++) kept[y * width + x] = 0;
  }
  return kept;
}

/** Least squares line through two points; numpy's minimum-norm solution when x1 == x2. */
export function fitLine(x1: number, y1: number, x2: number, y2: number): { m: number; c: number } {
  if (x1 !== x2) {
    const m = (y2 - y1) / (x2 - x1);
    return { m, c: y1 - m * x1 };
  }
  const mean = (y1 + y2) / 2;
  const norm = x1 * x1 + 1;
  return { m: (x1 * mean) / norm, c: mean / norm };
}
