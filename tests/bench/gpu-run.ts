/**
 * Child of `npm run bench:gpu`: one try-on image's worth of work on one execution provider, timed
 * the way the Leffa Sampler runs it (nodes/lib/leffa-sampler/loop.ts) — VAE encoder twice
 * (person, garment), the reference UNet (once per image with ref acceleration, once per step
 * without), per step the generative UNet (batch 2: uncond, cond) and the step graph (guidance +
 * DDPM step, models/leffa/step-graph.ts), then the VAE decoder. Sessions are created first, each
 * timed. One warm-up step runs before the images (the GPU compiles its shaders there).
 *
 * Feeds and outputs stay on the host (onnxruntime-node copies them each run), so step times
 * include those copies: an upper bound on what the studio's GPU-resident loop pays.
 *
 * `tsx tests/bench/gpu-run.ts '<GpuRunJob as JSON>'` prints one JSON line, a GpuRunResult.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import type * as OrtNode from "onnxruntime-node";
import type { InferenceSession, Tensor } from "onnxruntime-node";
import { z } from "zod";
import { buildStepGraph, STEP_COEFFICIENTS } from "../../models/leffa/step-graph";
import { feedData, TRYON_GRAPHS } from "./synthetic-leffa";

export const gpuRunJob = z.object({
  /** model.onnx of each try-on graph. */
  graphs: z.object({
    "vae-encoder": z.string(),
    "vae-decoder": z.string(),
    "ref-unet": z.string(),
    "gen-unet": z.string(),
  }),
  provider: z.enum(["webgpu", "cpu"]),
  level: z.enum(["disabled", "basic", "extended", "all"]),
  dtype: z.enum(["fp16", "fp32"]),
  /** Latent size (image 8h × 8w). */
  h: z.number().int().positive(),
  w: z.number().int().positive(),
  steps: z.number().int().positive(),
  /** The reference UNet's outputs, which the generative UNet takes (ref_00, ref_01, …). */
  refNames: z.array(z.string()),
  latentChannels: z.number().int().positive(),
  imageChannels: z.number().int().positive(),
});
export type GpuRunJob = z.infer<typeof gpuRunJob>;

export interface ImageTiming {
  readonly refAcceleration: boolean;
  readonly vaeEncodeMs: number;
  readonly refUnetMs: number;
  /** Per step, averaged over the steps. */
  readonly genUnetMsPerStep: number;
  readonly stepGraphMsPerStep: number;
  readonly vaeDecodeMs: number;
  readonly totalMs: number;
}

export interface GpuRunResult {
  readonly createMs: Record<string, number>;
  readonly warmupMs: number;
  readonly images: ImageTiming[];
}

type Ort = typeof OrtNode;

async function main(job: GpuRunJob): Promise<GpuRunResult> {
  const ort: Ort = await import("onnxruntime-node");
  const act = job.dtype === "fp16" ? "float16" : "float32";
  const options: InferenceSession.SessionOptions = {
    executionProviders: [job.provider],
    graphOptimizationLevel: job.level,
  };
  const createMs: Record<string, number> = {};
  const sessions = {} as Record<(typeof TRYON_GRAPHS)[number] | "step", InferenceSession>;
  for (const graph of TRYON_GRAPHS) {
    const started = performance.now();
    sessions[graph] = await ort.InferenceSession.create(job.graphs[graph], options);
    createMs[graph] = performance.now() - started;
  }
  let started = performance.now();
  sessions.step = await ort.InferenceSession.create(
    buildStepGraph({ predictionType: act, noisyType: act }),
    options,
  );
  createMs.step = performance.now() - started;

  const { h, w } = job;
  const tensor = (name: string, type: "float16" | "float32", dims: number[]): Tensor =>
    new ort.Tensor(type, feedData(name, { type, dims }) as never, dims);
  const image = tensor("image", act, [1, job.imageChannels, h * 8, w * 8]);
  const refLatent = tensor("ref_latent", act, [2, 4, h, w]);
  const constant = {
    mask_latent: tensor("mask_latent", act, [2, 1, h, w]),
    masked_latent: tensor("masked_latent", act, [2, 4, h, w]),
    densepose_latent: tensor("densepose_latent", act, [2, 3, h, w]),
  };
  const timestep = new ort.Tensor("float32", new Float32Array([500, 500]), [2]);
  const coefficients = new ort.Tensor(
    "float32",
    Float32Array.from({ length: STEP_COEFFICIENTS }, (_, i) => [2.5, 0.6, 0.8, 0.3, 0.7, 0][i]),
    [STEP_COEFFICIENTS],
  );
  const refNames = job.refNames;

  const runRef = async () => {
    return sessions["ref-unet"].run({ ref_latent: refLatent, timestep }, refNames);
  };
  const runStep = async (refs: Record<string, Tensor>, noisy: Tensor, sample: Tensor) => {
    let t = performance.now();
    const { noise_pred } = await sessions["gen-unet"].run(
      { noisy_latent: noisy, ...constant, timestep, ...refs },
      ["noise_pred"],
    );
    const genMs = performance.now() - t;
    t = performance.now();
    const next = await sessions.step.run({
      noise_pred,
      sample,
      step_noise: tensor("step_noise", "float32", [1, 4, h, w]),
      coefficients,
    });
    return { genMs, stepMs: performance.now() - t, next };
  };

  // Warm-up: one of everything (shader compilation, first allocations).
  started = performance.now();
  await sessions["vae-encoder"].run({ image });
  const warmRefs = await runRef();
  await runStep(
    warmRefs,
    tensor("noisy_latent", act, [2, 4, h, w]),
    tensor("sample", "float32", [1, 4, h, w]),
  );
  await sessions["vae-decoder"].run({
    latent: tensor("latent", act, [1, job.latentChannels, h, w]),
  });
  const warmupMs = performance.now() - started;

  const images: ImageTiming[] = [];
  for (const refAcceleration of [false, true]) {
    const imageStart = performance.now();
    let t = performance.now();
    await sessions["vae-encoder"].run({ image });
    await sessions["vae-encoder"].run({ image });
    const vaeEncodeMs = performance.now() - t;
    let refUnetMs = 0;
    let genMs = 0;
    let stepMs = 0;
    let refs: Record<string, Tensor> | undefined;
    if (refAcceleration) {
      t = performance.now();
      refs = await runRef();
      refUnetMs += performance.now() - t;
    }
    let noisy = tensor("noisy_latent", act, [2, 4, h, w]);
    let sample = tensor("sample", "float32", [1, 4, h, w]);
    for (let i = 0; i < job.steps; i++) {
      let stepRefs = refs;
      if (!stepRefs) {
        t = performance.now();
        stepRefs = await runRef();
        refUnetMs += performance.now() - t;
      }
      const step = await runStep(stepRefs, noisy, sample);
      genMs += step.genMs;
      stepMs += step.stepMs;
      noisy = step.next.next_noisy;
      sample = step.next.next_sample;
    }
    t = performance.now();
    await sessions["vae-decoder"].run({
      latent: tensor("latent", act, [1, job.latentChannels, h, w]),
    });
    const vaeDecodeMs = performance.now() - t;
    images.push({
      refAcceleration,
      vaeEncodeMs,
      refUnetMs,
      genUnetMsPerStep: genMs / job.steps,
      stepGraphMsPerStep: stepMs / job.steps,
      vaeDecodeMs,
      totalMs: performance.now() - imageStart,
    });
  }
  for (const s of Object.values(sessions)) await s.release();
  return { createMs, warmupMs, images };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = await main(gpuRunJob.parse(JSON.parse(process.argv[2] ?? "{}")));
  console.log(JSON.stringify(result));
  process.exit(0);
}
