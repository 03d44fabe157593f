import { describe, expect, it } from "vitest";
import { createMask } from "../core/image";
import { CancelledError } from "../core/types";
import { growMask, squaredDistanceTransform } from "./morphology";

/** Deterministic pseudo-random numbers (mulberry32), so failures reproduce. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function bruteForce(features: Uint8Array, width: number, height: number): number[] {
  const out: number[] = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let best = Infinity;
      for (let j = 0; j < height; j++) {
        for (let i = 0; i < width; i++) {
          if (features[j * width + i]) best = Math.min(best, (x - i) ** 2 + (y - j) ** 2);
        }
      }
      out.push(best);
    }
  }
  return out;
}

describe("squaredDistanceTransform", () => {
  it("matches brute force on random sparse and dense feature sets", () => {
    const rand = random(7);
    for (const [width, height, density] of [
      [23, 17, 0.02],
      [31, 9, 0.3],
      [1, 12, 0.2],
      [12, 1, 0.2],
    ] as const) {
      const features = Uint8Array.from({ length: width * height }, () =>
        rand() < density ? 1 : 0,
      );
      features[5 % features.length] = 1;
      expect(Array.from(squaredDistanceTransform(features, width, height))).toEqual(
        bruteForce(features, width, height),
      );
    }
  });

  it("is Infinity everywhere without features", () => {
    expect(Array.from(squaredDistanceTransform(new Uint8Array(6), 3, 2))).toEqual(
      new Array(6).fill(Infinity),
    );
  });
});

describe("growMask", () => {
  it("grows a single pixel into the exact disc of radius r", () => {
    for (const r of [1, 2, 5, 12]) {
      const size = 2 * r + 7;
      const c = Math.floor(size / 2);
      const mask = createMask(size, size);
      mask.data[c * size + c] = 1;
      const out = growMask(mask, r);
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const inside = (x - c) ** 2 + (y - c) ** 2 <= r * r;
          expect(out.data[y * size + x], `r=${r} at ${x},${y}`).toBe(inside ? 1 : 0);
        }
      }
    }
  });

  it("shrinks a disc back to its centre (the dual operation)", () => {
    const size = 31;
    const c = 15;
    const disc = createMask(size, size);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++)
        disc.data[y * size + x] = (x - c) ** 2 + (y - c) ** 2 <= 100 ? 1 : 0;
    }
    const out = growMask(disc, -10);
    expect(out.data.reduce((a, b) => a + b, 0)).toBe(1);
    expect(out.data[c * size + c]).toBe(1);
    // Shrinking by 3 leaves exactly the pixels whose whole radius-3 disc was selected.
    const three = growMask(disc, -3);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        let all = true;
        for (let j = -3; j <= 3; j++) {
          for (let i = -3; i <= 3; i++) {
            const xx = x + i;
            const yy = y + j;
            if (i * i + j * j > 9 || xx < 0 || yy < 0 || xx >= size || yy >= size) continue;
            if (disc.data[yy * size + xx] < 0.5) all = false;
          }
        }
        expect(three.data[y * size + x]).toBe(all ? 1 : 0);
      }
    }
  });

  it("binarises at 0.5, leaves full and empty masks as they are, and treats 0 as a no-op", () => {
    const soft = createMask(3, 1, Float32Array.from([0.4, 0.5, 0.6]));
    expect(growMask(soft, 0)).toBe(soft);
    expect(
      Array.from(growMask(createMask(5, 1, Float32Array.from([0, 0, 0.6, 0, 0])), 1).data),
    ).toEqual([0, 1, 1, 1, 0]);
    expect(Array.from(growMask(createMask(4, 2, new Float32Array(8).fill(1)), -2).data)).toEqual(
      new Array(8).fill(1),
    );
    expect(Array.from(growMask(createMask(4, 2), 3).data)).toEqual(new Array(8).fill(0));
  });

  it("stops when the signal is aborted", () => {
    const controller = new AbortController();
    controller.abort();
    expect(() => growMask(createMask(4, 4), 2, controller.signal)).toThrow(CancelledError);
  });

  it("handles a large radius on a realistic mask quickly", () => {
    const width = 768;
    const height = 1024;
    const mask = createMask(width, height);
    for (let y = 400; y < 600; y++) mask.data.fill(1, y * width + 300, y * width + 500);
    const started = performance.now();
    const out = growMask(mask, 128);
    expect(performance.now() - started).toBeLessThan(2000);
    // A corner of the box grows into a quarter disc: 128 px diagonally away is outside.
    expect(out.data[(400 - 90) * width + (300 - 90)]).toBe(1);
    expect(out.data[(400 - 91) * width + (300 - 91)]).toBe(0);
    expect(out.data[(400 - 128) * width + 400]).toBe(1);
    expect(out.data[(400 - 129) * width + 400]).toBe(0);
  });
});
