import { cropToImage, type PoseCropTransform } from "./pose-crop";

/**
 * SimCC decoding of the DWPose outputs, following controlnet_aux `dw_onnx/cv_ox_pose.py`
 * (`get_simcc_maximum`, `decode`, `postprocess`). RTMPose classifies each keypoint's x and y
 * separately over bins at `splitRatio` × the input resolution (576 = 2 × 288, 768 = 2 × 384).
 */

/** A keypoint as [x, y, score]. */
export type ScoredPoint = [number, number, number];

export const WHOLEBODY_KEYPOINTS = 133;
export const SIMCC_SPLIT_RATIO = 2;

export interface SimccShape {
  /** People in the batch (N). */
  readonly people: number;
  /** Keypoints per person (K); 133 for COCO-WholeBody. */
  readonly keypoints: number;
  /** Bins of simcc_x and simcc_y (576 and 768 for the 288 × 384 model). */
  readonly binsX: number;
  readonly binsY: number;
}

/** Index and value of the first maximum of data[start, start + length), like numpy argmax/amax. */
function argmax(data: Float32Array, start: number, length: number): [number, number] {
  let best = 0;
  let value = data[start];
  for (let i = 1; i < length; i++) {
    if (data[start + i] > value) {
      value = data[start + i];
      best = i;
    }
  }
  return [best, value];
}

/**
 * Keypoints in model-input pixels: per keypoint the argmax bin along x and along y, divided by the
 * split ratio, with score = min(max_x, max_y). A keypoint whose score is ≤ 0 gets bin −1 on both
 * axes, as in the reference, which then divides it too (so −0.5 px); its score marks it missing.
 * Returns one array of K points per person.
 */
export function decodeSimcc(
  simccX: Float32Array,
  simccY: Float32Array,
  shape: SimccShape,
  splitRatio = SIMCC_SPLIT_RATIO,
): ScoredPoint[][] {
  const { people, keypoints, binsX, binsY } = shape;
  if (simccX.length !== people * keypoints * binsX) {
    throw new Error(
      `simcc_x has ${simccX.length} values, expected ${people}×${keypoints}×${binsX}`,
    );
  }
  if (simccY.length !== people * keypoints * binsY) {
    throw new Error(
      `simcc_y has ${simccY.length} values, expected ${people}×${keypoints}×${binsY}`,
    );
  }
  const result: ScoredPoint[][] = [];
  for (let n = 0; n < people; n++) {
    const points: ScoredPoint[] = [];
    for (let k = 0; k < keypoints; k++) {
      const row = n * keypoints + k;
      const [ix, vx] = argmax(simccX, row * binsX, binsX);
      const [iy, vy] = argmax(simccY, row * binsY, binsY);
      const score = Math.min(vx, vy);
      if (score > 0) points.push([ix / splitRatio, iy / splitRatio, score]);
      else points.push([-1 / splitRatio, -1 / splitRatio, score]);
    }
    result.push(points);
  }
  return result;
}

/**
 * Maps model-input keypoints back to the photo with the crop's transform
 * (`kp / input_size * scale + center - scale / 2`). Like the reference, the placeholder location of
 * missing points is mapped too; their score still marks them missing.
 */
export function simccPointsToImage(
  points: readonly ScoredPoint[],
  t: PoseCropTransform,
): ScoredPoint[] {
  return points.map(([u, v, score]) => {
    const [x, y] = cropToImage(t, u, v);
    return [x, y, score];
  });
}
