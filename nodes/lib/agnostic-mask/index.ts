import { agnosticMaskDc } from "./dc";
import { agnosticMaskHd } from "./hd";
import { LEFFA_LABEL_COUNT } from "./labels";
import { isMissing, OPENPOSE, OPENPOSE_POINT_COUNT } from "./pose";

/**
 * Leffa's agnostic (inpainting) mask for virtual try-on, as its demo builds it from a human
 * parsing map and OpenPose keypoints at 384×512 (`get_agnostic_mask_hd` / `_dc` in
 * `leffa_utils/utils.py`). Pure TypeScript, no canvas: Pillow's and OpenCV's raster rules are
 * reproduced in the modules beside this one.
 */
export type AgnosticModelType = "viton_hd" | "dress_code";
export type GarmentType = "upper_body" | "lower_body" | "dresses";
export const AGNOSTIC_WIDTH = 384;
export const AGNOSTIC_HEIGHT = 512;

export interface AgnosticMaskInput {
  /** Leffa label map (0..18), row-major, AGNOSTIC_WIDTH × AGNOSTIC_HEIGHT. */
  readonly parsing: Uint8Array;
  /**
   * OpenPose-18 body keypoints in 384×512 pixel coordinates; [0, 0] = missing (as Leffa's
   * OpenPose gives). Undefined: no arm rule (the mask is still made; `warnings` says so).
   */
  readonly keypoints?: readonly (readonly [number, number])[];
  readonly modelType: AgnosticModelType;
  readonly garment: GarmentType;
}

export interface AgnosticMaskResult {
  /** 0 or 255, AGNOSTIC_WIDTH × AGNOSTIC_HEIGHT; 255 = region to regenerate. */
  readonly mask: Uint8Array;
  readonly warnings: readonly string[];
}

const MODEL_TYPES: readonly string[] = ["viton_hd", "dress_code"];
const GARMENTS: readonly string[] = ["upper_body", "lower_body", "dresses"];
const ARM_POINTS: readonly [string, number][] = [
  ["right shoulder", OPENPOSE.rightShoulder],
  ["right elbow", OPENPOSE.rightElbow],
  ["right wrist", OPENPOSE.rightWrist],
  ["left shoulder", OPENPOSE.leftShoulder],
  ["left elbow", OPENPOSE.leftElbow],
  ["left wrist", OPENPOSE.leftWrist],
];

export function agnosticMask(input: AgnosticMaskInput): AgnosticMaskResult {
  validate(input);
  const { parsing, keypoints, modelType, garment } = input;
  const warnings: string[] = [];
  if (garment !== "lower_body") {
    if (!keypoints) {
      warnings.push(
        modelType === "viton_hd"
          ? "No keypoints: the parsed arms are used instead of arms drawn along the pose (Leffa's missing-wrist fallback)."
          : "No keypoints: the parsed arms are used instead of the drawn arm line, and the neck is not cut.",
      );
    } else {
      const missing = ARM_POINTS.filter(([, i]) => isMissing(keypoints[i])).map(([n]) => n);
      if (missing.length > 0) {
        warnings.push(`Missing keypoints (${missing.join(", ")}): Leffa's fallbacks apply.`);
      }
    }
  }
  const mask =
    modelType === "viton_hd"
      ? agnosticMaskHd(parsing, AGNOSTIC_WIDTH, AGNOSTIC_HEIGHT, keypoints, garment)
      : agnosticMaskDc(parsing, AGNOSTIC_WIDTH, AGNOSTIC_HEIGHT, keypoints, garment);
  let any = false;
  for (let i = 0; i < mask.length && !any; i++) any = mask[i] !== 0;
  if (!any) warnings.push("The agnostic mask is empty: no garment region was found.");
  return { mask, warnings };
}

function validate(input: AgnosticMaskInput): void {
  const { parsing, keypoints, modelType, garment } = input;
  if (!MODEL_TYPES.includes(modelType)) {
    throw new Error(`agnosticMask: modelType must be one of ${MODEL_TYPES.join(", ")}`);
  }
  if (!GARMENTS.includes(garment)) {
    throw new Error(`agnosticMask: garment must be one of ${GARMENTS.join(", ")}`);
  }
  if (!(parsing instanceof Uint8Array)) {
    throw new Error("agnosticMask: parsing must be a Uint8Array label map");
  }
  if (parsing.length !== AGNOSTIC_WIDTH * AGNOSTIC_HEIGHT) {
    throw new Error(
      `agnosticMask: parsing must be ${AGNOSTIC_WIDTH}×${AGNOSTIC_HEIGHT} = ${AGNOSTIC_WIDTH * AGNOSTIC_HEIGHT} labels, got ${parsing.length}`,
    );
  }
  for (let i = 0; i < parsing.length; i++) {
    if (parsing[i] >= LEFFA_LABEL_COUNT) {
      throw new Error(
        `agnosticMask: label ${parsing[i]} at pixel (${i % AGNOSTIC_WIDTH}, ${Math.floor(i / AGNOSTIC_WIDTH)}) is outside Leffa's 0..${LEFFA_LABEL_COUNT - 1}`,
      );
    }
  }
  if (keypoints === undefined) return;
  if (keypoints.length !== OPENPOSE_POINT_COUNT) {
    throw new Error(
      `agnosticMask: expected ${OPENPOSE_POINT_COUNT} OpenPose keypoints, got ${keypoints.length}`,
    );
  }
  keypoints.forEach((p, i) => {
    if (p.length !== 2 || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) {
      throw new Error(`agnosticMask: keypoint ${i} must be two finite numbers [x, y]`);
    }
  });
}
