import { ATTENTION_METADATA_KEY, VAE_QUERY_CHUNKS, type AttentionMode } from "./attention-chunks";
import { GraphBuilder } from "../onnx/builder";
import type { VaeConfig } from "./config";
import {
  attention,
  castTo,
  conv,
  createOps,
  fromTokens,
  groupNorm,
  int64s,
  resnet,
  scalar,
  toTokens,
  upsampleNearest,
  type Ops,
} from "./graph-ops";
import type { WeightSource } from "./weights";

/**
 * The SD VAE (diffusers AutoencoderKL) as two ONNX graphs (leffa-keys.md §3, §6.5, §6.12–6.17):
 * - encoder: `image` in [−1, 1] → `latent` = posterior mean (first latent_channels of
 *   quant_conv) × scaling_factor (a deterministic stand-in for Leffa's `.sample()`);
 * - decoder: `latent` → ÷ scaling_factor → post_quant_conv → decoder → clamp((x + 1) / 2, 0, 1)
 *   as float32 `image`.
 * With dtype "fp16" the decoder's up blocks (where SD VAE activations outgrow fp16) run in fp32
 * from fp16-stored weights.
 */
export interface VaeGraphOptions {
  dtype?: "fp32" | "fp16";
  /**
   * The mid-block attention as one com.microsoft MultiHeadAttention node ("fused") or query
   * chunks ("chunked", the default); recorded in the model's metadata (ATTENTION_METADATA_KEY).
   */
  attention?: AttentionMode;
  /** Query chunks of the mid-block attention (it sees every latent pixel); default 64. */
  queryChunks?: number;
}

const EPS = 1e-6;

interface VaeState {
  readonly ops: Ops;
  readonly config: VaeConfig;
  readonly chunks: number;
  readonly attention: AttentionMode;
}

function vaeResnet(s: VaeState, x: string, prefix: string, cin: number, cout: number): string {
  return resnet(s.ops, x, prefix, cin, cout, { groups: s.config.norm_num_groups, eps: EPS });
}

/** UNetMidBlock2D: resnet → single-head attention (biased q/k/v) + residual → resnet. */
function midBlock(s: VaeState, x: string, prefix: string, c: number): string {
  const { ops } = s;
  let h = vaeResnet(s, x, `${prefix}.resnets.0`, c, c);
  const a = `${prefix}.attentions.0`;
  const normed = groupNorm(ops, h, `${a}.group_norm`, c, s.config.norm_num_groups, EPS);
  const tokens = toTokens(ops, normed, c);
  const attended = attention(ops, tokens, tokens, a, c, 1, {
    qkvBias: true,
    mode: s.attention,
    chunks: s.chunks,
  });
  [h] = ops.g.node("Add", [fromTokens(ops, attended, h), h]);
  return vaeResnet(s, h, `${prefix}.resnets.1`, c, c);
}

function newState(
  config: VaeConfig,
  weights: WeightSource,
  options: VaeGraphOptions,
  name: string,
): VaeState {
  const ops = createOps(new GraphBuilder(name), weights, options.dtype ?? "fp32");
  const attention = options.attention ?? "chunked";
  ops.g.setMetadata(ATTENTION_METADATA_KEY, attention);
  return { ops, config, chunks: options.queryChunks ?? VAE_QUERY_CHUNKS, attention };
}

export function buildVaeEncoder(
  config: VaeConfig,
  weights: WeightSource,
  options: VaeGraphOptions = {},
): GraphBuilder {
  const s = newState(config, weights, options, "leffa-vae-encoder");
  const { ops } = s;
  const { g } = ops;
  const ch = config.block_out_channels;
  const levels = ch.length;
  const z = config.latent_channels;
  const image = g.input("image", ops.act, ["B", config.in_channels, "H", "W"]);

  let h = conv(ops, image, "encoder.conv_in", config.in_channels, ch[0], 3);
  let channels = ch[0];
  for (let i = 0; i < levels; i++) {
    const p = `encoder.down_blocks.${i}`;
    for (let j = 0; j < config.layers_per_block; j++) {
      h = vaeResnet(s, h, `${p}.resnets.${j}`, channels, ch[i]);
      channels = ch[i];
    }
    if (i < levels - 1) {
      // diffusers pads right and bottom by one, then a stride-2 conv without padding.
      h = conv(ops, h, `${p}.downsamplers.0.conv`, channels, channels, 3, {
        stride: 2,
        pads: [0, 0, 1, 1],
      });
    }
  }
  h = midBlock(s, h, "encoder.mid_block", channels);
  h = groupNorm(ops, h, "encoder.conv_norm_out", channels, config.norm_num_groups, EPS, {
    silu: true,
  });
  h = conv(ops, h, "encoder.conv_out", channels, 2 * z, 3);
  const moments = conv(ops, h, "quant_conv", 2 * z, 2 * z, 1);
  const [mean] = g.node("Slice", [moments, int64s(ops, [0]), int64s(ops, [z]), int64s(ops, [1])]);
  g.node("Mul", [mean, scalar(ops, config.scaling_factor)], {}, ["latent"]);
  g.output("latent", ops.act, ["B", z, "h", "w"]);
  return g;
}

export function buildVaeDecoder(
  config: VaeConfig,
  weights: WeightSource,
  options: VaeGraphOptions = {},
): GraphBuilder {
  const s = newState(config, weights, options, "leffa-vae-decoder");
  const { ops } = s;
  const { g } = ops;
  const ch = config.block_out_channels;
  const levels = ch.length;
  const z = config.latent_channels;
  const top = ch[levels - 1];
  const latent = g.input("latent", ops.act, ["B", z, "h", "w"]);

  const [unscaled] = g.node("Div", [latent, scalar(ops, config.scaling_factor)]);
  let h = conv(ops, unscaled, "post_quant_conv", z, z, 1);
  h = conv(ops, h, "decoder.conv_in", z, top, 3);
  h = midBlock(s, h, "decoder.mid_block", top);

  // The up blocks run in fp32: their activations exceed fp16's range on real images.
  h = castTo(ops, h, ops.act, "float32");
  ops.act = "float32";
  const reversed = [...ch].reverse();
  let channels = top;
  for (let i = 0; i < levels; i++) {
    const p = `decoder.up_blocks.${i}`;
    for (let j = 0; j <= config.layers_per_block; j++) {
      h = vaeResnet(s, h, `${p}.resnets.${j}`, channels, reversed[i]);
      channels = reversed[i];
    }
    if (i < levels - 1) {
      h = conv(ops, upsampleNearest(ops, h), `${p}.upsamplers.0.conv`, channels, channels, 3);
    }
  }
  h = groupNorm(ops, h, "decoder.conv_norm_out", channels, config.norm_num_groups, EPS, {
    silu: true,
  });
  h = conv(ops, h, "decoder.conv_out", channels, config.out_channels, 3);
  const [half] = g.node("Mul", [h, scalar(ops, 0.5)]);
  const [shifted] = g.node("Add", [half, scalar(ops, 0.5)]);
  g.node("Clip", [shifted, scalar(ops, 0), scalar(ops, 1)], {}, ["image"]);
  g.output("image", "float32", ["B", config.out_channels, "H", "W"]);
  return g;
}
