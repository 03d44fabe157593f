import { andNot, inpaintMask, orInto } from "./bitmask";
import { leffaHoleFill } from "./fill-holes";
import { LEFFA_LABELS as L, labelMask } from "./labels";
import { dilateRect, erodeRect } from "./morph-rect";
import { refineMask } from "./refine-mask";
import { createCanvas } from "./pil-canvas";
import { drawArc } from "./pil-ellipse";
import { drawLineCurveJoints, type PilPoint } from "./pil-line";
import { extendWrist, isMissing, OPENPOSE as P, type Keypoint } from "./pose";

/**
 * Leffa's `get_agnostic_mask_hd` (VITON-HD model, model_type "hd") at 384×512, step by step.
 * `keypoints` undefined means "no pose": both arms then take Leffa's missing-wrist fallback
 * (the parsed arm labels stand in for the drawn arms).
 */

/** The last step, `refine_mask`: which region of the hole-filled mask is kept and how. */
export type HdRefine = (mask: Uint8Array, width: number, height: number) => Uint8Array;

export type HdGarment = "upper_body" | "lower_body" | "dresses";

export const HD_ARM_LINE_WIDTH = 60;

export function agnosticMaskHd(
  parsing: Uint8Array,
  width: number,
  height: number,
  keypoints: readonly Keypoint[] | undefined,
  garment: HdGarment,
  refine: HdRefine = refineMask,
): Uint8Array {
  const head = labelMask(parsing, [L.hat, L.sunglasses, L.head]);
  const fixedLabels: number[] = [L.leftShoe, L.rightShoe, L.hat, L.sunglasses, L.bag];
  let garmentLabels: number[];
  if (garment === "dresses") {
    garmentLabels = [L.dress, L.upperClothes, L.skirt, L.pants];
  } else if (garment === "upper_body") {
    garmentLabels = [L.upperClothes, L.dress];
    fixedLabels.push(L.skirt, L.pants);
  } else {
    garmentLabels = [L.pants, L.leftLeg, L.rightLeg, L.skirt];
    fixedLabels.push(L.upperClothes, L.leftArm, L.rightArm);
  }
  let fixed = labelMask(parsing, fixedLabels);
  // Background, or any labelled pixel that is not fixed (the fixed set before hands are added).
  const changeable = new Uint8Array(parsing.length);
  for (let i = 0; i < parsing.length; i++) changeable[i] = parsing[i] === 0 || !fixed[i] ? 1 : 0;
  let garmentMask = labelMask(parsing, garmentLabels);

  const dressesOrUpper = garment !== "lower_body";
  let arms: Uint8Array | undefined;
  if (dressesOrUpper) {
    const armsLeft = labelMask(parsing, [L.leftArm]);
    const armsRight = labelMask(parsing, [L.rightArm]);
    const right = drawArm(width, height, keypoints, "right") ?? armsRight;
    const left = drawArm(width, height, keypoints, "left") ?? armsLeft;
    // Hands: parsed arm pixels the drawn arm does not cover stay untouched.
    orInto(fixed, andNot(armsLeft, left));
    orInto(fixed, andNot(armsRight, right));
    arms = new Uint8Array(parsing.length);
    orInto(arms, left);
    orInto(arms, right);
  }

  fixed = erodeRect(fixed, width, height, { width: 5, height: 5, iterations: 1 });
  orInto(fixed, head);
  garmentMask = dilateRect(garmentMask, width, height, { width: 10, height: 10, iterations: 5 });
  if (arms) {
    const neck = dilateRect(labelMask(parsing, [L.neck]), width, height, {
      width: 5,
      height: 5,
      iterations: 1,
    });
    orInto(garmentMask, andNot(neck, head));
    orInto(garmentMask, dilateRect(arms, width, height, { width: 5, height: 5, iterations: 4 }));
  }

  const mask = inpaintMask(changeable, garmentMask, fixed);
  return refine(leffaHoleFill(mask, width, height), width, height);
}

/** numpy's float64 → uint16 cast as Leffa applies it to the arm polyline (truncate, wrap). */
function toUint16(v: number): number {
  return Math.trunc(v) & 0xffff;
}

/**
 * One arm drawn Leffa's way: shoulder → elbow → wrist (extended 1.2×), 60 px wide with curve
 * joints, plus a full-circle arc 30 px thick in a 60-px box at the shoulder (in Pillow that is a
 * disc with a pin-hole at its centre, which the arm line covers). Undefined = Leffa's fallback
 * (wrist missing, or no keypoints at all): the caller uses the parsed arm instead.
 */
function drawArm(
  width: number,
  height: number,
  keypoints: readonly Keypoint[] | undefined,
  side: "left" | "right",
): Uint8Array | undefined {
  if (!keypoints) return undefined;
  const scale = height / 512.0;
  const at = (p: Keypoint): Keypoint => [p[0] * scale, p[1] * scale];
  const shoulder = at(keypoints[side === "right" ? P.rightShoulder : P.leftShoulder]);
  const elbow = at(keypoints[side === "right" ? P.rightElbow : P.leftElbow]);
  const wrist = at(keypoints[side === "right" ? P.rightWrist : P.leftWrist]);
  if (isMissing(wrist)) return undefined;
  const w = Math.trunc((HD_ARM_LINE_WIDTH / 512) * height);
  const canvas = createCanvas(width, height);
  const chain =
    side === "right"
      ? [shoulder, elbow, extendWrist(wrist, elbow)]
      : [extendWrist(wrist, elbow), elbow, shoulder];
  const points: PilPoint[] = chain.map((p) => [toUint16(p[0]), toUint16(p[1])]);
  drawLineCurveJoints(canvas, points, w, 255);
  const r = Math.floor(w / 2);
  drawArc(
    canvas,
    [shoulder[0] - r, shoulder[1] - r, shoulder[0] + r, shoulder[1] + r],
    0,
    360,
    255,
    r,
  );
  return canvas.data;
}
