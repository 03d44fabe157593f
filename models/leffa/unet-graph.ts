import { ATTENTION_METADATA_KEY, unetQueryChunks, type AttentionMode } from "./attention-chunks";
import { GraphBuilder, type Dim } from "../onnx/builder";
import { headsAt, transformerLayersAt, type UNetConfig } from "./config";
import {
  attention,
  castTo,
  constant,
  conv,
  createOps,
  feedForward,
  fromTokens,
  groupNorm,
  int64s,
  layerNorm,
  linear,
  resnet,
  silu,
  toTokens,
  upsampleNearest,
  type Ops,
} from "./graph-ops";
import { tokensAtLevel } from "./features";
import { refFeatureCount } from "./keys";
import type { WeightSource } from "./weights";

/**
 * The two Leffa UNets as ONNX graphs (leffa.md §1.2–1.3, leffa-keys.md §2, §5, §6).
 * - Reference UNet: `ref_latent`, `timestep` → `ref_00`…: each transformer block's LayerNorm1
 *   output, in down → mid → up order; everything after the last capture is left out.
 * - Generative UNet: noisy / mask / masked / densepose latents (concatenated to 12 channels),
 *   `timestep`, the reference features → `noise_pred`. Self-attention takes Q from its own N
 *   tokens and K, V from concat(own normed tokens, reference feature); the removed
 *   cross-attention leaves `h = h + LayerNorm2(h)`.
 *   With `flowLayers`, chosen self-attentions also hand out their projected queries and keys for
 *   the flow-field visualiser (leffa.md §3.2): `flow_q_XX` = to_q(LN1(h)) [1, N, C] and
 *   `flow_k_XX` = to_k(concat(LN1(h), ref_XX)) [1, 2N, C], last batch element only.
 */
export interface UNetGraphOptions {
  dtype?: "fp32" | "fp16";
  /**
   * Self-attention as one com.microsoft MultiHeadAttention node ("fused") or query-chunked
   * MatMul/Softmax ("chunked", the default: standard ops only). Recorded in the model's metadata
   * (ATTENTION_METADATA_KEY). The flow outputs are the projected q/k, which both modes compute
   * before the attention core, so they exist and agree in either mode.
   */
  attention?: AttentionMode;
  /**
   * Query chunks for self-attention (chunked mode) at resolution level `level` (0 = full latent). The default,
   * 64 / 4^level, keeps each chunk's fp32 scores for 1024×768 near 150 MB per image.
   */
  queryChunks?: (level: number) => number;
  /**
   * Generative UNet only: the reference-feature indices (see refName) whose self-attention also
   * outputs its projected queries and keys (`flow_q_XX`, `flow_k_XX`). They are the tensors the
   * attention computes anyway, sliced to the last batch element: the sampler runs [uncond, cond],
   * and only the conditional branch sees the garment. Default: none.
   */
  flowLayers?: readonly number[];
}

export function flowQueryName(k: number): string {
  return `flow_q_${String(k).padStart(2, "0")}`;
}

export function flowKeyName(k: number): string {
  return `flow_k_${String(k).padStart(2, "0")}`;
}

/** Throws a clear error unless `layers` are distinct whole indices of the UNet's features. */
export function checkFlowLayers(config: UNetConfig, layers: readonly number[]): void {
  const total = refFeatureCount(config);
  for (const k of layers) {
    if (!Number.isInteger(k) || k < 0 || k >= total) {
      throw new Error(
        `flow layer ${k} does not exist: the generative UNet has ${total} self-attention layers ` +
          `(reference features 0…${total - 1})`,
      );
    }
  }
  const repeated = layers.find((k, i) => layers.indexOf(k) !== i);
  if (repeated !== undefined) throw new Error(`flow layer ${repeated} is listed twice`);
}

export function refName(k: number): string {
  return `ref_${String(k).padStart(2, "0")}`;
}

interface UNetState {
  readonly ops: Ops;
  readonly config: UNetConfig;
  readonly role: "ref" | "gen";
  readonly chunks: (level: number) => number;
  readonly attention: AttentionMode;
  readonly total: number;
  /** Next reference feature index (captured by ref, consumed by gen). */
  next: number;
  /** Ref role: the last feature has been captured; nothing after it is built. */
  done: boolean;
  temb: { silu: string; channels: number };
  /** Gen role: the feature indices that get flow outputs. */
  readonly flowLayers: ReadonlySet<number>;
  /** Flow outputs built so far, declared as graph outputs after noise_pred. */
  readonly flowOutputs: { name: string; shape: Dim[] }[];
}

/** The last element of the batch axis, kept as a batch of one (works for batch 1 or 2). */
function lastBatchElement(ops: Ops, x: string): string {
  const ends = int64s(ops, [Number.MAX_SAFE_INTEGER]);
  return ops.g.node("Slice", [x, int64s(ops, [-1]), ends, int64s(ops, [0])])[0];
}

function timestepEmbedding(s: UNetState, timestep: string): string {
  const { ops, config } = s;
  const { g } = ops;
  const c0 = config.block_out_channels[0];
  const half = c0 / 2;
  // diffusers get_timestep_embedding: freq_i = exp(−ln(10000)·i / (half − freq_shift)), fp32.
  const freqs = Array.from({ length: half }, (_, i) =>
    Math.exp((-Math.log(10000) * i) / (half - config.freq_shift)),
  );
  const [t] = g.node("Unsqueeze", [timestep, int64s(ops, [1])]);
  const [arg] = g.node("Mul", [t, constant(ops, freqs, [1, half], "float32")]);
  const [sin] = g.node("Sin", [arg]);
  const [cos] = g.node("Cos", [arg]);
  const parts = config.flip_sin_to_cos ? [cos, sin] : [sin, cos];
  const [emb32] = g.node("Concat", parts, { axis: 1 });
  const emb = castTo(ops, emb32, "float32", ops.act);
  const temb = 4 * c0;
  const h = silu(ops, linear(ops, emb, "time_embedding.linear_1", c0, temb));
  return linear(ops, h, "time_embedding.linear_2", temb, temb);
}

/** One BasicTransformerBlock (Leffa ref or gen variant); returns the new hidden tokens. */
function transformerBlock(
  s: UNetState,
  h: string,
  prefix: string,
  c: number,
  heads: number,
  level: number,
): string {
  const { ops } = s;
  const { g } = ops;
  const eps = 1e-5;
  const normed = layerNorm(ops, h, `${prefix}.norm1`, c, eps);
  const k = s.next++;
  let kv = normed;
  if (s.role === "ref") {
    g.node("Identity", [normed], {}, [refName(k)]);
    g.output(refName(k), ops.act, ["B", tokensAtLevel(level), c]);
    if (k === s.total - 1) {
      s.done = true;
      return h;
    }
  } else {
    const ref = g.input(refName(k), ops.act, ["B", tokensAtLevel(level), c]);
    [kv] = g.node("Concat", [normed, ref], { axis: 1 });
  }
  const flow = s.role === "gen" && s.flowLayers.has(k);
  const a = attention(ops, normed, kv, `${prefix}.attn1`, c, heads, {
    qkvBias: false,
    mode: s.attention,
    chunks: s.chunks(level),
    onProjections: flow
      ? ({ q, k: keys }) => {
          const tokens = tokensAtLevel(level);
          g.node("Identity", [lastBatchElement(ops, q)], {}, [flowQueryName(k)]);
          g.node("Identity", [lastBatchElement(ops, keys)], {}, [flowKeyName(k)]);
          s.flowOutputs.push({ name: flowQueryName(k), shape: [1, tokens, c] });
          s.flowOutputs.push({ name: flowKeyName(k), shape: [1, `2*${tokens}`, c] });
        }
      : undefined,
  });
  [h] = g.node("Add", [h, a]);
  // SkipAttnProcessor returns norm2(h) unchanged and the block adds it as a residual.
  [h] = g.node("Add", [h, layerNorm(ops, h, `${prefix}.norm2`, c, eps)]);
  const ff = feedForward(ops, layerNorm(ops, h, `${prefix}.norm3`, c, eps), `${prefix}.ff`, c);
  return g.node("Add", [h, ff])[0];
}

/** Transformer2DModel: GN → proj_in → blocks → proj_out → + input. */
function transformer2d(
  s: UNetState,
  x: string,
  prefix: string,
  c: number,
  heads: number,
  depth: number,
  level: number,
): string {
  const { ops, config } = s;
  const { g } = ops;
  const linearProjection = config.use_linear_projection ?? false;
  let h = groupNorm(ops, x, `${prefix}.norm`, c, config.norm_num_groups, 1e-6);
  let tokens: string;
  if (linearProjection) {
    tokens = linear(ops, toTokens(ops, h, c), `${prefix}.proj_in`, c, c);
  } else {
    tokens = toTokens(ops, conv(ops, h, `${prefix}.proj_in`, c, c, 1), c);
  }
  for (let t = 0; t < depth; t++) {
    tokens = transformerBlock(s, tokens, `${prefix}.transformer_blocks.${t}`, c, heads, level);
    if (s.done) return x;
  }
  if (linearProjection) {
    h = fromTokens(ops, linear(ops, tokens, `${prefix}.proj_out`, c, c), x);
  } else {
    h = conv(ops, fromTokens(ops, tokens, x), `${prefix}.proj_out`, c, c, 1);
  }
  return g.node("Add", [h, x])[0];
}

function unetResnet(s: UNetState, x: string, prefix: string, cin: number, cout: number): string {
  const norm = { groups: s.config.norm_num_groups, eps: s.config.norm_eps };
  return resnet(s.ops, x, prefix, cin, cout, norm, s.temb);
}

const hasAttention = (type: string) => type.startsWith("CrossAttn");

/** The UNet body from the conv_in output; returns the conv_out output (gen) or nothing (ref). */
function unetBody(s: UNetState, sample: string, timestep: string): string | undefined {
  const { ops, config } = s;
  const { g } = ops;
  const ch = config.block_out_channels;
  const levels = ch.length;
  const layers = config.layers_per_block;
  const temb = timestepEmbedding(s, timestep);
  s.temb = { silu: silu(ops, temb), channels: 4 * ch[0] };

  let h = conv(ops, sample, "conv_in", config.in_channels, ch[0], 3);
  const skips: { name: string; channels: number }[] = [{ name: h, channels: ch[0] }];
  let channels = ch[0];
  for (let i = 0; i < levels; i++) {
    const p = `down_blocks.${i}`;
    for (let j = 0; j < layers; j++) {
      h = unetResnet(s, h, `${p}.resnets.${j}`, channels, ch[i]);
      channels = ch[i];
      if (hasAttention(config.down_block_types[i])) {
        const depth = transformerLayersAt(config, i);
        h = transformer2d(s, h, `${p}.attentions.${j}`, ch[i], headsAt(config, i), depth, i);
      }
      skips.push({ name: h, channels });
    }
    if (i < levels - 1) {
      h = conv(ops, h, `${p}.downsamplers.0.conv`, channels, channels, 3, { stride: 2 });
      skips.push({ name: h, channels });
    }
  }

  const top = ch[levels - 1];
  const midLevel = levels - 1;
  h = unetResnet(s, h, "mid_block.resnets.0", top, top);
  const midDepth = transformerLayersAt(config, midLevel);
  h = transformer2d(
    s,
    h,
    "mid_block.attentions.0",
    top,
    headsAt(config, midLevel),
    midDepth,
    midLevel,
  );
  h = unetResnet(s, h, "mid_block.resnets.1", top, top);

  const reversed = [...ch].reverse();
  for (let i = 0; i < levels; i++) {
    const p = `up_blocks.${i}`;
    const level = levels - 1 - i;
    for (let j = 0; j <= layers; j++) {
      const skip = skips.pop();
      if (!skip) throw new Error("internal: skip stack underflow");
      [h] = g.node("Concat", [h, skip.name], { axis: 1 });
      h = unetResnet(s, h, `${p}.resnets.${j}`, channels + skip.channels, reversed[i]);
      channels = reversed[i];
      if (hasAttention(config.up_block_types[i])) {
        const depth = transformerLayersAt(config, level);
        h = transformer2d(
          s,
          h,
          `${p}.attentions.${j}`,
          channels,
          headsAt(config, level),
          depth,
          level,
        );
        if (s.done) return undefined;
      }
    }
    if (i < levels - 1) {
      // Upsample to the next skip's size (diffusers' upsample_size), exact for odd sizes too.
      const up = upsampleNearest(ops, h, skips[skips.length - 1].name);
      h = conv(ops, up, `${p}.upsamplers.0.conv`, channels, channels, 3);
    }
  }
  h = groupNorm(ops, h, "conv_norm_out", ch[0], config.norm_num_groups, config.norm_eps, {
    silu: true,
  });
  return conv(ops, h, "conv_out", ch[0], config.out_channels, 3);
}

function newState(
  config: UNetConfig,
  weights: WeightSource,
  role: "ref" | "gen",
  options: UNetGraphOptions,
  name: string,
): UNetState {
  const ops = createOps(new GraphBuilder(name), weights, options.dtype ?? "fp32");
  const attention = options.attention ?? "chunked";
  ops.g.setMetadata(ATTENTION_METADATA_KEY, attention);
  return {
    ops,
    config,
    role,
    chunks: options.queryChunks ?? unetQueryChunks,
    attention,
    total: refFeatureCount(config),
    next: 0,
    done: false,
    temb: { silu: "", channels: 0 },
    flowLayers: new Set(options.flowLayers ?? []),
    flowOutputs: [],
  };
}

export function buildRefUNet(
  config: UNetConfig,
  weights: WeightSource,
  options: UNetGraphOptions = {},
): GraphBuilder {
  if (config.in_channels !== 4) {
    throw new Error(`reference UNet needs in_channels 4, got ${config.in_channels}`);
  }
  if (options.flowLayers?.length) {
    throw new Error("flow outputs belong to the generative UNet, not the reference UNet");
  }
  const s = newState(config, weights, "ref", options, "leffa-ref-unet");
  const { g } = s.ops;
  const latent = g.input("ref_latent", s.ops.act, ["B", 4, "h", "w"]);
  const timestep = g.input("timestep", "float32", ["B"]);
  unetBody(s, latent, timestep);
  if (!s.done) throw new Error("internal: the reference UNet never captured its last feature");
  return g;
}

export function buildGenUNet(
  config: UNetConfig,
  weights: WeightSource,
  options: UNetGraphOptions = {},
): GraphBuilder {
  if (config.in_channels !== 12) {
    throw new Error(
      `generative UNet needs in_channels 12 (noisy 4 + mask 1 + masked 4 + densepose 3), got ${config.in_channels}`,
    );
  }
  checkFlowLayers(config, options.flowLayers ?? []);
  const s = newState(config, weights, "gen", options, "leffa-gen-unet");
  const { g } = s.ops;
  const act = s.ops.act;
  const noisy = g.input("noisy_latent", act, ["B", 4, "h", "w"]);
  const mask = g.input("mask_latent", act, ["B", 1, "h", "w"]);
  const masked = g.input("masked_latent", act, ["B", 4, "h", "w"]);
  const densepose = g.input("densepose_latent", act, ["B", 3, "h", "w"]);
  const timestep = g.input("timestep", "float32", ["B"]);
  const [sample] = g.node("Concat", [noisy, mask, masked, densepose], { axis: 1 });
  const out = unetBody(s, sample, timestep);
  if (!out) throw new Error("internal: generative UNet produced no output");
  g.node("Identity", [out], {}, ["noise_pred"]);
  g.output("noise_pred", act, ["B", config.out_channels, "h", "w"]);
  for (const { name, shape } of s.flowOutputs) g.output(name, act, shape);
  return g;
}
