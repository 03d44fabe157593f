import type { Keypoints } from "../../core/types";
import type { ScoredPoint } from "./simcc";

/**
 * COCO-WholeBody (DWPose) → the OpenPose-18 body order Leffa's mask rules read, following
 * controlnet_aux `dwpose/wholebody.py` (`Wholebody.__call__` and `format_result`).
 *
 * OpenPose-18: 0 nose, 1 neck, 2 R shoulder, 3 R elbow, 4 R wrist, 5 L shoulder, 6 L elbow,
 * 7 L wrist, 8 R hip, 9 R knee, 10 R ankle, 11 L hip, 12 L knee, 13 L ankle, 14 R eye, 15 L eye,
 * 16 R ear, 17 L ear. COCO body (first 17 of the 133): 0 nose, 1 L eye, 2 R eye, 3 L ear, 4 R ear,
 * 5 L shoulder, 6 R shoulder, 7 L elbow, 8 R elbow, 9 L wrist, 10 R wrist, 11 L hip, 12 R hip,
 * 13 L knee, 14 R knee, 15 L ankle, 16 R ankle.
 */

/**
 * For each OpenPose-18 index, the index into the COCO list after the neck has been inserted at 17.
 * The reference does `new[:, openpose_idx] = new[:, mmpose_idx]` with 0-based numpy indices
 * mmpose_idx = [17, 6, 8, 10, 7, 9, 12, 14, 16, 13, 15, 2, 1, 4, 3] and
 * openpose_idx = [1, 2, 3, 4, 6, 7, 8, 9, 10, 12, 13, 14, 15, 16, 17]; indices 0 (nose),
 * 5 (L shoulder) and 11 (L hip) are not listed and so stay where COCO has them.
 */
export const OPENPOSE_FROM_COCO: readonly number[] = [
  0, 17, 6, 8, 10, 5, 7, 9, 12, 14, 16, 11, 13, 15, 2, 1, 4, 3,
];

/** Points scoring below this are dropped (`format_result` keeps `score >= 0.3`). */
export const KEYPOINT_THRESHOLD = 0.3;

export type PeopleSelection = "largest" | "all";

/** One detected person: the detector box and its decoded whole-body keypoints in image pixels. */
export interface DetectedPerson {
  readonly box: {
    readonly x1: number;
    readonly y1: number;
    readonly x2: number;
    readonly y2: number;
  };
  readonly wholeBody: readonly ScoredPoint[];
}

/**
 * The 18 OpenPose body points of one person, [x, y, confidence]; a dropped point is [0, 0, 0]
 * (Leffa's run_openpose also writes missing points as (0, 0)).
 *
 * The neck is the mean of the two shoulders (5, 6). Its score is not a mean: the reference
 * overwrites it with `logical_and(score5 > 0.3, score6 > 0.3)`, i.e. 1 when both shoulders are
 * confident and 0 otherwise, so the neck exists exactly when both shoulders do (strictly above
 * 0.3, while the shoulders themselves only need ≥ 0.3).
 */
export function wholeBodyToOpenPose(
  wholeBody: readonly ScoredPoint[],
  threshold = KEYPOINT_THRESHOLD,
): [number, number, number][] {
  if (wholeBody.length < 17)
    throw new Error(`need the 17 COCO body points, got ${wholeBody.length}`);
  const [lx, ly, ls] = wholeBody[5];
  const [rx, ry, rs] = wholeBody[6];
  const neck: ScoredPoint = [(lx + rx) / 2, (ly + ry) / 2, ls > 0.3 && rs > 0.3 ? 1 : 0];
  const withNeck = [...wholeBody.slice(0, 17), neck];
  return OPENPOSE_FROM_COCO.map((i) => {
    const [x, y, score] = withNeck[i];
    return score >= threshold ? [x, y, score] : [0, 0, 0];
  });
}

function boxArea(box: DetectedPerson["box"]): number {
  return Math.max(0, box.x2 - box.x1) * Math.max(0, box.y2 - box.y1);
}

/**
 * Everyone, or only the person with the largest detector box (the first such on a tie). Anything
 * with a box can be selected, so detections can be chosen before the pose model runs on them.
 */
export function selectPeople<T extends Pick<DetectedPerson, "box">>(
  people: readonly T[],
  selection: PeopleSelection,
): T[] {
  if (selection === "all" || people.length <= 1) return [...people];
  let best = people[0];
  for (const person of people) if (boxArea(person.box) > boxArea(best.box)) best = person;
  return [best];
}

/** The studio's KEYPOINTS value for the selected people of a width × height photo. */
export function toOpenPoseKeypoints(
  people: readonly DetectedPerson[],
  width: number,
  height: number,
  selection: PeopleSelection = "largest",
  threshold = KEYPOINT_THRESHOLD,
): Keypoints {
  return {
    kind: "keypoints",
    width,
    height,
    people: selectPeople(people, selection).map((p) => wholeBodyToOpenPose(p.wholeBody, threshold)),
  };
}
