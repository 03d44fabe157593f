import { describe, expect, it } from "vitest";
import { createImage } from "../../core/image";
import { solidImage } from "../composite";
import type { FlowLayer, FlowStep } from "../../core/flow";
import { lookAt, renderHeat, tokenAt } from "./look-at";
import { bilinearAxis } from "./upsample-flow";

/** A 2×2 grid, K = 2; only token 1 has interesting values. */
function step(
  timestep: number,
  top: [number, number],
  weights: [number, number],
  flow: [number, number],
  confidence: number,
): FlowStep {
  const topIndices = new Int32Array(8);
  const topWeights = new Float32Array(8);
  topIndices.set(top, 2);
  topWeights.set(weights, 2);
  const f = new Float32Array(8);
  f.set(flow, 2);
  const c = new Float32Array(4);
  c[1] = confidence;
  return { timestep, flow: f, confidence: c, topIndices, topWeights };
}

const layer: FlowLayer = {
  name: "up_blocks.3.attentions.0",
  index: 13,
  gridWidth: 2,
  gridHeight: 2,
  topK: 2,
  temperature: 2,
  steps: [
    step(400, [2, 0], [0.6, 0.3], [0.5, -1], 0.8),
    step(200, [2, 3], [0.5, 0.4], [1, 0], 0.4),
  ],
};
const sizes = { width: 4, height: 4, referenceWidth: 5, referenceHeight: 3 };

describe("tokenAt", () => {
  it("finds the token covering a pixel", () => {
    expect(tokenAt(3, 0, 4, 4, 2, 2)).toEqual({ token: 1, column: 1, row: 0 });
    expect(tokenAt(1, 2, 4, 4, 2, 2)).toEqual({ token: 2, column: 0, row: 1 });
    expect(tokenAt(1.9, 2.2, 4, 4, 2, 2).token).toBe(2);
  });

  it("agrees with the token that dominates the align_corners=False upsample", () => {
    for (const [grid, size] of [
      [3, 8],
      [5, 7],
      [4, 13],
    ]) {
      const axis = bilinearAxis(grid, size);
      for (let x = 0; x < size; x++) {
        const dominant = axis.fraction[x] < 0.5 ? axis.lower[x] : axis.upper[x];
        expect(tokenAt(x, 0, size, 1, grid, 1).column).toBe(dominant);
      }
    }
  });

  it("rejects pixels outside the image", () => {
    expect(() => tokenAt(4, 0, 4, 4, 2, 2)).toThrow(/outside the 4×4/);
  });
});

describe("lookAt", () => {
  it("scatters one step's top-K weights and converts its flow to reference pixels", () => {
    const at = lookAt(sizes, layer, 0, 3, 1);
    expect(at.token).toBe(1);
    expect(Array.from(at.heat)).toEqual([0.3, 0, 0.6, 0].map((v) => expect.closeTo(v, 6)));
    expect(at.flow).toEqual({ x: 0.5, y: -1 });
    // x: (0.5 + 1) / 2 · 4 = 3; y: 0 · 2 = 0.
    expect(at.point).toEqual({ x: 3, y: 0 });
    expect(at.confidence).toBeCloseTo(0.8, 6);
  });

  it("averages heat, flow and confidence over steps for 'mean'", () => {
    const at = lookAt(sizes, layer, "mean", 2, 0);
    expect(Array.from(at.heat)).toEqual([0.15, 0, 0.55, 0.2].map((v) => expect.closeTo(v, 6)));
    expect(at.flow.x).toBeCloseTo(0.75, 6);
    expect(at.flow.y).toBeCloseTo(-0.5, 6);
    expect(at.point.x).toBeCloseTo(3.5, 6);
    expect(at.point.y).toBeCloseTo(0.5, 6);
    expect(at.confidence).toBeCloseTo(0.6, 6);
  });

  it("rejects a missing step and out-of-range indices", () => {
    expect(() => lookAt(sizes, layer, 2, 0, 0)).toThrow(/has 2 steps, no step 2/);
    const bad = { ...layer, steps: [step(100, [9, 0], [1, 0], [0, 0], 1)] };
    expect(() => lookAt(sizes, bad, 0, 3, 0)).toThrow(/reference token 9 out of range/);
  });
});

describe("renderHeat", () => {
  const garment = solidImage(4, 1, [0, 0, 0, 255]);

  it("blends the upsampled, max-normalised heat in orange", () => {
    // Heat on token 0 of a 2×1 grid upsamples to 1, 0.75, 0.25, 0 across 4 pixels.
    const out = renderHeat(garment, Float32Array.from([2, 0]), 2, 1);
    const red = (x: number) => out.data[x * 4];
    expect(red(0)).toBe(Math.round(0.85 * 255));
    expect(red(1)).toBe(Math.round(0.85 * 0.75 * 255));
    expect(Array.from(out.data.subarray(12, 16))).toEqual([0, 0, 0, 255]);
    expect(out.data[3]).toBe(255);
  });

  it("returns the garment unchanged when there is no heat", () => {
    const garmentPattern = createImage(2, 1, Uint8ClampedArray.from([1, 2, 3, 255, 4, 5, 6, 255]));
    expect(Array.from(renderHeat(garmentPattern, new Float32Array(2), 2, 1).data)).toEqual(
      Array.from(garmentPattern.data),
    );
  });

  it("rejects heat of the wrong length", () => {
    expect(() => renderHeat(garment, new Float32Array(3), 2, 1)).toThrow(/expected 2×1×1/);
  });
});
