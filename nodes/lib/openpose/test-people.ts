import { LIMB_SEQ, MAP_IDX } from "./connections";
import type { BodyMaps } from "./body";
import { arraySource } from "./peaks";

/**
 * For tests and the benchmark: heatmaps and PAFs drawn for people whose parts are known, the way
 * OpenPose was trained to output them: each present part a Gaussian blob (peak `strength`, σ 5
 * pixels), each limb with both ends present a band 4 pixels either side of the segment holding
 * its unit direction × `pafStrength` in the limb's two PAF channels.
 */

export type TestPart = readonly [number, number] | null;

export interface TestPerson {
  /** 18 OpenPose parts in pixels; null = absent. */
  readonly parts: readonly TestPart[];
  readonly strength?: number;
  /** Per limb index (0..18), the PAF strength; 1 when not given. */
  readonly pafStrength?: Readonly<Record<number, number>>;
}

export interface TestMaps extends BodyMaps {
  readonly heatmaps: Float32Array;
  readonly pafs: Float32Array;
  /** Part p's heatmap values. */
  plane(part: number): Float32Array;
}

export function drawPeople(width: number, height: number, people: readonly TestPerson[]): TestMaps {
  const plane = width * height;
  const heatmaps = new Float32Array(19 * plane);
  const pafs = new Float32Array(38 * plane);
  for (const person of people) {
    const strength = person.strength ?? 1;
    person.parts.forEach((part, p) => {
      if (!part) return;
      const [px, py] = part;
      for (let y = Math.max(0, Math.floor(py - 20)); y < Math.min(height, py + 20); y++) {
        for (let x = Math.max(0, Math.floor(px - 20)); x < Math.min(width, px + 20); x++) {
          const v = strength * Math.exp(-((x - px) ** 2 + (y - py) ** 2) / (2 * 25));
          const i = p * plane + y * width + x;
          heatmaps[i] = Math.max(heatmaps[i], v);
        }
      }
    });
    LIMB_SEQ.forEach(([a, b], k) => {
      const from = person.parts[a - 1];
      const to = person.parts[b - 1];
      if (!from || !to) return;
      const s = person.pafStrength?.[k] ?? 1;
      const dx = to[0] - from[0];
      const dy = to[1] - from[1];
      const length = Math.hypot(dx, dy);
      if (length === 0) return;
      const ux = dx / length;
      const uy = dy / length;
      const [cx, cy] = MAP_IDX[k].map((c) => c - 19);
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const along = (x - from[0]) * ux + (y - from[1]) * uy;
          const across = Math.abs(-(x - from[0]) * uy + (y - from[1]) * ux);
          if (along < -2 || along > length + 2 || across > 4) continue;
          pafs[cx * plane + y * width + x] = s * ux;
          pafs[cy * plane + y * width + x] = s * uy;
        }
      }
    });
  }
  return {
    width,
    height,
    heatmaps,
    pafs,
    heatmap: (part) =>
      arraySource(heatmaps.subarray(part * plane, (part + 1) * plane), width, height),
    plane: (part) => heatmaps.subarray(part * plane, (part + 1) * plane),
    paf: (c, x, y) => pafs[c * plane + y * width + x],
  };
}

/** A standing person facing the camera, its neck at (cx, top + 60), about 330 pixels tall. */
export function standingPerson(cx: number, top: number): TestPart[] {
  const at = (dx: number, dy: number): TestPart => [Math.round(cx + dx), Math.round(top + dy)];
  return [
    at(0, 20), // 0 nose
    at(0, 60), // 1 neck
    at(-40, 62), // 2 R shoulder
    at(-52, 120), // 3 R elbow
    at(-58, 175), // 4 R wrist
    at(40, 62), // 5 L shoulder
    at(52, 120), // 6 L elbow
    at(58, 175), // 7 L wrist
    at(-22, 180), // 8 R hip
    at(-24, 255), // 9 R knee
    at(-25, 330), // 10 R ankle
    at(22, 180), // 11 L hip
    at(24, 255), // 12 L knee
    at(25, 330), // 13 L ankle
    at(-8, 12), // 14 R eye
    at(8, 12), // 15 L eye
    at(-18, 18), // 16 R ear
    at(18, 18), // 17 L ear
  ];
}

/**
 * What the network would output for these people on Leffa's 384×512 person: stride-8 maps on the
 * 18×23 grid of the 144×184 padded input (the person scaled by 0.5 · 368 / 512), each part a blob
 * of σ 0.8 cells, each limb's PAF the unit direction within one cell of the segment.
 */
export function networkMaps(people: readonly TestPerson[]): {
  heatmaps: { data: Float32Array; channels: number; width: number; height: number };
  pafs: { data: Float32Array; channels: number; width: number; height: number };
} {
  const w = 18;
  const h = 23;
  const plane = w * h;
  const toGrid = ([x, y]: readonly [number, number]): [number, number] => [
    (x * (138 / 384)) / 8 - 0.5,
    (y * (184 / 512)) / 8 - 0.5,
  ];
  const heat = new Float32Array(19 * plane);
  const paf = new Float32Array(38 * plane);
  for (const person of people) {
    person.parts.forEach((part, p) => {
      if (!part) return;
      const [u, v] = toGrid(part);
      for (let j = 0; j < h; j++) {
        for (let i = 0; i < w; i++) {
          const value = (person.strength ?? 1) * Math.exp(-((i - u) ** 2 + (j - v) ** 2) / 1.28);
          heat[p * plane + j * w + i] = Math.max(heat[p * plane + j * w + i], value);
        }
      }
    });
    LIMB_SEQ.forEach(([a, b], k) => {
      const from = person.parts[a - 1];
      const to = person.parts[b - 1];
      if (!from || !to) return;
      const [ax, ay] = toGrid(from);
      const [bx, by] = toGrid(to);
      const length = Math.hypot(bx - ax, by - ay);
      const ux = (bx - ax) / length;
      const uy = (by - ay) / length;
      const [cx, cy] = MAP_IDX[k].map((c) => c - 19);
      const s = person.pafStrength?.[k] ?? 1;
      for (let j = 0; j < h; j++) {
        for (let i = 0; i < w; i++) {
          const along = (i - ax) * ux + (j - ay) * uy;
          const across = Math.abs(-(i - ax) * uy + (j - ay) * ux);
          if (along < -0.5 || along > length + 0.5 || across > 1) continue;
          paf[cx * plane + j * w + i] = s * ux;
          paf[cy * plane + j * w + i] = s * uy;
        }
      }
    });
  }
  for (let i = 0; i < plane; i++) {
    let most = 0;
    for (let p = 0; p < 18; p++) most = Math.max(most, heat[p * plane + i]);
    heat[18 * plane + i] = 1 - most;
  }
  return {
    heatmaps: { data: heat, channels: 19, width: w, height: h },
    pafs: { data: paf, channels: 38, width: w, height: h },
  };
}
