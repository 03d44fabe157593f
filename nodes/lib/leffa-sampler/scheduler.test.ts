import { describe, expect, it } from "vitest";
import {
  alphasCumprod,
  betas,
  DdpmScheduler,
  inferenceTimesteps as leadingTimesteps,
  inferenceTimesteps,
  MIN_VARIANCE,
  SD15_INPAINTING_SCHEDULER,
  SDXL_POSE_TRANSFER_SCHEDULER,
} from "./scheduler";
import type { SchedulerConfig } from "./scheduler-config";

const LEFFA = SD15_INPAINTING_SCHEDULER;
const withConfig = (changes: Partial<SchedulerConfig>): SchedulerConfig => ({
  ...LEFFA,
  ...changes,
});

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
    expect(c.prevTimestep).toBe(-1);
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

describe("timestep spacing (DDPMScheduler.set_timesteps)", () => {
  it("trailing: round(arange(1000, 0, −1000/steps)) − 1", () => {
    const trailing = withConfig({ timestepSpacing: "trailing" });
    // 1000/30 = 33.33…: 1000 − 1, 966.67 → 967 − 1, 933.33 → 933 − 1, …, 33.33 → 33 − 1.
    const ts = inferenceTimesteps(30, trailing);
    expect(ts).toHaveLength(30);
    expect(ts.slice(0, 3)).toEqual([999, 966, 932]);
    expect(ts.slice(-3)).toEqual([99, 66, 32]);
    // 1000/7 = 142.857…: 857.14 → 857 − 1, …, 142.86 → 143 − 1.
    expect(inferenceTimesteps(7, trailing)).toEqual([999, 856, 713, 570, 428, 285, 142]);
    // The offset is not used by trailing spacing.
    expect(inferenceTimesteps(3, { ...trailing, stepsOffset: 5 })).toEqual([999, 666, 332]);
  });

  it("linspace: round(linspace(0, 999, steps)), halves to even, reversed", () => {
    const linspace = withConfig({ timestepSpacing: "linspace" });
    // 999/2 = 499.5 rounds to the even 500 (numpy's round), not 499.
    expect(inferenceTimesteps(3, linspace)).toEqual([999, 500, 0]);
    // 999/6 = 166.5: 166.5 → 166, 333 → 333, 499.5 → 500, 666, 832.5 → 832, 999.
    expect(inferenceTimesteps(7, linspace)).toEqual([999, 832, 666, 500, 333, 166, 0]);
    expect(inferenceTimesteps(1, linspace)).toEqual([0]);
  });

  it("leading honours steps_offset 0 (DDPMScheduler's default)", () => {
    expect(inferenceTimesteps(4, withConfig({ stepsOffset: 0 }))).toEqual([750, 500, 250, 0]);
  });

  it("steps from one scheduled timestep to the next, −1 after the last", () => {
    const s = new DdpmScheduler(7, withConfig({ timestepSpacing: "trailing" }));
    expect(s.coefficients(999).prevTimestep).toBe(856);
    expect(s.coefficients(142).prevTimestep).toBe(-1);
  });
});

describe("beta schedules", () => {
  it("linear: torch.linspace(β_start, β_end) in float32", () => {
    const b = betas(withConfig({ betaSchedule: "linear", betaStart: 0.0001, betaEnd: 0.02 }));
    expect(b[0]).toBe(Math.fround(0.0001));
    expect(b[999]).toBe(Math.fround(0.02));
    expect(b[500]).toBeCloseTo(0.0001 + (0.0199 * 500) / 999, 7);
  });

  it("squaredcos_cap_v2: GLIDE's cosine ᾱ(t) = cos²((t + 0.008)/1.008 · π/2), β capped at 0.999", () => {
    const b = betas(withConfig({ betaSchedule: "squaredcos_cap_v2" }));
    const abar = (t: number) => Math.cos(((t + 0.008) / 1.008) * (Math.PI / 2)) ** 2;
    expect(b[0]).toBeCloseTo(1 - abar(0.001) / abar(0), 9);
    expect(b[999]).toBe(Math.fround(0.999));
  });

  it("given betas replace the schedule", () => {
    const given = Array.from({ length: 1000 }, (_, i) => 0.001 + i * 1e-5);
    const b = betas(withConfig({ trainedBetas: given }));
    expect(b[0]).toBe(Math.fround(0.001));
    expect(b[999]).toBe(Math.fround(0.001 + 999e-5));
  });
});

describe("DDPM step with clip_sample and other parameterisations, by hand", () => {
  // Four training steps with given betas keep ᾱ hand-computable: β = 0.1, 0.2, 0.3, 0.4 →
  // α = 0.9, 0.8, 0.7, 0.6 → ᾱ = 0.9, 0.72, 0.504, 0.3024 (float32 aside). Two inference steps,
  // leading, offset 0: timesteps [2, 0]; the step at t = 2 goes to t = 0.
  const tiny = withConfig({ trainSteps: 4, trainedBetas: [0.1, 0.2, 0.3, 0.4], stepsOffset: 0 });
  const x = Float32Array.from([0.5, -1.2, 2.0, 0.1]);
  const eps = Float32Array.from([-1.5, 0.3, 0.2, 2.0]);
  const z = Float32Array.from([1, -0.5, 0.25, 0]);

  /** DDPMScheduler.step at t = 2, prev 0, written out from the formulas for one value. */
  function hand(xi: number, mi: number, zi: number, x0: (ab: number) => number, clip?: number) {
    const ab = 0.9 * 0.8 * 0.7; // ᾱ_2
    const abPrev = 0.9; // ᾱ_0
    const alpha = ab / abPrev; // 0.56
    const beta = 1 - alpha;
    let original = x0(ab);
    if (clip !== undefined) original = Math.min(clip, Math.max(-clip, original));
    const mean =
      ((Math.sqrt(abPrev) * beta) / (1 - ab)) * original +
      ((Math.sqrt(alpha) * (1 - abPrev)) / (1 - ab)) * xi;
    const variance = ((1 - abPrev) / (1 - ab)) * beta;
    return { original, next: mean + Math.sqrt(variance) * zi };
  }

  it("builds the timesteps and ᾱ of the tiny schedule", () => {
    const s = new DdpmScheduler(2, tiny);
    expect(s.timesteps).toEqual([2, 0]);
    const ab = alphasCumprod(tiny);
    [0.9, 0.72, 0.504, 0.3024].forEach((v, i) => expect(ab[i]).toBeCloseTo(v, 6));
  });

  it("clips x̂0 where it leaves [−1, 1] (clip_sample) and matches the hand step", () => {
    for (const clip of [undefined, 1, 0.5]) {
      const s = new DdpmScheduler(2, {
        ...tiny,
        clipSample: clip !== undefined,
        clipSampleRange: clip ?? 1,
      });
      const sample = Float32Array.from(x);
      const originals = s.predictedOriginal(2, x, eps);
      s.step(2, eps, sample, () => z);
      for (let i = 0; i < 4; i++) {
        const want = hand(
          x[i],
          eps[i],
          z[i],
          (ab) => (x[i] - Math.sqrt(1 - ab) * eps[i]) / Math.sqrt(ab),
          clip,
        );
        expect(originals[i], `clip ${clip} i ${i}`).toBeCloseTo(want.original, 5);
        expect(sample[i], `clip ${clip} i ${i}`).toBeCloseTo(want.next, 5);
      }
    }
    // Clipping bites here: x̂0 = (0.5 + 1.5·√0.496)/√0.504 = 2.192 and (2 − 0.2·0.704)/0.710 =
    // 2.619 are clamped to 1; (−1.2 − 0.3·0.704)/0.710 = −1.988 to −1; 0.1 − 2·0.704 < −1 too.
    const clipped = new DdpmScheduler(2, { ...tiny, clipSample: true }).predictedOriginal(
      2,
      x,
      eps,
    );
    expect(Array.from(clipped)).toEqual([1, -1, 1, -1]);
    const free = new DdpmScheduler(2, tiny).predictedOriginal(2, x, eps);
    expect(free[0]).toBeCloseTo(2.1923, 3);
    expect(free[2]).toBeCloseTo(2.6188, 3);
  });

  it("v_prediction: x̂0 = √ᾱ·x − √(1−ᾱ)·v; sample: x̂0 = the output", () => {
    const v = new DdpmScheduler(2, { ...tiny, predictionType: "v_prediction" });
    const direct = new DdpmScheduler(2, { ...tiny, predictionType: "sample", clipSample: true });
    const a = Float32Array.from(x);
    const b = Float32Array.from(x);
    v.step(2, eps, a, () => z);
    direct.step(2, eps, b, () => z);
    for (let i = 0; i < 4; i++) {
      const wantV = hand(
        x[i],
        eps[i],
        z[i],
        (ab) => Math.sqrt(ab) * x[i] - Math.sqrt(1 - ab) * eps[i],
      );
      expect(a[i]).toBeCloseTo(wantV.next, 5);
      const wantS = hand(x[i], eps[i], z[i], () => eps[i], 1);
      expect(b[i]).toBeCloseTo(wantS.next, 5);
    }
  });

  it("fixed_large variance draws σ = √β_t", () => {
    const s = new DdpmScheduler(2, { ...tiny, varianceType: "fixed_large" });
    expect(s.coefficients(2).noiseStd).toBeCloseTo(Math.sqrt(1 - 0.56), 6);
    expect(new DdpmScheduler(2, tiny).coefficients(2).noiseStd).toBeCloseTo(
      Math.sqrt((0.1 / 0.496) * 0.44),
      6,
    );
  });
});
