import { roundHalfEven } from "../opencv/resize";
import type { Peak } from "./peaks";

/**
 * The annotator's limb connections: for each of the 19 limbs, every pair of candidate end points
 * is scored by sampling the limb's two PAF channels at 10 points along the segment
 * (`np.linspace`, then Python's `int(round(·))`, half to even), projecting on the unit direction,
 * and adding a distance prior min(0.5 · H / length − 1, 0). A pair counts when more than 80 % of
 * the samples exceed 0.05 and the prior-weighted mean is positive; pairs are then taken by score,
 * best first (a stable sort), each end used once, until min(nA, nB) are taken.
 */

/** Limbs as (part A, part B), 1-based as the annotator writes them (OpenPose-18 + 1). */
export const LIMB_SEQ: readonly (readonly [number, number])[] = [
  [2, 3],
  [2, 6],
  [3, 4],
  [4, 5],
  [6, 7],
  [7, 8],
  [2, 9],
  [9, 10],
  [10, 11],
  [2, 12],
  [12, 13],
  [13, 14],
  [2, 1],
  [1, 15],
  [15, 17],
  [1, 16],
  [16, 18],
  [3, 17],
  [6, 18],
];

/** Each limb's PAF channels (x, y) + 19, as the annotator writes them. */
export const MAP_IDX: readonly (readonly [number, number])[] = [
  [31, 32],
  [39, 40],
  [33, 34],
  [35, 36],
  [41, 42],
  [43, 44],
  [19, 20],
  [21, 22],
  [23, 24],
  [25, 26],
  [27, 28],
  [29, 30],
  [47, 48],
  [49, 50],
  [53, 54],
  [51, 52],
  [55, 56],
  [37, 38],
  [45, 46],
];

export const MID_SAMPLES = 10;
export const PAF_THRESHOLD = 0.05;

export interface Connection {
  /** Peak ids of the two ends. */
  readonly idA: number;
  readonly idB: number;
  /** The prior-weighted mean PAF score. */
  readonly score: number;
  /** Indices of the ends among the limb's candidates. */
  readonly i: number;
  readonly j: number;
}

/** `np.linspace(start, stop, num)`: k · step + start, the last one exactly `stop`. */
export function linspace(start: number, stop: number, num: number): number[] {
  const div = num - 1;
  const delta = stop - start;
  const step = delta / div;
  const out: number[] = [];
  for (let k = 0; k < num; k++) out.push(step === 0 ? (k / div) * delta + start : k * step + start);
  out[num - 1] = stop;
  return out;
}

/**
 * The score of the segment A → B, or undefined when the annotator rejects it. `paf(c, x, y)`
 * reads PAF channel c (0..37) at pixel (x, y); `imageHeight` is the photo's height.
 */
export function pairScore(
  a: Peak,
  b: Peak,
  channels: readonly [number, number],
  paf: (channel: number, x: number, y: number) => number,
  imageHeight: number,
): number | undefined {
  const vx = b.x - a.x;
  const vy = b.y - a.y;
  const norm = Math.max(0.001, Math.sqrt(vx * vx + vy * vy));
  const ux = vx / norm;
  const uy = vy / norm;
  const xs = linspace(a.x, b.x, MID_SAMPLES);
  const ys = linspace(a.y, b.y, MID_SAMPLES);
  let sum = 0;
  let above = 0;
  for (let k = 0; k < MID_SAMPLES; k++) {
    const x = roundHalfEven(xs[k]);
    const y = roundHalfEven(ys[k]);
    const s = paf(channels[0], x, y) * ux + paf(channels[1], x, y) * uy;
    sum += s;
    if (s > PAF_THRESHOLD) above++;
  }
  const score = sum / MID_SAMPLES + Math.min((0.5 * imageHeight) / norm - 1, 0);
  return above > 0.8 * MID_SAMPLES && score > 0 ? score : undefined;
}

/** One limb's connections, or undefined when one of its parts has no candidate ("special_k"). */
export function limbConnections(
  candA: readonly Peak[],
  candB: readonly Peak[],
  limb: number,
  paf: (channel: number, x: number, y: number) => number,
  imageHeight: number,
): Connection[] | undefined {
  if (candA.length === 0 || candB.length === 0) return undefined;
  const [cx, cy] = MAP_IDX[limb];
  const channels = [cx - 19, cy - 19] as const;
  const candidates: { i: number; j: number; score: number }[] = [];
  for (let i = 0; i < candA.length; i++) {
    for (let j = 0; j < candB.length; j++) {
      const score = pairScore(candA[i], candB[j], channels, paf, imageHeight);
      if (score !== undefined) candidates.push({ i, j, score });
    }
  }
  // Python's sorted(…, reverse=True) is stable: equal scores keep their order.
  candidates.sort((p, q) => (q.score > p.score ? 1 : q.score < p.score ? -1 : 0));
  const connections: Connection[] = [];
  const usedA = new Set<number>();
  const usedB = new Set<number>();
  for (const { i, j, score } of candidates) {
    if (usedA.has(i) || usedB.has(j)) continue;
    connections.push({ idA: candA[i].id, idB: candB[j].id, score, i, j });
    usedA.add(i);
    usedB.add(j);
    if (connections.length >= Math.min(candA.length, candB.length)) break;
  }
  return connections;
}
