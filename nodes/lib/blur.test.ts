import { describe, expect, it } from "vitest";
import { createMask } from "../core/image";
import { CancelledError } from "../core/types";
import { BOX_ABOVE_SIGMA, blurMask, gaussianBlur } from "./blur";

function impulse(size: number): Float32Array {
  const data = new Float32Array(size * size);
  data[(size >> 1) * size + (size >> 1)] = 1;
  return data;
}

function moments(data: Float32Array, size: number): { mass: number; varX: number; varY: number } {
  let mass = 0;
  let mx = 0;
  let my = 0;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const v = data[y * size + x];
      mass += v;
      mx += v * x;
      my += v * y;
    }
  }
  mx /= mass;
  my /= mass;
  let varX = 0;
  let varY = 0;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const v = data[y * size + x];
      varX += v * (x - mx) ** 2;
      varY += v * (y - my) ** 2;
    }
  }
  return { mass, varX: varX / mass, varY: varY / mass };
}

describe("gaussianBlur", () => {
  it.each([0.5, 2, 5, BOX_ABOVE_SIGMA, 12, 30])(
    "conserves mass and spreads an impulse with variance sigma² (sigma %s)",
    (sigma) => {
      const size = 2 * Math.ceil(5 * sigma) + 21;
      const m = moments(gaussianBlur(impulse(size), size, size, sigma), size);
      expect(m.mass).toBeCloseTo(1, 5);
      // The sampled kernel is a discrete Gaussian; the box cascade matches sigma² exactly.
      const tolerance = sigma > BOX_ABOVE_SIGMA ? 1e-3 : 0.02;
      expect(Math.abs(m.varX / sigma ** 2 - 1)).toBeLessThan(tolerance + 0.1 / sigma ** 2);
      expect(Math.abs(m.varY / sigma ** 2 - 1)).toBeLessThan(tolerance + 0.1 / sigma ** 2);
    },
  );

  it("keeps a constant plane constant, edges included", () => {
    const out = gaussianBlur(new Float32Array(40 * 9).fill(0.7), 40, 9, 20);
    for (const v of out) expect(v).toBeCloseTo(0.7, 5);
  });

  it("is symmetric and peaked at the impulse", () => {
    const size = 41;
    const out = gaussianBlur(impulse(size), size, size, 3);
    const at = (x: number, y: number) => out[y * size + x];
    expect(at(20, 20)).toBeGreaterThan(at(21, 20));
    expect(at(17, 20)).toBeCloseTo(at(23, 20), 6);
    expect(at(20, 15)).toBeCloseTo(at(15, 20), 6);
  });

  it("returns a copy for sigma 0 and honours the abort signal", () => {
    const data = Float32Array.from([1, 2, 3]);
    const out = gaussianBlur(data, 3, 1, 0);
    expect(out).toEqual(data);
    expect(out).not.toBe(data);
    const controller = new AbortController();
    controller.abort();
    expect(() => gaussianBlur(data, 3, 1, 2, controller.signal)).toThrow(CancelledError);
  });

  it("blurs a 768×1024 mask with sigma 128 in linear time", () => {
    const mask = createMask(768, 1024);
    mask.data.fill(1, 500 * 768, 520 * 768);
    const started = performance.now();
    const out = blurMask(mask, 128);
    expect(performance.now() - started).toBeLessThan(3000);
    expect(out.data.reduce((a, b) => a + b, 0)).toBeCloseTo(20 * 768, 0);
  });
});
