import type { BackendInfo } from "../../core/types";
import { unetQueryChunks, VAE_QUERY_CHUNKS } from "../../../models/leffa/attention-chunks";
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

/** Live parameters per graph (leffa.md §1.4, §6): VAE encoder, decoder, ref UNet, gen UNet. */
const PARAMS = { vaeEncoder: 34.2e6, vaeDecoder: 49.5e6, refUnet: 815e6, genUnet: 815e6 };
const HEADS = 8;
/** Attention scores are computed in fp32 whatever the weights' dtype (softmax precision). */
const SCORE_BYTES = 4;
/** CFG batch: [unconditional, conditional]. */
const BATCH = 2;

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

/** Elements of the 16 reference features for one batch element (the §1.3 table). */
export function referenceFeatureElements(frame: Frame): number {
  const n = (frame.width / 8) * (frame.height / 8);
  return n * 5 * 320 + (n / 4) * 5 * 640 + (n / 16) * 5 * 1280 + (n / 64) * 1280;
}

export function estimateSamplerMemory(
  frame: Frame,
  dtype: SamplerDtype = "float16",
): SamplerMemory {
  const b = BYTES[dtype];
  const n = (frame.width / 8) * (frame.height / 8);
  const pixels = frame.width * frame.height;
  const weightsBytes =
    (PARAMS.vaeEncoder + PARAMS.vaeDecoder + PARAMS.refUnet + PARAMS.genUnet) * b;
  const referenceFeaturesBytes = BATCH * referenceFeatureElements(frame) * b;
  const chunk = Math.ceil(n / unetQueryChunks(0));
  const genAttention = BATCH * HEADS * chunk * 2 * n * SCORE_BYTES;
  const refAttention = BATCH * HEADS * chunk * n * SCORE_BYTES;
  // The VAE's mid-block self-attention: one head over the h·w latent tokens, both images at once.
  const vaeAttention = BATCH * Math.ceil(n / VAE_QUERY_CHUNKS) * n * SCORE_BYTES;
  // Largest activations: the VAE's 128-channel full-resolution maps, and the UNets' level-0
  // feed-forward (GEGLU, 2 × 1280 channels per token) — a few of each are alive at once.
  const vaeActivation = BATCH * 128 * pixels * b;
  const feedForward = BATCH * n * 2560 * b;
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

/**
 * Why this backend cannot run Leffa at `frame`/`dtype`, or undefined when it can (as far as the
 * estimate can tell). Off the GPU there are no buffer limits to compare with.
 */
export function capabilityProblem(
  backend: BackendInfo,
  frame: Frame,
  dtype: SamplerDtype = "float16",
): string | undefined {
  const limits = backend.limits;
  if (!limits) return undefined;
  const maxBuffer = Math.min(limits.maxBufferSize, limits.maxStorageBufferBindingSize);
  const need = estimateSamplerMemory(frame, dtype);
  if (need.largestBufferBytes <= maxBuffer) return undefined;
  const fast = estimateSamplerMemory(FAST_FRAME, "float16");
  const size = `${frame.height}×${frame.width}`;
  const advice =
    fast.largestBufferBytes <= maxBuffer &&
    (frame.width * frame.height > FAST_FRAME.width * FAST_FRAME.height || dtype !== "float16")
      ? `choose 512×384 with fp16 weights (largest buffer ${formatBytes(fast.largestBufferBytes)}, about ${formatBytes(fast.totalBytes)} in all)`
      : "even 512×384 with fp16 weights does not fit this GPU; run the studio on a GPU with larger buffers";
  return (
    `Leffa at ${size} (${dtype === "float16" ? "fp16" : "fp32"}) needs a single GPU buffer of ` +
    `${formatBytes(need.largestBufferBytes)} for ${need.largestBuffer}, but this GPU allows at ` +
    `most ${formatBytes(maxBuffer)} per buffer (about ${formatBytes(need.totalBytes)} of GPU ` +
    `memory in all); ${advice}.`
  );
}
