import type { Peak } from "./peaks";

/**
 * Leffa's `run_openpose.py` turns the annotator's output into 18 points with a loop over the first
 * person's `subset` row that edits the *whole* candidate list (every peak of every part) in place:
 * a missing part (−1) inserts [0, 0] at position i and shifts the later ids up by one; a part whose
 * id is not i pops position i — one element, however far the id is from i — and shifts the later
 * ids down by one. The first 18 entries are kept, ×384 and ×512 (after the detector divided by the
 * image's width and height). When a part's peak is not the only candidate before it, the entry
 * kept at that position can be another peak: that is what Leffa's masks were made with, so it is
 * reproduced, not corrected.
 */

export const LEFFA_WIDTH = 384;
export const LEFFA_HEIGHT = 512;

export class ReindexError extends Error {
  override readonly name = "ReindexError";
}

/** [x, y, confidence] per OpenPose-18 part; missing parts are [0, 0, 0]. */
export type Point18 = [number, number, number];

/**
 * The 18 points run_openpose gives for the first person, from the annotator's candidates (peaks
 * in id order) and people (`subset` rows, best kept first as the annotator orders them). The
 * confidence is the kept peak's heatmap score (kept above 0 so a kept point never reads as
 * missing downstream); inserted points have 0. Undefined when nobody was assembled (Leffa's app
 * stops there with an IndexError).
 */
export function firstPersonAsLeffa(
  candidates: readonly Peak[],
  people: readonly Float64Array[],
  imageWidth: number,
  imageHeight: number,
): Point18[] | undefined {
  const first = people[0];
  if (!first) return undefined;
  const subset = Array.from(first.subarray(0, 18));
  const list: { x: number; y: number; score: number }[] = candidates.map((c) => ({
    x: c.x / imageWidth,
    y: c.y / imageHeight,
    score: c.score,
  }));
  for (let i = 0; i < 18; i++) {
    if (subset[i] === -1) {
      list.splice(i, 0, { x: 0, y: 0, score: 0 });
      for (let j = i; j < 18; j++) if (subset[j] !== -1) subset[j] += 1;
    } else if (subset[i] !== i) {
      if (i >= list.length) {
        throw new ReindexError(
          `run_openpose pops candidate ${i} of ${list.length} (Leffa's app fails on this person)`,
        );
      }
      list.splice(i, 1);
      for (let j = i; j < 18; j++) if (subset[j] !== -1) subset[j] -= 1;
    }
  }
  if (list.length < 18) {
    throw new ReindexError(
      `run_openpose keeps 18 candidates but only ${list.length} remain (Leffa's app fails on this person)`,
    );
  }
  return list.slice(0, 18).map(({ x, y, score }, i): Point18 => {
    const inserted = first[i] === -1;
    return [x * LEFFA_WIDTH, y * LEFFA_HEIGHT, inserted ? 0 : Math.max(score, Number.EPSILON)];
  });
}
