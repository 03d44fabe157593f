import { describe, expect, it } from "vitest";
import { BODY_PARTS, estimateBody } from "./body";
import { gaussianFilter, gaussianKernel } from "./gaussian-filter";
import { arraySource, findAllPeaks, peaksOf, sparsePeaks } from "./peaks";
import { firstPersonAsLeffa } from "./reindex";
import { drawPeople, standingPerson, type TestPart } from "./test-people";

/**
 * Body estimation on heatmaps and PAFs drawn for people whose parts are known: the peaks land on
 * the parts, limbs join the right ends, a missing part stays missing, and a limb whose PAF is
 * below the 0.05 threshold is not joined.
 */

const left = standingPerson(110, 60);
const right = standingPerson(270, 90);
right[4] = null; // the right person has no right wrist
const maps = drawPeople(384, 512, [
  { parts: left, strength: 0.95 },
  // Limb 2 (R shoulder → R elbow) has a PAF of 0.03: too weak to join.
  { parts: right, strength: 0.85, pafStrength: { 2: 0.03 } },
]);

/** The part each assembled id points at, [x, y], or null. */
function partsOf(row: Float64Array, candidates: { x: number; y: number }[]): TestPart[] {
  return Array.from(row.subarray(0, BODY_PARTS), (id) =>
    id < 0 ? null : ([candidates[id].x, candidates[id].y] as const),
  );
}

describe("estimateBody on drawn people", () => {
  const body = estimateBody(maps);

  it("finds one peak per drawn part, row-major within a part, numbered across parts, raw scores", () => {
    const perPart = findAllPeaks((p) => maps.heatmap(p), BODY_PARTS);
    let id = 0;
    perPart.forEach((peaks, part) => {
      const expected = [left[part], right[part]]
        .filter((p): p is readonly [number, number] => p !== null)
        .sort((a, b) => a[1] - b[1] || a[0] - b[0]);
      expect(peaks.map((p) => [p.x, p.y])).toEqual(expected);
      for (const p of peaks) {
        expect(p.id).toBe(id++);
        expect(p.score).toBe(maps.plane(part)[p.y * 384 + p.x]);
      }
    });
    expect(body.candidates).toEqual(perPart.flat());
  });

  it("assembles both people; the weak limb and the missing wrist leave the right person's arm out", () => {
    expect(body.people).toHaveLength(2);
    const people = body.people.map((row) => partsOf(row, [...body.candidates]));
    const leftPerson = people.find((p) => p[0]?.[0] === left[0]![0])!;
    const rightPerson = people.find((p) => p[0]?.[0] === right[0]![0])!;
    expect(leftPerson).toEqual(left);
    // The elbow's only limbs are shoulder → elbow (too weak) and elbow → wrist (no wrist).
    expect(rightPerson).toEqual(right.map((p, i) => (i === 3 || i === 4 ? null : p)));
    const rightRow = body.people[people.indexOf(rightPerson)];
    expect(rightRow[19]).toBe(16);
  });

  it("gives Leffa's 18 points for the first person assembled", () => {
    const points = firstPersonAsLeffa(body.candidates, body.people, 384, 512)!;
    const first = partsOf(body.people[0], [...body.candidates]);
    // The left person's peaks come first in every part's list, so the re-indexing is exact here.
    expect(first).toEqual(left);
    expect(points.map(([x, y]) => [x, y])).toEqual(left.map((p) => [p![0], p![1]]));
    expect(points.every(([, , c]) => c > 0.9)).toBe(true);
  });
});

describe("sparsePeaks", () => {
  it("finds exactly the peaks of the fully smoothed map, noise and plateaus included", () => {
    const noisy = Float32Array.from(maps.plane(1));
    let state = 3;
    for (let i = 0; i < noisy.length; i++) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      noisy[i] += (state / 2 ** 32) * 0.05;
    }
    // A flat plateau above the threshold: every pixel ties with its neighbours.
    for (let y = 400; y < 440; y++) for (let x = 300; x < 340; x++) noisy[y * 384 + x] = 0.5;
    const full = peaksOf(noisy, gaussianFilter(noisy, 384, 512, 3), 384, 512, 7);
    const sparse = sparsePeaks(arraySource(noisy, 384, 512), 7);
    expect(sparse).toEqual(full);
    expect(full.length).toBeGreaterThan(2);
  });

  it("keeps a peak whose smoothed value only just clears the threshold (the skip bound is tight there)", () => {
    // An impulse smooths to v · w0² at its pixel: just above 0.1 at (200, 300), just below at
    // (60, 100); inside the image and at its border (where 'reflect' folds weights back).
    const w0 = gaussianKernel(3)[12];
    const image = new Float32Array(384 * 512);
    image[300 * 384 + 200] = (0.1 / (w0 * w0)) * 1.000001;
    image[100 * 384 + 60] = (0.1 / (w0 * w0)) * 0.999999;
    image[0 * 384 + 383] = 0.1 / (w0 * w0);
    const full = peaksOf(image, gaussianFilter(image, 384, 512, 3), 384, 512, 0);
    expect(full.map((p) => [p.x, p.y])).toEqual([
      [383, 0],
      [200, 300],
    ]);
    expect(sparsePeaks(arraySource(image, 384, 512), 0)).toEqual(full);
  });
});
