import { describe, expect, it } from "vitest";
import { dilateRect, effectiveWindow, erodeRect } from "./morph-rect";

/** OpenCV's definition, applied literally: `iterations` passes of a k×k max/min filter. */
function naive(
  src: Uint8Array,
  width: number,
  height: number,
  k: number,
  iterations: number,
  dilate: boolean,
): Uint8Array {
  let cur = Uint8Array.from(src, (v) => (v ? 1 : 0));
  const anchor = Math.floor(k / 2);
  for (let it = 0; it < iterations; it++) {
    const next = new Uint8Array(cur.length);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let any = false;
        let all = true;
        for (let j = 0; j < k; j++) {
          for (let i = 0; i < k; i++) {
            const sx = x + i - anchor;
            const sy = y + j - anchor;
            // The default border never dilates in nor erodes away: skip outside samples.
            if (sx < 0 || sy < 0 || sx >= width || sy >= height) continue;
            if (cur[sy * width + sx]) any = true;
            else all = false;
          }
        }
        next[y * width + x] = (dilate ? any : all) ? 1 : 0;
      }
    }
    cur = next;
  }
  return cur;
}

function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function bbox(mask: Uint8Array, width: number): [number, number, number, number] {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -1;
  let y1 = -1;
  mask.forEach((v, i) => {
    if (!v) return;
    const x = i % width;
    const y = Math.floor(i / width);
    x0 = Math.min(x0, x);
    y0 = Math.min(y0, y);
    x1 = Math.max(x1, x);
    y1 = Math.max(y1, y);
  });
  return [x0, y0, x1, y1];
}

describe("effectiveWindow", () => {
  it("collapses n iterations the way OpenCV does", () => {
    expect(effectiveWindow(10, 5)).toEqual({ size: 46, anchor: 25 });
    expect(effectiveWindow(5, 4)).toEqual({ size: 17, anchor: 8 });
    expect(effectiveWindow(5, 1)).toEqual({ size: 5, anchor: 2 });
  });
});

describe("dilateRect", () => {
  it("spreads one pixel 20 px left/up and 25 px right/down with 10×10 ×5 (even-kernel anchor)", () => {
    const width = 200;
    const height = 150;
    const src = new Uint8Array(width * height);
    src[100 * width + 100] = 1;
    const out = dilateRect(src, width, height, { width: 10, height: 10, iterations: 5 });
    expect(bbox(out, width)).toEqual([80, 80, 125, 125]);
    expect(out.reduce((a, b) => a + b, 0)).toBe(46 * 46);
  });

  it("is symmetric for odd kernels: 5×5 ×4 reaches 8 px each way", () => {
    const width = 40;
    const src = new Uint8Array(width * width);
    src[20 * width + 20] = 255;
    const out = dilateRect(src, width, width, { width: 5, height: 5, iterations: 4 });
    expect(bbox(out, width)).toEqual([12, 12, 28, 28]);
  });

  it("clips at the image border", () => {
    const src = new Uint8Array(30 * 30);
    src[0] = 1;
    const out = dilateRect(src, 30, 30, { width: 10, height: 10, iterations: 5 });
    expect(bbox(out, 30)).toEqual([0, 0, 25, 25]);
  });

  it.each([
    [10, 5],
    [5, 1],
    [5, 4],
    [4, 3],
    [3, 2],
  ])("matches iterated %i×%i filtering on random masks", (k, iterations) => {
    // 36 px rows take the packed (4 pixels a word) column pass, 37 px rows the byte one.
    for (const width of [36, 37]) {
      const height = 29;
      const rnd = random(k * 100 + iterations);
      const src = Uint8Array.from({ length: width * height }, () => (rnd() < 0.03 ? 1 : 0));
      const kernel = { width: k, height: k, iterations };
      expect(dilateRect(src, width, height, kernel)).toEqual(
        naive(src, width, height, k, iterations, true),
      );
    }
  });
});

describe("erodeRect", () => {
  it("shrinks a rectangle by 2 px with 5×5, but not where it touches the image border", () => {
    const width = 30;
    const height = 20;
    const src = new Uint8Array(width * height);
    for (let y = 0; y < 10; y++) for (let x = 10; x < 25; x++) src[y * width + x] = 1;
    const out = erodeRect(src, width, height, { width: 5, height: 5, iterations: 1 });
    expect(bbox(out, width)).toEqual([12, 0, 22, 7]);
  });

  it.each([
    [5, 1],
    [4, 2],
    [10, 2],
  ])("matches iterated %i×%i filtering on random masks", (k, iterations) => {
    for (const width of [40, 41]) {
      const height = 33;
      const rnd = random(k * 7 + iterations);
      const src = Uint8Array.from({ length: width * height }, () => (rnd() < 0.9 ? 1 : 0));
      const kernel = { width: k, height: k, iterations };
      expect(erodeRect(src, width, height, kernel)).toEqual(
        naive(src, width, height, k, iterations, false),
      );
    }
  });

  it("rejects a buffer of the wrong size", () => {
    expect(() =>
      erodeRect(new Uint8Array(5), 2, 2, { width: 3, height: 3, iterations: 1 }),
    ).toThrow(/expected 4 pixels/);
  });
});
