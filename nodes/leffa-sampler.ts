import { createMask, type RgbaImage } from "./core/image";
import { param } from "./core/params";
import {
  defineNode,
  DeviceLostError,
  NodeError,
  type BackendInfo,
  type ModelSession,
  type NodeContext,
} from "./core/types";
import {
  capabilityProblem,
  memorySummary,
  modelMemoryProblem,
  HEADLESS_COMMAND,
} from "./lib/leffa-sampler/capability";
import {
  LEFFA_FAMILIES,
  type LeffaFamily,
  type LeffaModelChoice,
} from "./lib/leffa-sampler/family";
import { ReferenceFeatureCache } from "./lib/leffa-sampler/feature-cache";
import { inputFloatType, type FloatType } from "./lib/leffa-sampler/float-feeds";
import { DEFAULT_FLOW_TOP_K, type FlowMode } from "./lib/leffa-sampler/flow-collector";
import type { FlowField } from "./core/flow";
import { runLeffaSampler, type SamplerResult } from "./lib/leffa-sampler/loop";
import {
  fitImage,
  fitMaskToFrame,
  maskedPerson,
  parseResolution,
  type Frame,
  toSignedPlanar,
  unfitImage,
} from "./lib/leffa-sampler/prepare";
import { repaint } from "./lib/leffa-sampler/repaint";
import {
  samplerSchedule,
  scheduleSummary,
  type SamplerSchedule,
} from "./lib/leffa-sampler/stored-scheduler";
import { optionalMask, requireImage } from "./lib/port-values";
import { planarRgbToImage } from "./lib/tensor-image";

const WHITE = [255, 255, 255] as const;
const BLACK = [0, 0, 0] as const;

/** Shared by every run in this worker: unconditional reference features by model/size/timestep. */
const unconditionalFeatures = new ReferenceFeatureCache();

/** The family's four graphs, in LEFFA_PARTS order. */
async function loadSessions(ctx: NodeContext, family: LeffaFamily) {
  const [vaeEncoder, vaeDecoder, refUnet, genUnet] = family.models;
  return {
    vaeEncoder: await ctx.loadModel(vaeEncoder),
    vaeDecoder: await ctx.loadModel(vaeDecoder),
    refUnet: await ctx.loadModel(refUnet),
    genUnet: await ctx.loadModel(genUnet),
  };
}

/** "· flow: 3 layers at 2 steps (1.2 s)", or nothing when no flow was collected. */
function flowSummary(result: SamplerResult): string {
  const collected = result.steps.filter((s) => s.flowMs > 0);
  if (collected.length === 0) return "";
  const ms = collected.reduce((sum, s) => sum + s.flowMs, 0);
  return ` · flow at ${collected.length} step${collected.length === 1 ? "" : "s"} (${(ms / 1000).toFixed(1)} s)`;
}

/** " · fused attention", or chunked and why the fused graph was not used; nothing if unknown. */
function attentionSummary(attention: ModelSession["attention"]): string {
  if (!attention) return "";
  return ` · ${attention.mode} attention${attention.fallback ? ` (${attention.fallback})` : ""}`;
}

function summary(
  result: SamplerResult,
  backend: BackendInfo,
  wanted: BackendInfo,
  frame: Frame,
  dtype: FloatType,
  family: LeffaFamily,
  schedule: SamplerSchedule,
  attention: ModelSession["attention"],
): string {
  const unet = result.steps.reduce((s, t) => s + t.unetMs, 0);
  const rest = result.steps.reduce((s, t) => s + t.restMs + t.flowMs, 0);
  const steps = result.steps.length;
  const perStep = (unet + rest) / Math.max(1, steps);
  return (
    `${family.task}: ${steps} steps on ${backend.name} · ${(perStep / 1000).toFixed(2)} s/step ` +
    `(UNets ${((100 * unet) / Math.max(1e-9, unet + rest)).toFixed(1)} %) · ` +
    `reference UNet ×${result.refUnetRuns}` +
    (result.cacheHits ? ` (${result.cacheHits} with cached unconditional features)` : "") +
    flowSummary(result) +
    scheduleSummary(schedule, family) +
    (backend.name === "webgpu" ? ` · ${memorySummary(frame, dtype, family)}` : "") +
    attentionSummary(attention) +
    // Why the UNets left the GPU (e.g. an adapter without fp16 shaders), as the session said.
    (wanted.name === "webgpu" && backend.name !== "webgpu" ? ` · ${backend.detail}` : "")
  );
}

/**
 * Leffa: virtual try-on and pose transfer (leffa.md §2.5). Defaults are Leffa's own. Try-on runs
 * the sampling loop on the four converted SD1.5 graphs of a try-on checkpoint; pose transfer on
 * the SDXL graphs of pose_transfer.pth, regenerating the whole frame (the mask is all ones, so the
 * masked person is blank) in the pose of `densepose` with the appearance of `reference`.
 */
export const leffaSamplerNode = defineNode({
  type: "leffa-sampler",
  // 3: repaint blurs as Pillow does; the scheduler follows the checkpoint's stored config.
  version: 3,
  title: "Leffa Sampler",
  category: "Generation",
  description:
    "Virtual try-on (person + garment + mask + DensePose) or pose transfer (source person + the target pose's DensePose IUV; person = the target-pose photo, for its frame).",
  inputs: {
    person: { type: "IMAGE", label: "person / target pose" },
    reference: { type: "IMAGE", label: "garment / source" },
    mask: { type: "MASK", optional: true },
    densepose: { type: "DENSEPOSE" },
  },
  outputs: { image: { type: "IMAGE" }, flow: { type: "FLOW" } },
  params: {
    model: param.select({
      label: "model",
      options: [
        { value: "viton_hd", label: "try-on: VITON-HD" },
        { value: "dress_code", label: "try-on: DressCode" },
        { value: "pose_transfer", label: "pose transfer" },
      ],
      default: "viton_hd",
    }),
    resolution: param.select({
      label: "resolution",
      options: [
        { value: "1024x768", label: "1024×768 (native)" },
        { value: "512x384", label: "512×384 (fast)" },
      ],
      default: "1024x768",
    }),
    steps: param.int({ label: "steps", min: 1, max: 100, default: 30, slider: true }),
    guidance: param.number({
      label: "guidance",
      min: 0,
      max: 10,
      step: 0.1,
      default: 2.5,
      slider: true,
    }),
    seed: param.seed({ label: "seed", default: 42 }),
    refAcceleration: param.boolean({ label: "ref acceleration", default: false }),
    repaint: param.boolean({ label: "repaint", default: false }),
    flow: param.select({
      label: "flow field",
      options: [
        { value: "low-noise", label: "steps with t < 500" },
        { value: "all", label: "every step" },
        { value: "off", label: "off" },
      ],
      default: "low-noise",
    }),
    flowTemperature: param.number({
      label: "flow τ",
      min: 0.1,
      max: 10,
      step: 0.1,
      default: 1,
    }),
  },
  models: Object.values(LEFFA_FAMILIES).flatMap((f) => f.models),
  modelsFor: (params) =>
    (LEFFA_FAMILIES[params.model as LeffaModelChoice] ?? LEFFA_FAMILIES.viton_hd).models,
  async run(ctx, inputs, params) {
    const family = LEFFA_FAMILIES[params.model as LeffaModelChoice];
    const poseTransfer = family.task === "pose transfer";
    // Availability first (cheap, and what a fresh install lacks), so a missing graph is named
    // before anything else is asked of the person.
    for (const id of family.models) await ctx.requireModel(id);
    const person = requireImage(inputs, "person");
    const reference = requireImage(inputs, "reference");
    const densepose = requireImage(inputs, "densepose");
    const maskInput = optionalMask(inputs, "mask");
    if (!maskInput && !poseTransfer) {
      throw new NodeError(
        "try-on needs a mask of the region to replace: connect one (Mask Generator makes it)",
      );
    }
    const frame = parseResolution(params.resolution);
    // Before anything loads: refuse what this backend cannot hold (pose transfer's 7.8 GB on the
    // 4 GB WASM heap), and a resolution this GPU cannot hold even with fp16 graphs (the lighter
    // variant; which one is installed shows only once a session has read the model).
    const problem =
      modelMemoryProblem(ctx.backend, family) ??
      capabilityProblem(ctx.backend, frame, "float16", family);
    if (problem) throw new NodeError(problem);
    // The scheduler the graphs were converted with (or Leffa's defaults for graphs converted
    // before it was stored); an unsupported setting is refused before the UNets load.
    const schedule = await samplerSchedule(family, ctx.modelFile?.bind(ctx));
    const sessions = await loadSessions(ctx, family);
    // Graphs converted with --dtype fp32 need twice the buffers: check again for what loaded.
    const dtype = inputFloatType(sessions.genUnet, "noisy_latent");
    const loadedProblem =
      dtype === "float16" ? undefined : capabilityProblem(ctx.backend, frame, dtype, family);
    if (loadedProblem) throw new NodeError(loadedProblem);

    const personFrame = fitImage(person, frame, WHITE, ctx.signal);
    // Pose transfer regenerates the whole frame: Leffa's mask is all white (leffa.md §2.3).
    const mask =
      maskInput && !poseTransfer
        ? fitMaskToFrame(maskInput, person.width, person.height, frame).data
        : new Float32Array(frame.width * frame.height).fill(1);
    const personPlanar = toSignedPlanar(personFrame);
    const referenceFrame = fitImage(reference, frame, WHITE, ctx.signal);
    const run = runLeffaSampler(
      sessions,
      {
        frame,
        maskedPerson: maskedPerson(personPlanar, mask),
        reference: toSignedPlanar(referenceFrame),
        mask,
        // DensePose is drawn on black (no body); it is fitted like the person it was made from.
        densepose: toSignedPlanar(fitImage(densepose, frame, BLACK, ctx.signal)),
      },
      {
        steps: params.steps,
        guidance: params.guidance,
        seed: params.seed,
        refAcceleration: params.refAcceleration,
        family: { ...family, scheduler: schedule.config },
        flow: {
          mode: params.flow as FlowMode,
          temperature: params.flowTemperature,
          topK: DEFAULT_FLOW_TOP_K,
        },
      },
      {
        signal: ctx.signal,
        tensor: ctx.tensor,
        progress: (step, steps, t) =>
          ctx.progress(step, steps, `step ${step} of ${steps} (t=${t})`),
        preview: ctx.preview ? (image: RgbaImage) => ctx.preview?.(image) : undefined,
        // About ten previews a run; the worker throttles them further.
        previewEvery: Math.max(1, Math.floor(params.steps / 10)),
        // The cache trades half a reference-UNet pass for a read-back and an upload of the
        // features: a win where tensors live in CPU memory, a loss on the GPU (on the software
        // adapter the read-backs took 70 % of a step), where the pair stays on the device instead.
        cache: sessions.refUnet.backend.name === "webgpu" ? undefined : unconditionalFeatures,
        // Features of fp16 and fp32 graphs differ: a reinstalled variant must not reuse them.
        cacheKey: `${family.models[2]}:${inputFloatType(sessions.refUnet, "ref_latent")}`,
        // Guidance and the DDPM step as a graph on the UNets' device: latents stay there.
        loadGraph: ctx.loadGraph,
      },
    );
    const result = await run.catch((err: unknown) => {
      // WebGPU cannot report a GPU's memory: when the device gives up, say what the run needed.
      if (!(err instanceof DeviceLostError) || !poseTransfer) throw err;
      throw new DeviceLostError(
        `${err.reason}; ${family.task} needs ` +
          `${memorySummary(frame, dtype, family)}. If this GPU has less, run it headless: ${HEADLESS_COMMAND}`,
      );
    });
    let generated = planarRgbToImage(result.image, frame.width, frame.height);
    // Repaint pastes the generation into the person through the mask: try-on only.
    if (params.repaint && !poseTransfer) {
      generated = repaint(personFrame, generated, mask, ctx.signal);
    }
    const flow = result.flow.field({
      width: frame.width,
      height: frame.height,
      referenceWidth: frame.width,
      referenceHeight: frame.height,
    });
    return {
      outputs: {
        image: unfitImage(generated, person.width, person.height, ctx.signal),
        flow: {
          ...flow,
          reference: referenceFrame,
          result: generated,
          mask: createMask(frame.width, frame.height, mask),
        } satisfies FlowField,
      },
      ui: {
        text: summary(
          result,
          sessions.genUnet.backend,
          ctx.backend,
          frame,
          dtype,
          family,
          schedule,
          sessions.genUnet.attention,
        ),
      },
    };
  },
});
