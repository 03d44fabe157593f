import { describe, expect, it } from "vitest";
import {
  alphasCumprod,
  DdpmScheduler,
  leadingTimesteps,
  MIN_VARIANCE,
  SD15_INPAINTING_SCHEDULER,
  SDXL_POSE_TRANSFER_SCHEDULER,
} from "./scheduler";

/** ᾱ from leffa.md §2.5 in plain double precision: β_t = linspace(√0.00085, √0.012)², ᾱ = Π(1 − β). */
function referenceAlphaBar(): number[] {
  const a = Math.sqrt(0.00085);
  const b = Math.sqrt(0.012);
  const out: number[] = [];
  let running = 1;
  for (let t = 0; t < 1000; t++) {
    const root = a + ((b - a) * t) / 999;
    running *= 1 - root * root;
    out.push(running);
  }
  return out;
}

describe("leading timesteps", () => {
  it("gives 958, 925, …, 34, 1 for 30 steps (ratio 33, offset 1)", () => {
    const ts = leadingTimesteps(30, SD15_INPAINTING_SCHEDULER);
    expect(ts).toHaveLength(30);
    expect(ts.slice(0, 3)).toEqual([958, 925, 892]);
    expect(ts.slice(-2)).toEqual([34, 1]);
    expect(ts.every((t, i) => i === 0 || ts[i - 1] - t === 33)).toBe(true);
  });

  it("gives 981, 961, …, 21, 1 for 50 steps (ratio 20)", () => {
    const ts = leadingTimesteps(50, SD15_INPAINTING_SCHEDULER);
    expect(ts).toHaveLength(50);
    expect(ts.slice(0, 2)).toEqual([981, 961]);
    expect(ts.slice(-2)).toEqual([21, 1]);
  });

  it("puts ref acceleration at timesteps[steps // 2] (463 for 30 steps)", () => {
    expect(new DdpmScheduler(30).accelerationTimestep).toBe(463);
    expect(new DdpmScheduler(1).accelerationTimestep).toBe(1);
  });

  it("refuses impossible step counts", () => {
    expect(() => leadingTimesteps(0, SD15_INPAINTING_SCHEDULER)).toThrow(/1 to 1000/);
    expect(() => leadingTimesteps(2.5, SD15_INPAINTING_SCHEDULER)).toThrow();
  });
});

describe("ᾱ table", () => {
  const ours = alphasCumprod(SD15_INPAINTING_SCHEDULER);
  const reference = referenceAlphaBar();

  it("matches the scaled_linear formula (float32 rounding aside)", () => {
    for (const t of [0, 1, 33, 463, 925, 958, 999]) {
      expect(Math.abs(ours[t] - reference[t]) / reference[t]).toBeLessThan(2e-5);
    }
    // SD1.5's well-known ends: ᾱ_0 = 1 − 0.00085, ᾱ_999 ≈ 0.00466.
    expect(ours[0]).toBeCloseTo(0.99915, 6);
    expect(ours[999]).toBeCloseTo(0.00466, 5);
  });

  it("rescales to zero terminal SNR for pose transfer, keeping ᾱ_0", () => {
    const zero = alphasCumprod(SDXL_POSE_TRANSFER_SCHEDULER);
    expect(zero[999]).toBe(0);
    expect(zero[0]).toBeCloseTo(ours[0], 6);
    // √ᾱ is an affine map of the original √ᾱ: check one midpoint by hand.
    const s0 = Math.sqrt(reference[0]);
    const sT = Math.sqrt(reference[999]);
    const mid = ((Math.sqrt(reference[500]) - sT) * s0) / (s0 - sT);
    expect(Math.sqrt(zero[500])).toBeCloseTo(mid, 5);
    // The last step at t = 999 stays finite thanks to the floor.
    const c = new DdpmScheduler(1000, SDXL_POSE_TRANSFER_SCHEDULER).coefficients(999);
    expect(Number.isFinite(c.originalCoeff) && Number.isFinite(c.sampleCoeff)).toBe(true);
  });
});

describe("DDPM step", () => {
  const reference = referenceAlphaBar();

  /** leffa.md §2.5's step, written out for one value. */
  function handStep(t: number, prev: number, x: number, eps: number, z: number): number {
    const ab = reference[t];
    const abPrev = prev >= 0 ? reference[prev] : 1;
    const alpha = ab / abPrev;
    const beta = 1 - alpha;
    const x0 = (x - Math.sqrt(1 - ab) * eps) / Math.sqrt(ab);
    const mean =
      ((Math.sqrt(abPrev) * beta) / (1 - ab)) * x0 +
      ((Math.sqrt(alpha) * (1 - abPrev)) / (1 - ab)) * x;
    const variance = Math.max(((1 - abPrev) / (1 - ab)) * beta, 1e-20);
    return mean + Math.sqrt(variance) * z;
  }

  it("matches the hand formula at the first, a middle and the last timestep", () => {
    const scheduler = new DdpmScheduler(30);
    const x = Float32Array.from([0.5, -1.2, 2.0]);
    const eps = Float32Array.from([0.2, -0.7, 1.1]);
    const z = Float32Array.from([1, -0.5, 0.25]);
    for (const [t, prev] of [
      [958, 925],
      [463, 430],
      [1, -32],
    ]) {
      const sample = Float32Array.from(x);
      scheduler.step(t, eps, sample, () => z);
      for (let i = 0; i < 3; i++) {
        expect(sample[i]).toBeCloseTo(handStep(t, prev, x[i], eps[i], z[i]), 4);
      }
    }
  });

  it("returns x̂0 at t = 1 up to the clamped variance", () => {
    const c = new DdpmScheduler(30).coefficients(1);
    expect(c.prevTimestep).toBe(-32);
    expect(c.originalCoeff).toBeCloseTo(1, 12);
    expect(c.sampleCoeff).toBe(0);
    expect(c.noiseStd).toBeCloseTo(Math.sqrt(MIN_VARIANCE), 20);
  });

  it("draws no noise at t = 0 and checks lengths", () => {
    const scheduler = new DdpmScheduler(1000);
    const sample = Float32Array.from([1]);
    scheduler.step(0, Float32Array.from([0]), sample, () => {
      throw new Error("noise drawn at t = 0");
    });
    expect(() => scheduler.step(5, new Float32Array(2), sample, () => new Float32Array(1))).toThrow(
      /ε has 2 values/,
    );
  });
});
