import * as ort from "onnxruntime-web";
import { describe, expect, it } from "vitest";
import { guideNoise } from "../../nodes/lib/leffa-sampler/guidance";
import { floatsToHalfBits, halfBitsToFloats } from "../../nodes/lib/leffa-sampler/half";
import { NormalNoise } from "../../nodes/lib/leffa-sampler/noise";
import { DdpmScheduler, SD15_INPAINTING_SCHEDULER } from "../../nodes/lib/leffa-sampler/scheduler";
import {
  buildStepGraph,
  stepGraphContract,
  stepGraphId,
  stepGraphSchedule,
  type StepGraphOptions,
} from "./step-graph";

ort.env.wasm.numThreads = 1;

const H = 6;
const W = 5;
const N = 4 * H * W;

async function runGraph(
  options: StepGraphOptions,
  pair: Float32Array,
  sample: Float32Array,
  stepNoise: Float32Array,
  coefficients: number[],
) {
  const session = await ort.InferenceSession.create(buildStepGraph(options));
  const pred =
    options.predictionType === "float16"
      ? new ort.Tensor("float16", floatsToHalfBits(pair), [2, 4, H, W])
      : new ort.Tensor("float32", pair, [2, 4, H, W]);
  const out = await session.run({
    noise_pred: pred,
    sample: new ort.Tensor("float32", sample, [1, 4, H, W]),
    step_noise: new ort.Tensor("float32", stepNoise, [1, 4, H, W]),
    coefficients: new ort.Tensor("float32", Float32Array.from(coefficients), [6]),
  });
  const noisy = out.next_noisy;
  return {
    next: out.next_sample.data as Float32Array,
    original: out.predicted_original.data as Float32Array,
    noisy:
      noisy.type === "float16"
        ? halfBitsToFloats(noisy.data as Uint16Array)
        : (noisy.data as Float32Array),
    noisyType: noisy.type,
  };
}

/** The TypeScript step the loop takes without a graph session: the reference. */
function referenceStep(
  scheduler: DdpmScheduler,
  t: number,
  pair: Float32Array,
  sample: Float32Array,
  stepNoise: Float32Array,
  scale: number,
) {
  const guided = guideNoise(pair, scale, new Float32Array(N));
  const original = scheduler.predictedOriginal(t, sample, guided);
  const next = Float32Array.from(sample);
  scheduler.step(t, guided, next, () => stepNoise);
  return { next, original };
}

function coefficientsFor(scheduler: DdpmScheduler, t: number, scale: number): number[] {
  const c = scheduler.coefficients(t);
  return [
    scale,
    c.sqrtOneMinusAlphaBar,
    c.sqrtAlphaBar,
    c.originalCoeff,
    c.sampleCoeff,
    c.noiseStd,
  ];
}

function maxRelError(actual: Float32Array, expected: Float32Array): number {
  let worst = 0;
  let scale = 0;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / scale);
  }
  return worst;
}

describe("the sampler step graph", () => {
  const scheduler = new DdpmScheduler(30);
  const random = new NormalNoise(7);
  const pair = random.normals(2 * N);
  const sample = random.normals(N);
  const stepNoise = random.normals(N);

  it("matches guidance + DDPM in TypeScript at every kind of step (fp32 ε)", async () => {
    const options = { predictionType: "float32", noisyType: "float32" } as const;
    for (const t of [scheduler.timesteps[0], scheduler.timesteps[15], 1, 0]) {
      for (const scale of [2.5, 1, 0]) {
        const graph = await runGraph(
          options,
          pair,
          sample,
          stepNoise,
          coefficientsFor(scheduler, t, scale),
        );
        const ref = referenceStep(scheduler, t, pair, sample, stepNoise, scale);
        expect(maxRelError(graph.next, ref.next), `t=${t} s=${scale}`).toBeLessThan(1e-5);
        expect(maxRelError(graph.original, ref.original)).toBeLessThan(1e-5);
        expect(Array.from(graph.noisy.subarray(0, N))).toEqual(Array.from(graph.next));
        expect(Array.from(graph.noisy.subarray(N))).toEqual(Array.from(graph.next));
      }
    }
  });

  it("reads fp16 predictions and writes the fp16 noisy pair the UNet takes", async () => {
    const options = { predictionType: "float16", noisyType: "float16" } as const;
    const t = scheduler.timesteps[10];
    const halfPair = halfBitsToFloats(floatsToHalfBits(pair));
    const graph = await runGraph(
      options,
      pair,
      sample,
      stepNoise,
      coefficientsFor(scheduler, t, 2.5),
    );
    const ref = referenceStep(scheduler, t, halfPair, sample, stepNoise, 2.5);
    expect(graph.noisyType).toBe("float16");
    expect(maxRelError(graph.next, ref.next)).toBeLessThan(1e-5);
    expect(maxRelError(graph.noisy.subarray(N), ref.next)).toBeLessThan(1e-3);
  });

  it("leaves a flat guided prediction unscaled, as guidance.ts does", async () => {
    const flat = new Float32Array(2 * N).fill(0.25);
    const t = scheduler.timesteps[3];
    const graph = await runGraph(
      { predictionType: "float32", noisyType: "float32" },
      flat,
      sample,
      stepNoise,
      coefficientsFor(scheduler, t, 2.5),
    );
    const ref = referenceStep(scheduler, t, flat, sample, stepNoise, 2.5);
    expect(graph.next.every(Number.isFinite)).toBe(true);
    expect(maxRelError(graph.next, ref.next)).toBeLessThan(1e-5);
  });

  it("declares the tensors it has", async () => {
    for (const predictionType of ["float16", "float32"] as const) {
      const options = { predictionType, noisyType: "float16" } as const;
      const session = await ort.InferenceSession.create(buildStepGraph(options));
      const contract = stepGraphContract(options);
      expect([...session.inputNames]).toEqual(contract.inputs.map((i) => i.name));
      expect([...session.outputNames].sort()).toEqual(contract.outputs.map((o) => o.name).sort());
    }
  });

  it("clamps x̂0 like the TypeScript step with clip_sample on, and leaves it with it off", async () => {
    // Early steps: √ᾱ ≈ 0.07, so x̂0 = (x − √(1−ᾱ)·ε)/√ᾱ reaches ±40 and clipping bites.
    const t = scheduler.timesteps[0];
    const results: Float32Array[] = [];
    for (const clip of [false, true]) {
      const config = { ...SD15_INPAINTING_SCHEDULER, clipSample: clip };
      const clipped = new DdpmScheduler(30, config);
      const options = {
        predictionType: "float32",
        noisyType: "float32",
        ...stepGraphSchedule(config),
      } as const;
      expect(stepGraphId(options)).toBe(`leffa-step-float32-float32${clip ? "-clip1" : ""}`);
      const graph = await runGraph(
        options,
        pair,
        sample,
        stepNoise,
        coefficientsFor(clipped, t, 2.5),
      );
      const ref = referenceStep(clipped, t, pair, sample, stepNoise, 2.5);
      expect(maxRelError(graph.next, ref.next), `clip ${clip}`).toBeLessThan(1e-5);
      expect(maxRelError(graph.original, ref.original), `clip ${clip}`).toBeLessThan(1e-5);
      const outside = Array.from(graph.original).filter((v) => Math.abs(v) > 1).length;
      if (clip) expect(outside).toBe(0);
      else expect(outside).toBeGreaterThan(N / 2);
      results.push(graph.next);
    }
    expect(maxRelError(results[1], results[0])).toBeGreaterThan(0.01);
  });

  it("clips to the configured range and follows v_prediction and sample outputs", async () => {
    const t = scheduler.timesteps[20];
    for (const predictionType of ["v_prediction", "sample", "epsilon"] as const) {
      const config = {
        ...SD15_INPAINTING_SCHEDULER,
        predictionType,
        clipSample: predictionType !== "epsilon",
        clipSampleRange: 0.75,
      };
      const s = new DdpmScheduler(30, config);
      const options = {
        predictionType: "float32",
        noisyType: "float32",
        ...stepGraphSchedule(config),
      } as const;
      const graph = await runGraph(options, pair, sample, stepNoise, coefficientsFor(s, t, 2.5));
      const ref = referenceStep(s, t, pair, sample, stepNoise, 2.5);
      expect(maxRelError(graph.next, ref.next), predictionType).toBeLessThan(1e-5);
      expect(maxRelError(graph.original, ref.original), predictionType).toBeLessThan(1e-5);
      if (config.clipSample) {
        expect(Math.max(...Array.from(graph.original, Math.abs))).toBeLessThanOrEqual(0.75);
      }
    }
  });
});
