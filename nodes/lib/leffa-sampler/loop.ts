import type { RgbaImage } from "../../core/image";
import {
  CancelledError,
  NodeError,
  type GeneratedGraph,
  type ModelSession,
  type ModelTensor,
  type TensorType,
} from "../../core/types";
import { refFeatureElements, refFeatureLayout } from "../../../models/leffa/features";
import type { LeffaFamily } from "./family";
import { ReferenceFeatureCache } from "./feature-cache";
import {
  floatTensor,
  inputFloatType,
  outputFloatType,
  readAs,
  readFloats,
  repeatTwice,
  type FloatType,
} from "./float-feeds";
import { NormalNoise } from "./noise";
import { LATENT_FACTOR, nearestDownsample, type Frame } from "./prepare";
import { latentPreview } from "./preview";
import { DdpmScheduler } from "./scheduler";
import { CpuStepper, GraphStepper, StepNoise, type LatentStepper } from "./stepper";
import { DEFAULT_FLOW_TOP_K, FlowCollector, type FlowSettings } from "./flow-collector";

/**
 * Leffa's sampling loop (leffa.md §2.5, leffa/pipeline.py) against four abstract model sessions
 * that honour the manifest's LEFFA_GRAPHS contracts:
 * 1. the VAE encoder turns [masked person, garment] (batch 2) into latents (posterior mean);
 * 2. the initial latent is seeded noise; then for each DDPM timestep t:
 *    - the reference UNet gives its features (16 in SD1.5, 70 in SDXL) for [zero latent,
 *      garment latent] at t — or once, at
 *      timesteps[steps // 2], with ref acceleration; the unconditional half comes from a cache
 *      when an earlier run computed it (it does not depend on the garment);
 *    - the generative UNet predicts ε for [uncond, cond] from [z_t, mask, masked latent,
 *      DensePose] and the features;
 *    - guidance (with Leffa's rescale quirk), then the DDPM step with seeded variance noise;
 * 3. the VAE decoder turns the last latent into RGB in [0, 1].
 *
 * Noise: one NormalNoise(seed) stream supplies the initial latent (4·h·w normals, planar order)
 * and then, for each step with t > 0, the step's variance noise — so a seed fixes the whole run.
 * (The reference draws its initial noise from torch's global RNG: its images are not reproducible
 * from the seed at all.)
 */

export interface SamplerSessions {
  readonly vaeEncoder: ModelSession;
  readonly vaeDecoder: ModelSession;
  readonly refUnet: ModelSession;
  readonly genUnet: ModelSession;
}

/** Everything in the working frame, planar float32 (see prepare.ts). */
export interface SamplerConditions {
  readonly frame: Frame;
  /** 3 × H × W in [-1, 1]: person · (mask < 0.5). */
  readonly maskedPerson: Float32Array;
  /** 3 × H × W in [-1, 1]. */
  readonly reference: Float32Array;
  /** H × W, 0 or 1 (1 = repaint). */
  readonly mask: Float32Array;
  /** 3 × H × W in [-1, 1]. */
  readonly densepose: Float32Array;
}

export interface SamplerSettings {
  readonly steps: number;
  readonly guidance: number;
  readonly seed: number;
  readonly refAcceleration: boolean;
  /** Which checkpoint's graphs the sessions run: reference features, scheduler. */
  readonly family: LeffaFamily;
  /** The attention flow field to collect (flow-collector.ts); off when absent. */
  readonly flow?: FlowSettings;
}

export interface SamplerHooks {
  readonly signal: AbortSignal;
  readonly tensor: (
    type: TensorType,
    data: ArrayBufferView,
    dims: readonly number[],
  ) => ModelTensor;
  /** Called once per finished step with (step, steps). */
  readonly progress: (step: number, steps: number, timestep: number) => void;
  /** Live previews of the predicted clean image, every `previewEvery` steps. */
  readonly preview?: (image: RgbaImage, step: number) => void;
  readonly previewEvery?: number;
  /** Unconditional reference features kept across runs (see ReferenceFeatureCache). */
  readonly cache?: ReferenceFeatureCache;
  /** The reference UNet's model id; the cache adds the resolution and the timestep. */
  readonly cacheKey?: string;
  /**
   * Sessions for generated graphs (NodeContext.loadGraph): the flow graph, and — where the UNets
   * run on WebGPU — guidance and the DDPM step as a graph beside them, so the latents stay on the
   * GPU (stepper.ts).
   */
  readonly loadGraph?: (graph: GeneratedGraph) => Promise<ModelSession>;
}

export interface StepTiming {
  readonly timestep: number;
  /** Time inside the two UNets' runs. */
  readonly unetMs: number;
  /** Time turning the step's attention into flow (0 at steps without flow). */
  readonly flowMs: number;
  /** Everything else in the step: feeds, feature assembly, guidance, DDPM step, previews. */
  readonly restMs: number;
}

export interface SamplerResult {
  /** 3 × H × W RGB in [0, 1]. */
  readonly image: Float32Array;
  readonly steps: readonly StepTiming[];
  readonly encodeMs: number;
  readonly decodeMs: number;
  /** Reference UNet runs, and how many of the timesteps found their unconditional half cached. */
  readonly refUnetRuns: number;
  readonly cacheHits: number;
  /** What the flow collector gathered (see FlowCollector.field). */
  readonly flow: FlowCollector;
}

export const DEFAULT_PREVIEW_EVERY = 5;

function featureBytes(type: FloatType): number {
  return type === "float16" ? 2 : 4;
}

function checkDims(tensor: ModelTensor, expected: readonly number[], what: string): void {
  if (tensor.dims.length !== expected.length || tensor.dims.some((d, i) => d !== expected[i])) {
    throw new NodeError(
      `${what} has shape [${tensor.dims.join(", ")}], expected [${expected.join(", ")}]`,
    );
  }
}

/** Runs the whole loop; throws CancelledError within one step of `signal` aborting. */
export async function runLeffaSampler(
  sessions: SamplerSessions,
  conditions: SamplerConditions,
  settings: SamplerSettings,
  hooks: SamplerHooks,
): Promise<SamplerResult> {
  const { frame } = conditions;
  const h = frame.height / LATENT_FACTOR;
  const w = frame.width / LATENT_FACTOR;
  const plane = h * w;
  const latentSize = 4 * plane;
  const pixels = frame.width * frame.height;
  const { tensor, signal } = hooks;
  const checkCancel = () => {
    if (signal.aborted) throw new CancelledError();
  };
  for (const [name, values, channels] of [
    ["masked person", conditions.maskedPerson, 3],
    ["reference", conditions.reference, 3],
    ["mask", conditions.mask, 1],
    ["densepose", conditions.densepose, 3],
  ] as const) {
    if (values.length !== channels * pixels) {
      throw new Error(`${name}: expected ${channels}×${frame.height}×${frame.width} values`);
    }
  }
  const { family } = settings;
  const scheduler = new DdpmScheduler(settings.steps, family.scheduler);
  checkCancel();

  // 1. Encode both images in one batch.
  const encodeStart = performance.now();
  const images = new Float32Array(2 * 3 * pixels);
  images.set(conditions.maskedPerson);
  images.set(conditions.reference, 3 * pixels);
  const { latent } = await sessions.vaeEncoder.run({
    image: floatTensor(tensor, inputFloatType(sessions.vaeEncoder, "image"), images, [
      2,
      3,
      frame.height,
      frame.width,
    ]),
  });
  checkDims(latent, [2, 4, h, w], `${sessions.vaeEncoder.modelId} latent`);
  // As float32 whatever the encoder gives: fp16 values survive the round trip to fp16 feeds.
  const latents = await readFloats(latent, sessions.vaeEncoder.modelId);
  latent.dispose();
  const maskedLatent = latents.slice(0, latentSize);
  const garmentLatent = latents.slice(latentSize, 2 * latentSize);
  const encodeMs = performance.now() - encodeStart;

  // Spatial conditions at latent size, duplicated for the CFG pair (they are the same for both).
  const maskLatent = nearestDownsample(conditions.mask, 1, frame.width, frame.height, w, h);
  const poseLatent = nearestDownsample(conditions.densepose, 3, frame.width, frame.height, w, h);
  const genType = (name: string) => inputFloatType(sessions.genUnet, name);
  const constantFeeds = {
    mask_latent: floatTensor(tensor, genType("mask_latent"), repeatTwice(maskLatent), [2, 1, h, w]),
    masked_latent: floatTensor(tensor, genType("masked_latent"), repeatTwice(maskedLatent), [
      2,
      4,
      h,
      w,
    ]),
    densepose_latent: floatTensor(tensor, genType("densepose_latent"), repeatTwice(poseLatent), [
      2,
      3,
      h,
      w,
    ]),
  };

  // The cache pays only when it can hold every timestep this run visits: a run cycles through
  // its timesteps in order, so an LRU that holds fewer evicts each entry just before its reuse,
  // and every step would pay for copying features out for nothing (1024×768 at 30 steps: 2 GB).
  // With ref acceleration it never pays: it would save half of one reference pass per run, but a
  // pair assembled on the CPU would be uploaded again at every step, where the features of one
  // batch-2 pass stay on the GPU for the whole run.
  const cacheable =
    hooks.cache !== undefined &&
    !settings.refAcceleration &&
    refFeatureElements(family.unet, h, w) * featureBytes(genType("ref_00")) * settings.steps <=
      hooks.cache.budgetBytes;
  const references = new ReferenceFeatures(
    sessions.refUnet,
    family.refNames,
    genType,
    garmentLatent,
    [4, h, w],
    cacheable ? hooks : { ...hooks, cache: undefined },
  );
  const noise = new NormalNoise(settings.seed);
  // The initial latent first, then every step's noise in step order: a seed fixes the whole run.
  const initial = noise.normals(latentSize);
  const stepperSetup = {
    scheduler,
    guidance: settings.guidance,
    stepNoise: new StepNoise(noise, scheduler, latentSize),
    tensor,
    noisyType: genType("noisy_latent"),
    dims: [1, 4, h, w],
    initial,
  };
  // The step graph pays where the UNets run on the GPU: the latents stay there. Beside a CPU
  // backend it only adds a session run (1–3 ms a step on the tiny bench against 0.6 ms for the
  // TypeScript step), so the loop steps in TypeScript there.
  const stepper: LatentStepper =
    hooks.loadGraph && sessions.genUnet.backend.name === "webgpu"
      ? new GraphStepper(stepperSetup, hooks.loadGraph)
      : new CpuStepper(stepperSetup);
  const flow = new FlowCollector(
    sessions.genUnet,
    refFeatureLayout(family.unet),
    settings.flow ?? { mode: "off", temperature: 1, topK: DEFAULT_FLOW_TOP_K },
    { width: w, height: h },
    tensor,
    hooks.loadGraph,
  );
  const timestepPair = new Float32Array(2);
  const timings: StepTiming[] = [];
  const previewEvery = hooks.previewEvery ?? DEFAULT_PREVIEW_EVERY;

  let shared: FeatureSet | undefined;
  let sample: Float32Array;
  try {
    if (settings.refAcceleration) {
      checkCancel();
      shared = await references.at(scheduler.accelerationTimestep);
    }
    for (const [i, t] of scheduler.timesteps.entries()) {
      checkCancel();
      const stepStart = performance.now();
      let unetMs = 0;
      let flowMs = 0;
      let features = shared;
      if (!features) {
        features = await references.at(t);
        unetMs += features.unetMs;
      }
      try {
        timestepPair.fill(t);
        const genStart = performance.now();
        const collecting = flow.wants(t);
        // The prediction stays where the UNet made it: the stepper takes it from there.
        const outputs = await sessions.genUnet.run(
          {
            noisy_latent: stepper.noisyInput(),
            ...constantFeeds,
            timestep: tensor("float32", timestepPair, [2]),
            ...features.feeds,
          },
          {
            keepOnGpu: true,
            ...(collecting ? { outputs: ["noise_pred", ...flow.outputs()] } : {}),
          },
        );
        const prediction = outputs.noise_pred;
        unetMs += performance.now() - genStart;
        checkDims(prediction, [2, 4, h, w], `${sessions.genUnet.modelId} noise_pred`);
        const wantPreview = hooks.preview !== undefined && (i + 1) % previewEvery === 0;
        const original = await stepper.step(t, prediction, wantPreview);
        if (original) hooks.preview?.(latentPreview(original, w, h, family.base), i + 1);
        if (collecting) {
          const flowStart = performance.now();
          await flow.collect(t, outputs);
          flowMs = performance.now() - flowStart;
        }
      } finally {
        if (features !== shared) features.dispose();
      }
      timings.push({
        timestep: t,
        unetMs,
        flowMs,
        restMs: performance.now() - stepStart - unetMs - flowMs,
      });
      hooks.progress(i + 1, settings.steps, t);
    }
    sample = await stepper.sample();
  } finally {
    shared?.dispose();
    stepper.dispose();
  }
  checkCancel();

  // 3. Decode.
  const decodeStart = performance.now();
  const { image } = await sessions.vaeDecoder.run({
    latent: floatTensor(tensor, inputFloatType(sessions.vaeDecoder, "latent"), sample, [
      1,
      4,
      h,
      w,
    ]),
  });
  checkDims(image, [1, 3, frame.height, frame.width], `${sessions.vaeDecoder.modelId} image`);
  const rgb = await readFloats(image, sessions.vaeDecoder.modelId);
  image.dispose();
  return {
    image: rgb,
    steps: timings,
    encodeMs,
    decodeMs: performance.now() - decodeStart,
    refUnetRuns: references.runs,
    cacheHits: references.hits,
    flow,
  };
}

interface FeatureSet {
  /** ref_00 … at batch 2 = [uncond, cond]. */
  readonly feeds: Record<string, ModelTensor>;
  readonly unetMs: number;
  dispose(): void;
}

/**
 * The reference UNet's features at a timestep, batch 2. Without a cached unconditional half the
 * UNet runs on [zeros, garment] and its outputs stay where the session put them (the GPU with
 * `keepOnGpu`) to feed the generative UNet directly; the unconditional half is then copied into
 * the cache. With a cached half, the UNet runs on the garment alone and the pair is assembled on
 * the CPU: two copies of the features instead of half a UNet pass.
 */
class ReferenceFeatures {
  runs = 0;
  hits = 0;
  private readonly garment: ModelTensor;
  private readonly pair: ModelTensor;

  constructor(
    private readonly session: ModelSession,
    private readonly names: readonly string[],
    /** The dtype the generative UNet takes each feature in. */
    private readonly wanted: (name: string) => FloatType,
    garmentLatent: Float32Array,
    private readonly latentDims: readonly [number, number, number],
    private readonly hooks: SamplerHooks,
  ) {
    const pair = new Float32Array(garmentLatent.length * 2);
    // The unconditional reference is a zero latent (torch.zeros_like), not an encoded blank image.
    pair.set(garmentLatent, garmentLatent.length);
    const type = inputFloatType(session, "ref_latent");
    this.garment = floatTensor(hooks.tensor, type, garmentLatent, [1, ...latentDims]);
    this.pair = floatTensor(hooks.tensor, type, pair, [2, ...latentDims]);
  }

  async at(t: number): Promise<FeatureSet> {
    const { cache, cacheKey, tensor } = this.hooks;
    const [, h, w] = this.latentDims;
    const key =
      cache && cacheKey ? ReferenceFeatureCache.key(cacheKey, w * 8, h * 8, t) : undefined;
    const cached = key ? cache!.get(key) : undefined;
    const batch = cached ? 1 : 2;
    const start = performance.now();
    const outputs = await this.session.run(
      {
        ref_latent: cached ? this.garment : this.pair,
        timestep: tensor("float32", new Float32Array(batch).fill(t), [batch]),
      },
      { keepOnGpu: true },
    );
    const unetMs = performance.now() - start;
    this.runs++;
    const disposeOutputs = () => Object.values(outputs).forEach((o) => o.dispose());
    try {
      for (const name of this.names) {
        const out = outputs[name];
        if (!out || out.dims.length !== 3 || out.dims[0] !== batch) {
          throw new NodeError(
            `${this.session.modelId} returned ${name} as [${out?.dims.join(", ") ?? "nothing"}], expected [${batch}, N, C]`,
          );
        }
      }
      if (cached) {
        this.hits++;
        const feeds: Record<string, ModelTensor> = {};
        for (const [i, name] of this.names.entries()) {
          const type = this.wanted(name);
          const what = `${this.session.modelId} ${name}`;
          const cond = await readAs(outputs[name], type, what);
          const uncond = await readAs(cached[i], type, what);
          const both =
            type === "float16"
              ? new Uint16Array(cond.length * 2)
              : new Float32Array(cond.length * 2);
          both.set(uncond);
          both.set(cond, uncond.length);
          const [, n, c] = outputs[name].dims;
          feeds[name] = tensor(type, both, [2, n, c]);
        }
        disposeOutputs();
        return { feeds, unetMs, dispose: () => {} };
      }
      if (key) {
        const halves: ModelTensor[] = [];
        let bytes = 0;
        for (const name of this.names) {
          // Kept in the dtype the reference UNet gives: fp32 features cost twice the bytes.
          const what = `${this.session.modelId} ${name}`;
          const type = outputFloatType(outputs[name], what);
          const data = await readAs(outputs[name], type, what);
          const [, n, c] = outputs[name].dims;
          halves.push(tensor(type, data.slice(0, n * c), [1, n, c]));
          bytes += n * c * featureBytes(type);
        }
        cache!.set(key, halves, bytes);
      }
      if (this.names.every((name) => outputs[name].type === this.wanted(name))) {
        return { feeds: { ...outputs }, unetMs, dispose: disposeOutputs };
      }
      // Graphs from different conversions (fp16 reference, fp32 generative or the reverse):
      // convert on the CPU, which the matched pair never pays.
      const feeds: Record<string, ModelTensor> = {};
      for (const name of this.names) {
        const type = this.wanted(name);
        const data = await readAs(outputs[name], type, `${this.session.modelId} ${name}`);
        feeds[name] = tensor(type, data.slice(), outputs[name].dims);
      }
      disposeOutputs();
      return { feeds, unetMs, dispose: () => {} };
    } catch (err) {
      disposeOutputs();
      throw err;
    }
  }
}
