// Leffa's two UNets (leffa/diffusion_model/unet_ref.py, unet_gen.py): diffusers'
// UNet2DConditionModel without text conditioning. They share one walk; they differ in conv_in's
// input, in what their transformer blocks do with reference features, and in the tail.
import type { UNetConfig } from "../config";
import { headsAt, transformerLayersAt } from "../config";
import { silu } from "./activation";
import { conv2d, namedConv2d } from "./conv";
import { groupNorm } from "./norm";
import { resizeNearest } from "./resample";
import { resnetBlock } from "./resnet";
import { timeEmbedding } from "./time-embedding";
import {
  AllFeaturesCaptured,
  type Projections,
  type ReferenceMode,
  type TransformerOptions,
  transformer2d,
} from "./transformer";
import {
  type F64Tensor,
  type Weights,
  assertShape,
  batchElement,
  concatAxis1,
  param,
} from "./tensor";

const CROSS_ATTN_DOWN = "CrossAttnDownBlock2D";
const CROSS_ATTN_UP = "CrossAttnUpBlock2D";

function checkBlockTypes(config: UNetConfig): void {
  const known = new Set(["CrossAttnDownBlock2D", "DownBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"]);
  for (const t of [...config.down_block_types, ...config.up_block_types]) {
    if (!known.has(t)) throw new Error(`unsupported UNet block type "${t}"`);
  }
  if (config.mid_block_type && config.mid_block_type !== "UNetMidBlock2DCrossAttn") {
    throw new Error(`unsupported mid block type "${config.mid_block_type}"`);
  }
}

/** How many transformer blocks (= reference features) the UNet has, in down → mid → up order. */
export function referenceFeatureCount(config: UNetConfig): number {
  const levels = config.block_out_channels.length;
  let count = transformerLayersAt(config, levels - 1); // the mid block
  config.down_block_types.forEach((t, i) => {
    if (t === CROSS_ATTN_DOWN) count += config.layers_per_block * transformerLayersAt(config, i);
  });
  config.up_block_types.forEach((t, i) => {
    // Up blocks mirror the down levels and hold one more resnet/attention pair each.
    if (t === CROSS_ATTN_UP)
      count += (config.layers_per_block + 1) * transformerLayersAt(config, levels - 1 - i);
  });
  return count;
}

/** Runs conv_in … up_blocks and returns the feature map before conv_norm_out. */
function unetBody(
  config: UNetConfig,
  w: Weights,
  input: F64Tensor,
  timesteps: readonly number[],
  mode: ReferenceMode,
): F64Tensor {
  checkBlockTypes(config);
  const channels = config.block_out_channels;
  const levels = channels.length;
  if (timesteps.length !== input.shape[0]) {
    throw new Error(`${timesteps.length} timesteps for a batch of ${input.shape[0]}`);
  }
  const resnet = { groups: config.norm_num_groups, eps: config.norm_eps };
  const attention = (level: number): TransformerOptions => ({
    heads: headsAt(config, level),
    groups: config.norm_num_groups,
    layers: transformerLayersAt(config, level),
    linearProjection: config.use_linear_projection ?? false,
  });

  const temb = timeEmbedding(w, timesteps, channels[0], config.flip_sin_to_cos, config.freq_shift);
  let h = conv2d(
    input,
    param(w, "conv_in.weight", [channels[0], input.shape[1], 3, 3]),
    param(w, "conv_in.bias"),
    { padding: 1 },
  );

  // Down path: every resnet(+attention) output and every downsampler output is kept as a skip.
  const skips: F64Tensor[] = [h];
  config.down_block_types.forEach((type, i) => {
    const block = `down_blocks.${i}`;
    for (let j = 0; j < config.layers_per_block; j++) {
      h = resnetBlock(w, `${block}.resnets.${j}`, h, temb, resnet);
      if (type === CROSS_ATTN_DOWN) {
        h = transformer2d(w, `${block}.attentions.${j}`, h, attention(i), mode);
      }
      skips.push(h);
    }
    if (i < levels - 1) {
      h = namedConv2d(w, `${block}.downsamplers.0.conv`, h, { stride: 2, padding: 1 });
      skips.push(h);
    }
  });

  // Mid block: resnet, attention, resnet at the deepest level.
  h = resnetBlock(w, "mid_block.resnets.0", h, temb, resnet);
  h = transformer2d(w, "mid_block.attentions.0", h, attention(levels - 1), mode);
  h = resnetBlock(w, "mid_block.resnets.1", h, temb, resnet);

  // Up path: each resnet takes concat(h, last skip) on channels, hidden first.
  config.up_block_types.forEach((type, i) => {
    const block = `up_blocks.${i}`;
    const level = levels - 1 - i;
    for (let j = 0; j <= config.layers_per_block; j++) {
      const skip = skips.pop();
      if (!skip) throw new Error("UNet up path ran out of skip connections");
      h = resnetBlock(w, `${block}.resnets.${j}`, concatAxis1([h, skip]), temb, resnet);
      if (type === CROSS_ATTN_UP) {
        h = transformer2d(w, `${block}.attentions.${j}`, h, attention(level), mode);
      }
    }
    if (i < levels - 1) {
      // Nearest ×2, or to the next skip's size when a side was odd on the way down.
      const [, , skipH, skipW] = skips[skips.length - 1].shape;
      h = namedConv2d(w, `${block}.upsamplers.0.conv`, resizeNearest(h, skipH, skipW), {
        padding: 1,
      });
    }
  });
  return h;
}

/**
 * The reference UNet on the garment latent: the LayerNorm1 output of every transformer block,
 * [B, N, C] each, in down → mid → up order. Nothing after the last capture runs.
 */
export function referenceRefUNet(
  config: UNetConfig,
  w: Weights,
  refLatent: F64Tensor,
  timestep: number[],
): F64Tensor[] {
  const total = referenceFeatureCount(config);
  const mode: ReferenceMode = { kind: "capture", features: [], total };
  try {
    unetBody(config, w, refLatent, timestep, mode);
  } catch (e) {
    if (e instanceof AllFeaturesCaptured) return mode.features;
    throw e;
  }
  throw new Error(`the UNet captured ${mode.features.length} features, expected ${total}`);
}

export interface GenUNetInputs {
  noisy: F64Tensor;
  mask: F64Tensor;
  masked: F64Tensor;
  densepose: F64Tensor;
}

/**
 * The generative UNet: ε for concat(noisy 4, mask 1, masked 4, densepose 3) at `timestep`, its
 * self-attentions also attending to `refs` (the reference UNet's features, in its order).
 */
export function referenceGenUNet(
  config: UNetConfig,
  w: Weights,
  x: GenUNetInputs,
  timestep: number[],
  refs: F64Tensor[],
): F64Tensor {
  return referenceGenUNetWithProjections(config, w, x, timestep, refs, [], 0).noisePred;
}

export interface GenUNetWithProjections {
  noisePred: F64Tensor;
  /** Per chosen feature index: q [1, N, C] and k [1, 2N, C] of batch element `batchIndex`. */
  projections: Map<number, Projections>;
}

/**
 * referenceGenUNet that also reports, for the self-attentions of the chosen reference-feature
 * indices, the projected queries and keys (own tokens then reference tokens) of one batch
 * element: what the flow visualiser reads (leffa.md §3.2).
 */
export function referenceGenUNetWithProjections(
  config: UNetConfig,
  w: Weights,
  x: GenUNetInputs,
  timestep: number[],
  refs: F64Tensor[],
  layers: readonly number[],
  batchIndex: number,
): GenUNetWithProjections {
  const [batch, , height, width] = x.noisy.shape;
  assertShape(x.noisy, [batch, 4, height, width], "noisy latent");
  assertShape(x.mask, [batch, 1, height, width], "mask latent");
  assertShape(x.masked, [batch, 4, height, width], "masked latent");
  assertShape(x.densepose, [batch, 3, height, width], "densepose latent");
  const expected = referenceFeatureCount(config);
  if (refs.length !== expected) {
    throw new Error(`${refs.length} reference features, the UNet has ${expected} blocks`);
  }
  const input = concatAxis1([x.noisy, x.mask, x.masked, x.densepose]);
  for (const k of layers) {
    if (!Number.isInteger(k) || k < 0 || k >= expected) {
      throw new Error(`no self-attention layer ${k}: the UNet has ${expected}`);
    }
  }
  if (!Number.isInteger(batchIndex) || batchIndex < 0 || batchIndex >= batch) {
    throw new Error(`batch element ${batchIndex} of a batch of ${batch}`);
  }
  const recorded = new Map<number, Projections>();
  const mode: ReferenceMode = {
    kind: "inject",
    features: refs,
    next: 0,
    record: new Set(layers),
    projections: recorded,
  };
  const h = unetBody(config, w, input, timestep, mode);
  const normed = groupNorm(
    h,
    config.norm_num_groups,
    param(w, "conv_norm_out.weight"),
    param(w, "conv_norm_out.bias"),
    config.norm_eps,
  );
  const noisePred = namedConv2d(w, "conv_out", silu(normed), { padding: 1 });
  const projections = new Map<number, Projections>();
  for (const k of layers) {
    const p = recorded.get(k);
    if (!p) throw new Error(`internal: self-attention layer ${k} was never run`);
    projections.set(k, { q: batchElement(p.q, batchIndex), k: batchElement(p.k, batchIndex) });
  }
  return { noisePred, projections };
}
