import { describe, expect, it } from "vitest";
import { createImage } from "../core/image";
import { CancelledError } from "../core/types";
import {
  PIL_PRECISION_BITS,
  pilCoefficients,
  pilFixedPoint,
  pilResampleU8,
  pilResizeRgba,
  premultiply,
  unpremultiply,
} from "./pil-resample";

const ONE = 2 ** PIL_PRECISION_BITS; // 4194304

/** Lanczos-3 from its definition: sinc(x) · sinc(x / 3) on [-3, 3). */
function lanczos(x: number): number {
  const sinc = (t: number) => (t === 0 ? 1 : Math.sin(Math.PI * t) / (Math.PI * t));
  return x >= -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0;
}

/** The weights of one output pixel: its window and fixed-point weights. */
function output(c: ReturnType<typeof pilCoefficients>, i: number) {
  const fixed = pilFixedPoint(c.weights);
  const from = i * c.ksize;
  return {
    start: c.start[i],
    count: c.count[i],
    weights: Array.from(c.weights.subarray(from, from + c.count[i])),
    fixed: Array.from(fixed.subarray(from, from + c.count[i])),
  };
}

describe("pilCoefficients (precompute_coeffs) and pilFixedPoint", () => {
  it("bilinear 2× downscale: a triangle twice as wide, cut at the border and renormalised", () => {
    // 4 → 2: scale 2, support 1 · 2 = 2. Output 0: centre 1, window trunc(−0.5) = 0 ..
    // trunc(3.5) = 3; taps at (x − 1 + 0.5) / 2 = −0.25, 0.25, 0.75 → 0.75, 0.75, 0.25, sum 1.75.
    const c = pilCoefficients(4, 2, "bilinear");
    expect(c.ksize).toBe(5);
    const first = output(c, 0);
    expect([first.start, first.count]).toEqual([0, 3]);
    first.weights.forEach((w, i) => expect(w).toBeCloseTo([3 / 7, 3 / 7, 1 / 7][i], 15));
    // 3/7 · 2²² = 1797558.86 → 1797559; 1/7 · 2²² = 599186.29 → 599186.
    expect(first.fixed).toEqual([1797559, 1797559, 599186]);
    // Output 1: centre 3, window trunc(1.5) = 1 .. min(trunc(5.5), 4) = 4: 1/7, 3/7, 3/7.
    const second = output(c, 1);
    expect([second.start, second.count]).toEqual([1, 3]);
    expect(second.fixed).toEqual([599186, 1797559, 1797559]);
  });

  it("Lanczos 3× downscale: the kernel widened to 9 pixels, weights lanczos(k / 3)", () => {
    // 9 → 3: scale 3, support 9. Output 1: centre 4.5, window 0 .. 9 (clipped from −4 .. 14),
    // taps at (x − 4.5 + 0.5) / 3 = (x − 4) / 3 for x = 0 .. 8.
    const c = pilCoefficients(9, 3, "lanczos");
    expect(c.ksize).toBe(19);
    const middle = output(c, 1);
    expect([middle.start, middle.count]).toEqual([0, 9]);
    const raw = Array.from({ length: 9 }, (_, x) => lanczos((x - 4) / 3));
    const sum = raw.reduce((a, b) => a + b, 0);
    middle.weights.forEach((w, i) => expect(w).toBeCloseTo(raw[i] / sum, 15));
    // Symmetric; the ±3/3 taps land on sinc(1) = 0; the outer ±4/3 taps are negative lobes,
    // rounded half away from zero.
    expect(middle.fixed).toEqual([
      -197912, 0, 516712, 1099748, 1357209, 1099748, 516712, 0, -197912,
    ]);
    // Rounded one by one, the fixed weights need not sum to exactly 2²².
    expect(middle.fixed.reduce((a, b) => a + b, 0)).toBe(ONE + 1);
  });

  it("Lanczos 2× downscale at the left border: the window clipped to the image, renormalised", () => {
    // 8 → 4: output 0 has centre 1, window trunc(1 − 6 + 0.5) = −4 → 0 .. trunc(7.5) = 7.
    const c = pilCoefficients(8, 4, "lanczos");
    const first = output(c, 0);
    expect([first.start, first.count]).toEqual([0, 7]);
    const raw = Array.from({ length: 7 }, (_, x) => lanczos((x - 0.5) / 2));
    const sum = raw.reduce((a, b) => a + b, 0);
    first.weights.forEach((w, i) => expect(w).toBeCloseTo(raw[i] / sum, 15));
    expect(first.fixed).toEqual([1978344, 1978344, 600549, -295331, -150679, 66728, 16350]);
  });

  it("upscale: the filter keeps its own width; edge outputs see a single pixel", () => {
    // 2 → 4 bilinear: scale 0.5, support 1. Centres 0.25, 0.75, 1.25, 1.75.
    const c = pilCoefficients(2, 4, "bilinear");
    expect([0, 1, 2, 3].map((i) => output(c, i))).toEqual([
      // window trunc(−0.25) = 0 .. trunc(1.75) = 1: one tap, weight 1 after normalising.
      { start: 0, count: 1, weights: [1], fixed: [ONE] },
      // taps at −0.25, 0.75 → 0.75, 0.25.
      { start: 0, count: 2, weights: [0.75, 0.25], fixed: [0.75 * ONE, 0.25 * ONE] },
      { start: 0, count: 2, weights: [0.25, 0.75], fixed: [0.25 * ONE, 0.75 * ONE] },
      // window trunc(1.25) = 1 .. min(trunc(3.25), 2) = 2.
      { start: 1, count: 1, weights: [1], fixed: [ONE] },
    ]);
  });
});

describe("pilResampleU8", () => {
  it("rounds each pass's fixed-point sum half up", () => {
    // Bilinear 2 → 4 of [0, 2]: 2 · 0.25 = 0.5 → 1 and 2 · 0.75 = 1.5 → 2 (sum + 2²¹, >> 22).
    expect(Array.from(pilResampleU8(new Uint8Array([0, 2]), 2, 1, 1, 4, 1, "bilinear"))).toEqual([
      0, 1, 2, 2,
    ]);
    // And of [0, 200]: 50 and 150 exactly.
    expect(Array.from(pilResampleU8(new Uint8Array([0, 200]), 2, 1, 1, 4, 1, "bilinear"))).toEqual([
      0, 50, 150, 200,
    ]);
  });

  it("clips Lanczos overshoot to 0 and 255", () => {
    // A hard step upscaled: the ringing goes below 0 and above 255 before the clip.
    const step = new Uint8Array([0, 0, 0, 255, 255, 255]);
    const out = pilResampleU8(step, 6, 1, 1, 24, 1, "lanczos");
    const c = pilCoefficients(6, 24, "lanczos");
    const exact = Array.from({ length: 24 }, (_, i) => {
      let s = 0;
      for (let x = 0; x < c.count[i]; x++) s += step[c.start[i] + x] * c.weights[i * c.ksize + x];
      return s;
    });
    expect(exact.some((v) => v < -0.5)).toBe(true);
    expect(exact.some((v) => v > 255.5)).toBe(true);
    exact.forEach((v, i) => {
      if (v < -0.5) expect(out[i]).toBe(0);
      if (v > 255.5) expect(out[i]).toBe(255);
    });
  });

  it("runs horizontally, rounds to 8 bits, then vertically (a box 3 → 1 worked by hand)", () => {
    // Box 3 → 1: each tap 1/3 → 1398101 (2²² / 3 = 1398101.33). One bright pixel v in the middle
    // of a 3 × 3 block: the middle row's horizontal pass gives h = (2²¹ + v · 1398101) >> 22, the
    // other rows 0; then the vertical pass (2²¹ + h · 1398101) >> 22.
    // v = 255: h = 85 (85.4999…, just under the half), then 28. v = 200: 67, then 22.
    // v = 100: 33, then 11 (11.4999…). v = 50: 17, then 6.
    const block = (v: number) => new Uint8Array([0, 0, 0, 0, v, 0, 0, 0, 0]);
    const run = (v: number) => pilResampleU8(block(v), 3, 3, 1, 1, 1, "box")[0];
    expect([run(255), run(200), run(100), run(50)]).toEqual([28, 22, 11, 6]);
  });

  it("skips a pass whose size is unchanged", () => {
    // 3 × 1 → 3 × 2: only the vertical pass, each output row a copy of the one input row.
    const row = new Uint8Array([10, 20, 30]);
    expect(Array.from(pilResampleU8(row, 3, 1, 1, 3, 2, "lanczos"))).toEqual([
      10, 20, 30, 10, 20, 30,
    ]);
  });

  it("stops when cancelled", () => {
    const controller = new AbortController();
    controller.abort();
    expect(() =>
      pilResampleU8(new Uint8Array(16), 4, 4, 1, 2, 2, "lanczos", controller.signal),
    ).toThrow(CancelledError);
  });
});

describe("premultiply and unpremultiply (Convert.c rgbA2rgba, rgba2rgbA)", () => {
  it("multiplies with MULDIV255's rounding and divides with integer truncation", () => {
    // 200 · 128 / 255 = 100.39 → 100; 255 · 128 / 255 = 128; colour under alpha 0 becomes 0.
    expect(Array.from(premultiply(new Uint8Array([200, 255, 7, 128, 9, 9, 9, 0])))).toEqual([
      100, 128, 4, 128, 0, 0, 0, 0,
    ]);
    // 255 · 100 / 128 = 199.2 → 199; 255 · 130 / 128 = 258 → clipped to 255; alpha 0 and 255
    // keep their colour as stored.
    expect(
      Array.from(unpremultiply(new Uint8Array([100, 130, 4, 128, 9, 9, 9, 0, 1, 2, 3, 255]))),
    ).toEqual([199, 255, 7, 128, 9, 9, 9, 0, 1, 2, 3, 255]);
  });
});

describe("pilResizeRgba", () => {
  it("lends no colour from transparent pixels: one opaque pixel in a transparent block", () => {
    // Transparent neighbours store bright green; premultiplied they are all zero. The opaque
    // centre (200, 100, 50) box-resized 3 × 3 → 1 × 1 goes through the two passes as above:
    // R 200 → 67 → 22, G 100 → 33 → 11, B 50 → 17 → 6, A 255 → 85 → 28; un-premultiplied
    // 255 · 22 / 28 = 200.4 → 200, 255 · 11 / 28 = 100.2 → 100, 255 · 6 / 28 = 54.6 → 54.
    const image = createImage(3, 3);
    for (let i = 0; i < 9; i++)
      image.data.set(i === 4 ? [200, 100, 50, 255] : [0, 255, 0, 0], i * 4);
    const out = pilResizeRgba(image, 1, 1, "box");
    expect(Array.from(out.data)).toEqual([200, 100, 54, 28]);
  });

  it("copies an image resized to its own size, with no premultiply round trip", () => {
    const half = createImage(1, 1, new Uint8ClampedArray([200, 100, 50, 128]));
    expect(Array.from(pilResizeRgba(half, 1, 1).data)).toEqual([200, 100, 50, 128]);
    // Any real resize goes through RGBa: 200 → 100 → 255 · 100 / 128 = 199.2 → 199;
    // 100 → 50 → 99.6 → 99; 50 → 25 → 49.8 → 49.
    const up = pilResizeRgba(half, 2, 2, "bilinear");
    expect(Array.from(up.data.subarray(0, 4))).toEqual([199, 99, 49, 128]);
  });
});
