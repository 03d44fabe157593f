/** The OpenPose-18 points Leffa's arm rules read, and its notion of a missing point. */

export type Keypoint = readonly [number, number];

export const OPENPOSE = {
  rightShoulder: 2,
  rightElbow: 3,
  rightWrist: 4,
  leftShoulder: 5,
  leftElbow: 6,
  leftWrist: 7,
} as const;

export const OPENPOSE_POINT_COUNT = 18;

/**
 * Leffa tests `x <= 1 and y <= 1` (OpenPose writes [0, 0] for undetected points), so a real
 * point in the top-left pixel also counts as missing.
 */
export function isMissing(p: Keypoint): boolean {
  return p[0] <= 1 && p[1] <= 1;
}

/** Leffa's `extend_arm_mask`: push the wrist 20% further out along elbow→wrist. */
export function extendWrist(wrist: Keypoint, elbow: Keypoint): Keypoint {
  return [elbow[0] + 1.2 * (wrist[0] - elbow[0]), elbow[1] + 1.2 * (wrist[1] - elbow[1])];
}
