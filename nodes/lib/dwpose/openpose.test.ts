import { describe, expect, it } from "vitest";
import type { ScoredPoint } from "./simcc";
import {
  selectPeople,
  toOpenPoseKeypoints,
  wholeBodyToOpenPose,
  type DetectedPerson,
} from "./openpose";

/** 133 whole-body points, point i at (10i + 1, 10i + 2) with score 0.9. */
function wholeBody(score = (_i: number) => 0.9): ScoredPoint[] {
  return Array.from({ length: 133 }, (_, i) => [10 * i + 1, 10 * i + 2, score(i)]);
}

describe("wholeBodyToOpenPose", () => {
  it("reorders COCO to OpenPose-18 with the neck between the shoulders", () => {
    const points = wholeBody();
    // Written out joint by joint from the two skeleton definitions (COCO index → OpenPose slot).
    const coco = (i: number) => [10 * i + 1, 10 * i + 2, 0.9];
    expect(wholeBodyToOpenPose(points)).toEqual([
      coco(0), // nose
      [56, 57, 1], // neck = mean of L shoulder (5) and R shoulder (6); score 1 (both > 0.3)
      coco(6), // R shoulder
      coco(8), // R elbow
      coco(10), // R wrist
      coco(5), // L shoulder
      coco(7), // L elbow
      coco(9), // L wrist
      coco(12), // R hip
      coco(14), // R knee
      coco(16), // R ankle
      coco(11), // L hip
      coco(13), // L knee
      coco(15), // L ankle
      coco(2), // R eye
      coco(1), // L eye
      coco(4), // R ear
      coco(3), // L ear
    ]);
  });

  it("drops points scoring under 0.3 and needs both shoulders above 0.3 for the neck", () => {
    // L shoulder exactly 0.3 (kept, ≥), R wrist (COCO 10) 0.29 (dropped).
    const scores: Record<number, number> = { 5: 0.3, 10: 0.29 };
    const body = wholeBodyToOpenPose(wholeBody((i) => scores[i] ?? 0.9));
    expect(body[5]).toEqual([51, 52, 0.3]);
    expect(body[4]).toEqual([0, 0, 0]);
    // 0.3 is not > 0.3: the neck's score is 0, so it is dropped too.
    expect(body[1]).toEqual([0, 0, 0]);
    const both = wholeBodyToOpenPose(wholeBody((i) => (i === 5 || i === 6 ? 0.31 : 0.9)));
    expect(both[1]).toEqual([56, 57, 1]);
  });

  it("accepts a custom threshold and refuses fewer than 17 points", () => {
    const body = wholeBodyToOpenPose(
      wholeBody((i) => (i === 0 ? 0.5 : 0.9)),
      0.6,
    );
    expect(body[0]).toEqual([0, 0, 0]);
    expect(body[15]).toEqual([11, 12, 0.9]);
    expect(() => wholeBodyToOpenPose(wholeBody().slice(0, 16))).toThrow(/17/);
  });
});

describe("people selection", () => {
  const small: DetectedPerson = { box: { x1: 0, y1: 0, x2: 10, y2: 40 }, wholeBody: wholeBody() };
  const large: DetectedPerson = {
    box: { x1: 100, y1: 0, x2: 130, y2: 20 },
    wholeBody: wholeBody((i) => (i === 0 ? 0.8 : 0.9)),
  };

  it("keeps the largest box (600 > 400) or everyone in detector order", () => {
    expect(selectPeople([small, large], "largest")).toEqual([large]);
    expect(selectPeople([small, large], "all")).toEqual([small, large]);
    expect(selectPeople([], "largest")).toEqual([]);
  });

  it("builds the studio's KEYPOINTS value", () => {
    const value = toOpenPoseKeypoints([small, large], 640, 480);
    expect(value.kind).toBe("keypoints");
    expect([value.width, value.height]).toEqual([640, 480]);
    expect(value.people).toHaveLength(1);
    expect(value.people[0]).toHaveLength(18);
    expect(value.people[0][0]).toEqual([1, 2, 0.8]);
    expect(toOpenPoseKeypoints([small, large], 640, 480, "all").people).toHaveLength(2);
  });
});
