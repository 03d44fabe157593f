import { describe, expect, it } from "vitest";
import type { RgbaImage } from "../../core/image";
import type { Keypoints } from "../../core/types";
import { BODY_COLORS, BODY_LIMBS, limbColor, renderBodySkeleton } from "./skeleton";

type Point = [number, number, number];

/** One person with only the given OpenPose-18 points present. */
function person(points: Record<number, [number, number]>): Point[] {
  return Array.from({ length: 18 }, (_, i): Point => (points[i] ? [...points[i], 0.9] : [0, 0, 0]));
}

function keypoints(people: Point[][], width = 64, height = 64): Keypoints {
  return { kind: "keypoints", width, height, people };
}

function rgb(image: RgbaImage, x: number, y: number): number[] {
  const p = (y * image.width + x) * 4;
  return Array.from(image.data.subarray(p, p + 3));
}

function litPixels(image: RgbaImage): number {
  let count = 0;
  for (let p = 0; p < image.data.length; p += 4) {
    if (image.data[p] || image.data[p + 1] || image.data[p + 2]) count++;
  }
  return count;
}

describe("skeleton tables", () => {
  it("has the reference's 17 limbs and 18 colours, limbs at 60 %", () => {
    expect(BODY_LIMBS).toHaveLength(17);
    expect(BODY_COLORS).toHaveLength(18);
    // Neck → R shoulder is limb 0: int(255 · 0.6) = 153.
    expect(BODY_LIMBS[0]).toEqual([1, 2]);
    expect(limbColor(0)).toEqual([153, 0, 0]);
    // Limb 6 (neck → R hip) in [0, 255, 0] · 0.6; limb 10 in [0, 170, 255] · 0.6.
    expect(BODY_LIMBS[6]).toEqual([1, 8]);
    expect(limbColor(6)).toEqual([0, 153, 0]);
    expect(limbColor(10)).toEqual([0, 102, 153]);
  });
});

describe("renderBodySkeleton", () => {
  it("draws a horizontal limb 9 px thick in the limb colour, joints on top", () => {
    // Neck (1) at (20, 32), R shoulder (2) at (40, 32): limb 0, ellipse centre (30, 32),
    // half-length 10, half-width 4.
    const image = renderBodySkeleton(keypoints([person({ 1: [20, 32], 2: [40, 32] })]));
    expect([image.width, image.height]).toEqual([64, 64]);
    expect(rgb(image, 30, 32)).toEqual([153, 0, 0]);
    expect(rgb(image, 30, 28)).toEqual([153, 0, 0]);
    expect(rgb(image, 30, 36)).toEqual([153, 0, 0]);
    expect(rgb(image, 30, 27)).toEqual([0, 0, 0]);
    expect(rgb(image, 30, 37)).toEqual([0, 0, 0]);
    // Joint discs (radius 4) in the joints' own colours cover the limb's ends.
    expect(rgb(image, 20, 32)).toEqual([255, 85, 0]);
    expect(rgb(image, 24, 32)).toEqual([255, 85, 0]);
    expect(rgb(image, 40, 32)).toEqual([255, 170, 0]);
    expect(rgb(image, 25, 32)).toEqual([153, 0, 0]);
    // Beyond both ends: black. Alpha is opaque everywhere.
    expect(rgb(image, 18, 37)).toEqual([0, 0, 0]);
    expect(rgb(image, 45, 32)).toEqual([0, 0, 0]);
    expect(image.data.every((v, i) => i % 4 !== 3 || v === 255)).toBe(true);
  });

  it("orients the ellipse along a vertical limb", () => {
    // Neck (1) at (32, 10), R hip (8) at (32, 50): limb 6, centre (32, 30).
    const image = renderBodySkeleton(keypoints([person({ 1: [32, 10], 8: [32, 50] })]));
    expect(rgb(image, 32, 30)).toEqual([0, 153, 0]);
    expect(rgb(image, 36, 30)).toEqual([0, 153, 0]);
    expect(rgb(image, 28, 30)).toEqual([0, 153, 0]);
    expect(rgb(image, 37, 30)).toEqual([0, 0, 0]);
    expect(rgb(image, 32, 50)).toEqual(BODY_COLORS[8]);
  });

  it("draws a lone joint as the 49-pixel disc of radius 4 and skips its limbs", () => {
    // Nose (0) present, everything else missing: no limb has both ends.
    const image = renderBodySkeleton(keypoints([person({ 0: [10.9, 10.2] })]));
    expect(litPixels(image)).toBe(49);
    // Centre truncated to (10, 10): (14, 10) and (12, 13) are in, (13, 13) is out (9 + 9 > 16).
    expect(rgb(image, 14, 10)).toEqual([255, 0, 0]);
    expect(rgb(image, 12, 13)).toEqual([255, 0, 0]);
    expect(rgb(image, 13, 13)).toEqual([0, 0, 0]);
  });

  it("draws nothing for missing points, even with coordinates, and clips at the border", () => {
    const missing = person({});
    missing[2] = [30, 30, 0];
    missing[3] = [40, 40, 0];
    expect(litPixels(renderBodySkeleton(keypoints([missing])))).toBe(0);
    expect(litPixels(renderBodySkeleton(keypoints([])))).toBe(0);
    // A joint at the corner keeps only its quarter disc inside: rows 0..4 of the disc's lower
    // right quarter, 5 + 4 + 4 + 3 + 1 = 17 pixels.
    expect(litPixels(renderBodySkeleton(keypoints([person({ 0: [0, 0] })])))).toBe(17);
  });

  it("draws every person", () => {
    const image = renderBodySkeleton(
      keypoints([person({ 0: [10, 10] }), person({ 0: [50, 50] })], 64, 64),
    );
    expect(litPixels(image)).toBe(98);
    expect(rgb(image, 50, 50)).toEqual([255, 0, 0]);
  });
});
