import type { Contract } from "../manifest/schema";
import { GraphBuilder, type ElementType } from "../onnx/builder";

/**
 * One sampler step as a tiny ONNX graph, so the latents can stay on the GPU between steps
 * (issue: "the scheduler step and the CFG combine as … a tiny ONNX graph on the same device"):
 * Leffa's guidance with its rescale quirk (nodes/lib/leffa-sampler/guidance.ts), then one DDPM
 * step (scheduler.ts), then the next step's noisy pair for the generative UNet. Every number the
 * step needs that depends on the timestep comes in through `coefficients`, so one graph serves
 * every step; nothing here has weights. The TypeScript functions stay the reference the graph is
 * tested against, and the path the loop takes where no graph session is available.
 *
 * Inputs:  noise_pred [2,4,h,w] (the generative UNet's output dtype), sample [1,4,h,w] float32,
 *          step_noise [1,4,h,w] float32 (ignored where σ = 0), coefficients [6] float32 =
 *          [guidance s, √(1−ᾱ_t), √ᾱ_t, original coeff, sample coeff, σ].
 * Outputs: next_sample [1,4,h,w] float32; next_noisy [2,4,h,w] in the UNet's input dtype (the
 *          next step's `noisy_latent`); predicted_original [1,4,h,w] float32 (x̂0, for previews).
 *
 * The scheduler's parameterisation and clip_sample are built into the graph (one graph per
 * combination, like the dtypes): x̂0 is (x − √(1−ᾱ)·ε)/√ᾱ for epsilon, √ᾱ·x − √(1−ᾱ)·v for
 * v_prediction, the output itself for sample; with clip_sample it is clamped to ±range before the
 * posterior mean, as DDPMScheduler.step does, and the clamped x̂0 is what `predicted_original`
 * returns.
 */

export const STEP_COEFFICIENTS = 6;

export interface StepGraphOptions {
  /** dtype of the generative UNet's `noise_pred`. */
  readonly predictionType: "float16" | "float32";
  /** dtype of its `noisy_latent` input. */
  readonly noisyType: "float16" | "float32";
  /** What the UNet predicts (the scheduler's prediction_type); epsilon when absent. */
  readonly parameterization?: Parameterization;
  /** clip_sample_range when the scheduler clips x̂0; absent for no clipping. */
  readonly clipSample?: number;
}

export type Parameterization = "epsilon" | "v_prediction" | "sample";

/** The step graph's schedule options from a scheduler config (scheduler-config.ts). */
export function stepGraphSchedule(config: {
  readonly predictionType: Parameterization;
  readonly clipSample: boolean;
  readonly clipSampleRange: number;
}): Pick<StepGraphOptions, "parameterization" | "clipSample"> {
  return {
    parameterization: config.predictionType,
    ...(config.clipSample ? { clipSample: config.clipSampleRange } : {}),
  };
}

export function stepGraphId(options: StepGraphOptions): string {
  const kind = options.parameterization ?? "epsilon";
  return (
    `leffa-step-${options.predictionType}-${options.noisyType}` +
    (kind === "epsilon" ? "" : `-${kind}`) +
    (options.clipSample === undefined ? "" : `-clip${options.clipSample}`)
  );
}

const latentShape = (batch: number) => [batch, 4, "h", "w"];

export function stepGraphContract(options: StepGraphOptions): Contract {
  return {
    inputs: [
      { name: "noise_pred", dtype: options.predictionType, shape: latentShape(2) },
      { name: "sample", dtype: "float32", shape: latentShape(1) },
      { name: "step_noise", dtype: "float32", shape: latentShape(1) },
      { name: "coefficients", dtype: "float32", shape: [STEP_COEFFICIENTS] },
    ],
    outputs: [
      { name: "next_sample", dtype: "float32", shape: latentShape(1) },
      { name: "next_noisy", dtype: options.noisyType, shape: latentShape(2) },
      { name: "predicted_original", dtype: "float32", shape: latentShape(1) },
    ],
    preprocess: "none: latents and ε as the sampler holds them",
    postprocess: "next_noisy feeds the generative UNet; next_sample is the new x_t",
  };
}

export function buildStepGraph(options: StepGraphOptions): Uint8Array {
  const g = new GraphBuilder(stepGraphId(options));
  const f32: ElementType = "float32";
  const i64 = (name: string, values: number[], dims = [values.length]) =>
    g.initializer(name, BigInt64Array.from(values.map(BigInt)), dims);
  const f32c = (name: string, value: number) => g.initializer(name, Float32Array.of(value), []);

  const predIn = g.input("noise_pred", options.predictionType, latentShape(2));
  const sample = g.input("sample", f32, latentShape(1));
  const stepNoise = g.input("step_noise", f32, latentShape(1));
  const coeffs = g.input("coefficients", f32, [STEP_COEFFICIENTS]);

  // Scalars out of the coefficient vector (Gather with a 0-d index gives a 0-d value).
  const coefficient = (k: number) =>
    g.node("Gather", [coeffs, g.initializer(`k${k}`, BigInt64Array.of(BigInt(k)), [])])[0];
  const [scale, sqrtOneMinus, sqrtAlpha, originalCoeff, sampleCoeff, sigma] = [
    0, 1, 2, 3, 4, 5,
  ].map(coefficient);

  // Guidance: ε = ε_u + s·(ε_c − ε_u), in float32 whatever the UNet gave.
  const pred = options.predictionType === "float32" ? predIn : g.cast(predIn, f32);
  const axis0 = i64("axis0", [0]);
  const [uncond] = g.node("Slice", [pred, i64("b0", [0]), i64("b1", [1]), axis0]);
  const [cond] = g.node("Slice", [pred, i64("b1s", [1]), i64("b2", [2]), axis0]);
  const [diff] = g.node("Sub", [cond, uncond]);
  const [scaled] = g.node("Mul", [diff, scale]);
  const [guided] = g.node("Add", [uncond, scaled]);

  // Leffa's rescale (φ = s): ε ← (s·σ_c/σ_g − s + 1)·ε with unbiased standard deviations over
  // the whole sample; left as it is when the guided ε is flat (σ_g = 0), as guidance.ts does.
  const unbiasedStd = (x: string) => {
    const [mean] = g.node("ReduceMean", [x], { keepdims: 0 });
    const [centred] = g.node("Sub", [x, mean]);
    const [squares] = g.node("Mul", [centred, centred]);
    const [sum] = g.node("ReduceSum", [squares], { keepdims: 0 });
    const [count] = g.node("Size", [x]);
    const [n] = g.node("Cast", [count], { to: 1 });
    const [dof] = g.node("Sub", [n, f32c(`one_${x}`, 1)]);
    const [variance] = g.node("Div", [sum, dof]);
    return g.node("Sqrt", [variance])[0];
  };
  const stdCond = unbiasedStd(cond);
  const stdGuided = unbiasedStd(guided);
  const [flat] = g.node("Greater", [stdGuided, f32c("zero", 0)]);
  const [safeStd] = g.node("Max", [stdGuided, f32c("tiny", 1e-30)]);
  const [ratio] = g.node("Div", [stdCond, safeStd]);
  const [sRatio] = g.node("Mul", [scale, ratio]);
  const [minusS] = g.node("Sub", [sRatio, scale]);
  const [factorRaw] = g.node("Add", [minusS, f32c("one", 1)]);
  const [factor] = g.node("Where", [flat, factorRaw, f32c("identity", 1)]);
  const [epsilon] = g.node("Mul", [guided, factor]);

  // DDPM: x̂0 from the parameterisation (clamped with clip_sample); x_prev = a·x̂0 + b·x + σ·z.
  const clip = options.clipSample;
  if (clip !== undefined && !(clip > 0))
    throw new Error(`clip_sample_range must be > 0, got ${clip}`);
  const x0 = clip === undefined ? ["predicted_original"] : ["unclipped_original"];
  switch (options.parameterization ?? "epsilon") {
    case "epsilon": {
      const [epsScaled] = g.node("Mul", [epsilon, sqrtOneMinus]);
      const [numerator] = g.node("Sub", [sample, epsScaled]);
      g.node("Div", [numerator, sqrtAlpha], {}, x0);
      break;
    }
    case "v_prediction": {
      const [fromX] = g.node("Mul", [sample, sqrtAlpha]);
      const [fromV] = g.node("Mul", [epsilon, sqrtOneMinus]);
      g.node("Sub", [fromX, fromV], {}, x0);
      break;
    }
    case "sample":
      g.node("Identity", [epsilon], {}, x0);
      break;
  }
  if (clip !== undefined) {
    g.node("Clip", [x0[0], f32c("clip_min", -clip), f32c("clip_max", clip)], {}, [
      "predicted_original",
    ]);
  }
  const [fromOriginal] = g.node("Mul", ["predicted_original", originalCoeff]);
  const [fromSample] = g.node("Mul", [sample, sampleCoeff]);
  const [mean] = g.node("Add", [fromOriginal, fromSample]);
  const [noise] = g.node("Mul", [stepNoise, sigma]);
  g.node("Add", [mean, noise], {}, ["next_sample"]);
  const [pair] = g.node("Concat", ["next_sample", "next_sample"], { axis: 0 });
  if (options.noisyType === "float32") g.node("Identity", [pair], {}, ["next_noisy"]);
  else g.cast(pair, "float16", "next_noisy");

  g.output("next_sample", f32, latentShape(1));
  g.output("next_noisy", options.noisyType, latentShape(2));
  g.output("predicted_original", f32, latentShape(1));
  return g.toBytes();
}
