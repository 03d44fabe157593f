import { WASM_HEAP_BYTES, type BackendInfo } from "../../core/types";
import { unetQueryChunks, VAE_QUERY_CHUNKS } from "../../../models/leffa/attention-chunks";
import { refFeatureElements, refFeatureLayout } from "../../../models/leffa/features";
import { unetKeys, vaeKeys } from "../../../models/leffa/keys";
import { SD15_VAE } from "../../../models/leffa/config";
import { LEFFA_FAMILIES, type LeffaFamily } from "./family";
import type { Frame } from "./prepare";

/**
 * What a Leffa run needs from the GPU, estimated before anything loads, so a run that cannot fit
 * fails at once with advice instead of minutes later with a lost device (leffa.md §1.3, §1.4,
 * §6.6). WebGPU exposes no memory size, only the largest buffer a device accepts; the largest
 * single buffer is therefore what is compared, and the total is reported for the person to judge.
 *
 * Attention is the classic worst case: the generative UNet's level-0 scores are [B = 2, 8 heads,
 * N queries, 2N keys] with N = h·w (the reference tokens are concatenated to the keys), 19 GB in
 * fp32 at 1024×768. The converted graphs split the queries into chunks
 * (models/leffa/attention-chunks.ts) and take the softmax in fp32, so one chunk's scores are what
 * must fit: about 300 MB at 1024×768, 19 MB at 512×384.
 */

export type SamplerDtype = "float16" | "float32";

const BYTES: Record<SamplerDtype, number> = { float16: 2, float32: 4 };

/** Attention scores are computed in fp32 whatever the weights' dtype (softmax precision). */
const SCORE_BYTES = 4;
/** CFG batch: [unconditional, conditional]. */
const BATCH = 2;

const count = (keys: { shape: number[]; status: string }[]) =>
  keys
    .filter((k) => k.status === "live")
    .reduce((n, k) => n + k.shape.reduce((a, b) => a * b, 1), 0);

const paramCache = new Map<LeffaFamily, { unets: number; vae: number }>();

/** Live parameters (the ones the graphs hold): both UNets, and the VAE (SD1.5 and SDXL alike). */
export function liveParameters(family: LeffaFamily): { unets: number; vae: number } {
  let params = paramCache.get(family);
  if (!params) {
    const unets =
      count(unetKeys({ ...family.unet, in_channels: 4 }, "ref")) +
      count(unetKeys({ ...family.unet, in_channels: 12 }, "gen"));
    params = { unets, vae: count(vaeKeys(SD15_VAE)) };
    paramCache.set(family, params);
  }
  return params;
}

/** The graphs' weights: both UNets in `dtype`, the VAE too (fp32 always for SDXL). */
export function weightBytes(family: LeffaFamily, dtype: SamplerDtype): number {
  const params = liveParameters(family);
  const vae = family.vaeFloat === "float32" ? 4 : BYTES[dtype];
  return params.unets * BYTES[dtype] + params.vae * vae;
}

export interface SamplerMemory {
  readonly weightsBytes: number;
  readonly referenceFeaturesBytes: number;
  readonly activationsBytes: number;
  readonly attentionBytes: number;
  readonly totalBytes: number;
  readonly largestBufferBytes: number;
  /** What the largest buffer is, for the message. */
  readonly largestBuffer: string;
}

export function estimateSamplerMemory(
  frame: Frame,
  dtype: SamplerDtype = "float16",
  family: LeffaFamily = LEFFA_FAMILIES.viton_hd,
): SamplerMemory {
  const b = BYTES[dtype];
  // The SDXL VAE is fp32 whatever the UNets are (it overflows in fp16).
  const vb = family.vaeFloat === "float32" ? 4 : b;
  const h = frame.height / 8;
  const w = frame.width / 8;
  const n = h * w;
  const pixels = frame.width * frame.height;
  const weightsBytes = weightBytes(family, dtype);
  const referenceFeaturesBytes = BATCH * refFeatureElements(family.unet, h, w) * b;
  // Per attention level: one query chunk's scores, and the feed-forward's GEGLU projection
  // (8·C channels per token); the finest level with attention is the largest for both.
  let genAttention = 0;
  let refAttention = 0;
  let feedForward = 0;
  for (const f of refFeatureLayout(family.unet)) {
    const tokens = n / 4 ** f.level;
    const chunk = Math.ceil(tokens / unetQueryChunks(f.level));
    genAttention = Math.max(genAttention, BATCH * f.heads * chunk * 2 * tokens * SCORE_BYTES);
    refAttention = Math.max(refAttention, BATCH * f.heads * chunk * tokens * SCORE_BYTES);
    feedForward = Math.max(feedForward, BATCH * tokens * 8 * f.channels * b);
  }
  // The VAE's mid-block self-attention: one head over the h·w latent tokens, both images at once.
  const vaeAttention = BATCH * Math.ceil(n / VAE_QUERY_CHUNKS) * n * SCORE_BYTES;
  // Largest activations: the VAE's 128-channel full-resolution maps, and the UNets' feed-forward
  // — a few of each are alive at once.
  const vaeActivation = BATCH * 128 * pixels * vb;
  const activationsBytes = 3 * Math.max(vaeActivation, feedForward);
  const candidates: ReadonlyArray<readonly [string, number]> = [
    ["the generative UNet's attention scores", genAttention],
    ["the reference UNet's attention scores", refAttention],
    ["the VAE's attention scores", vaeAttention],
    ["the VAE's full-resolution activations", vaeActivation],
  ];
  const [largestBuffer, largestBufferBytes] = candidates.reduce((a, c) => (c[1] > a[1] ? c : a));
  const attentionBytes = Math.max(genAttention, vaeAttention);
  return {
    weightsBytes,
    referenceFeaturesBytes,
    activationsBytes,
    attentionBytes,
    totalBytes: weightsBytes + referenceFeaturesBytes + activationsBytes + attentionBytes,
    largestBufferBytes,
    largestBuffer,
  };
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
  return `${Math.round(bytes / 1024 ** 2)} MB`;
}

/** The smaller frame the node offers, suggested when the chosen one does not fit. */
export const FAST_FRAME: Frame = { height: 512, width: 384 };

/** The headless command, for what a browser tab cannot hold. */
export const HEADLESS_COMMAND =
  "npm run studio -- run <workflow.json> --input <nodeId>=<image> --out <dir>";

function label(family: LeffaFamily): string {
  return family.task === "pose transfer" ? "Leffa pose transfer" : "Leffa";
}

/**
 * Why this backend cannot even load `family`'s graphs, or undefined: they must fit the backend's
 * model memory — the 4 GB WebAssembly heap on WASM, which Leffa try-on (3.4 GB in fp16) fits and
 * pose transfer (7.8 GB) never does; headless, onnxruntime-node has no such limit. Checked with
 * the fp16 weights (the lightest conversion) before anything loads.
 */
export function modelMemoryProblem(backend: BackendInfo, family: LeffaFamily): string | undefined {
  const heap = backend.name === "wasm" ? WASM_HEAP_BYTES : backend.modelBytesLimit;
  const weights = weightBytes(family, "float16");
  if (heap === undefined || weights <= heap) return undefined;
  return (
    `${label(family)} holds ${formatBytes(weights)} of weights (${family.base}, ` +
    `${(liveParameters(family).unets / 1e9).toFixed(1)} B UNet parameters), but ` +
    `${backend.name === "wasm" ? "WebAssembly" : "this runtime"} can hold at most ` +
    `${formatBytes(heap)} of models. Run it on a WebGPU device with more memory than that, or ` +
    `headless on this machine's CPU (onnxruntime-node, no such limit): ${HEADLESS_COMMAND}`
  );
}

/**
 * Why this backend cannot run Leffa at `frame`/`dtype`, or undefined when it can (as far as the
 * estimate can tell). Off the GPU there are no buffer limits to compare with.
 */
export function capabilityProblem(
  backend: BackendInfo,
  frame: Frame,
  dtype: SamplerDtype = "float16",
  family: LeffaFamily = LEFFA_FAMILIES.viton_hd,
): string | undefined {
  const limits = backend.limits;
  if (!limits) return undefined;
  const need = estimateSamplerMemory(frame, dtype, family);
  const maxBuffer = Math.min(limits.maxBufferSize, limits.maxStorageBufferBindingSize);
  if (need.largestBufferBytes <= maxBuffer) return undefined;
  const fast = estimateSamplerMemory(FAST_FRAME, "float16", family);
  const size = `${frame.height}×${frame.width}`;
  const advice =
    fast.largestBufferBytes <= maxBuffer &&
    (frame.width * frame.height > FAST_FRAME.width * FAST_FRAME.height || dtype !== "float16")
      ? `choose 512×384 with fp16 weights (largest buffer ${formatBytes(fast.largestBufferBytes)}, about ${formatBytes(fast.totalBytes)} in all)`
      : `even 512×384 with fp16 weights does not fit this GPU; run the studio on a GPU with larger buffers, or headless: ${HEADLESS_COMMAND}`;
  return (
    `${label(family)} at ${size} (${dtype === "float16" ? "fp16" : "fp32"}) needs a single GPU buffer of ` +
    `${formatBytes(need.largestBufferBytes)} for ${need.largestBuffer}, but this GPU allows at ` +
    `most ${formatBytes(maxBuffer)} per buffer (about ${formatBytes(need.totalBytes)} of GPU ` +
    `memory in all); ${advice}.`
  );
}

/**
 * What a run will ask of the device, in one line for the node's summary: WebGPU cannot report
 * a GPU's memory, so the person sees the estimate next to the result (or the failure).
 */
export function memorySummary(frame: Frame, dtype: SamplerDtype, family: LeffaFamily): string {
  const need = estimateSamplerMemory(frame, dtype, family);
  return `about ${formatBytes(need.totalBytes)} of device memory (${formatBytes(need.weightsBytes)} weights)`;
}
