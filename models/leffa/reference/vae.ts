// diffusers AutoencoderKL (autoencoders/vae.py Encoder/Decoder, UNetMidBlock2D) as Leffa uses it:
// encode to the posterior mean × scaling_factor, decode from scaled latents to [0, 1] pixels.
import type { VaeConfig } from "../config";
import { silu } from "./activation";
import { multiHeadAttention } from "./attention";
import { namedConv2d } from "./conv";
import { linear } from "./linear";
import { groupNorm } from "./norm";
import { resizeNearest } from "./resample";
import { resnetBlock } from "./resnet";
import {
  type F64Tensor,
  type Weights,
  add,
  fromTokens,
  map,
  param,
  sliceAxis1,
  toTokens,
} from "./tensor";

/** Every VAE GroupNorm (resnets, mid attention, conv_norm_out) uses eps 1e-6. */
const VAE_EPS = 1e-6;

const conv = (w: Weights, name: string, x: F64Tensor, padding = 1) =>
  namedConv2d(w, name, x, { padding });

/** The mid block's attention: one head over all channels, biased projections, + residual. */
function midAttention(w: Weights, prefix: string, x: F64Tensor, groups: number): F64Tensor {
  const p = (name: string) => param(w, `${prefix}.${name}`);
  const [, , height, width] = x.shape;
  const tokens = toTokens(
    groupNorm(x, groups, p("group_norm.weight"), p("group_norm.bias"), VAE_EPS),
  );
  const q = linear(tokens, p("to_q.weight"), p("to_q.bias"));
  const k = linear(tokens, p("to_k.weight"), p("to_k.bias"));
  const v = linear(tokens, p("to_v.weight"), p("to_v.bias"));
  const out = linear(multiHeadAttention(q, k, v, 1), p("to_out.0.weight"), p("to_out.0.bias"));
  return add(fromTokens(out, height, width), x);
}

function midBlock(w: Weights, prefix: string, x: F64Tensor, groups: number): F64Tensor {
  const resnet = { groups, eps: VAE_EPS };
  let h = resnetBlock(w, `${prefix}.resnets.0`, x, null, resnet);
  h = midAttention(w, `${prefix}.attentions.0`, h, groups);
  return resnetBlock(w, `${prefix}.resnets.1`, h, null, resnet);
}

function outputHead(w: Weights, prefix: string, x: F64Tensor, groups: number): F64Tensor {
  const p = (name: string) => param(w, `${prefix}.${name}`);
  const normed = groupNorm(x, groups, p("conv_norm_out.weight"), p("conv_norm_out.bias"), VAE_EPS);
  return conv(w, `${prefix}.conv_out`, silu(normed));
}

/** image [B, 3, H, W] in [−1, 1] → latent [B, latent_channels, H/2^(n−1), …] (mean × scale). */
export function referenceVaeEncode(config: VaeConfig, w: Weights, image: F64Tensor): F64Tensor {
  const groups = config.norm_num_groups;
  const levels = config.block_out_channels.length;
  let h = conv(w, "encoder.conv_in", image);
  for (let i = 0; i < levels; i++) {
    for (let j = 0; j < config.layers_per_block; j++) {
      h = resnetBlock(w, `encoder.down_blocks.${i}.resnets.${j}`, h, null, {
        groups,
        eps: VAE_EPS,
      });
    }
    if (i < levels - 1) {
      // downsample_padding 0: pad one zero row/column at the bottom/right, then stride 2.
      h = namedConv2d(w, `encoder.down_blocks.${i}.downsamplers.0.conv`, h, {
        stride: 2,
        padding: [0, 0, 1, 1],
      });
    }
  }
  h = midBlock(w, "encoder.mid_block", h, groups);
  const moments = conv(w, "quant_conv", outputHead(w, "encoder", h, groups), 0);
  // The first latent_channels are the mean, the rest the log-variance (unused for the mean).
  const mean = sliceAxis1(moments, 0, config.latent_channels);
  return map(mean, (v) => v * config.scaling_factor);
}

/** scaled latent → image [B, 3, H, W] in [0, 1]: ÷ scale, post_quant_conv, decoder, clamp. */
export function referenceVaeDecode(config: VaeConfig, w: Weights, latent: F64Tensor): F64Tensor {
  const groups = config.norm_num_groups;
  const levels = config.block_out_channels.length;
  const z = map(latent, (v) => v / config.scaling_factor);
  let h = conv(w, "decoder.conv_in", conv(w, "post_quant_conv", z, 0));
  h = midBlock(w, "decoder.mid_block", h, groups);
  for (let i = 0; i < levels; i++) {
    for (let j = 0; j <= config.layers_per_block; j++) {
      h = resnetBlock(w, `decoder.up_blocks.${i}.resnets.${j}`, h, null, { groups, eps: VAE_EPS });
    }
    if (i < levels - 1) {
      const [, , height, width] = h.shape;
      h = conv(
        w,
        `decoder.up_blocks.${i}.upsamplers.0.conv`,
        resizeNearest(h, height * 2, width * 2),
      );
    }
  }
  const x = outputHead(w, "decoder", h, groups);
  return map(x, (v) => Math.min(1, Math.max(0, (v + 1) / 2)));
}
