import { headsAt, transformerLayersAt, type UNetConfig, type VaeConfig } from "./config";
import { refFeatureLayout } from "./features";

/**
 * The state-dict key layout of Leffa's UNets and the SD VAE, in nn.Module registration order
 * (leffa-keys.md §2–§4), derived from the config alone. The converter checks a checkpoint against
 * it, and the graph builders consume exactly the "live" keys.
 */
export type KeyStatus = "live" | "dead:attn2" | "dead:ref-tail" | "dead:add_embedding";

export interface KeySpec {
  key: string;
  shape: number[];
  status: KeyStatus;
}

type Emit = (key: string, shape: number[], status?: KeyStatus) => void;

function param(emit: Emit, prefix: string, weight: number[], bias = true, status?: KeyStatus) {
  emit(`${prefix}.weight`, weight, status);
  if (bias) emit(`${prefix}.bias`, [weight[0]], status);
}

function norm(emit: Emit, prefix: string, channels: number, status?: KeyStatus) {
  emit(`${prefix}.weight`, [channels], status);
  emit(`${prefix}.bias`, [channels], status);
}

function resnetKeys(emit: Emit, prefix: string, cin: number, cout: number, temb?: number) {
  norm(emit, `${prefix}.norm1`, cin);
  param(emit, `${prefix}.conv1`, [cout, cin, 3, 3]);
  if (temb !== undefined) param(emit, `${prefix}.time_emb_proj`, [cout, temb]);
  norm(emit, `${prefix}.norm2`, cout);
  param(emit, `${prefix}.conv2`, [cout, cout, 3, 3]);
  if (cin !== cout) param(emit, `${prefix}.conv_shortcut`, [cout, cin, 1, 1]);
}

/**
 * One Transformer2DModel. `tailFrom` (ref role only) is the index of the transformer block whose
 * norm1 is the UNet's last captured feature: everything after that capture is dead.
 */
function transformerKeys(
  emit: Emit,
  prefix: string,
  c: number,
  depth: number,
  config: UNetConfig,
  tailFrom?: number,
) {
  const linear = config.use_linear_projection ?? false;
  const proj = linear ? [c, c] : [c, c, 1, 1];
  norm(emit, `${prefix}.norm`, c);
  param(emit, `${prefix}.proj_in`, proj);
  for (let t = 0; t < depth; t++) {
    const b = `${prefix}.transformer_blocks.${t}`;
    const tail: KeyStatus | undefined = tailFrom === t ? "dead:ref-tail" : undefined;
    norm(emit, `${b}.norm1`, c);
    for (const p of ["to_q", "to_k", "to_v"]) param(emit, `${b}.attn1.${p}`, [c, c], false, tail);
    param(emit, `${b}.attn1.to_out.0`, [c, c], true, tail);
    norm(emit, `${b}.norm2`, c, tail);
    const x = config.cross_attention_dim;
    param(emit, `${b}.attn2.to_q`, [c, c], false, "dead:attn2");
    param(emit, `${b}.attn2.to_k`, [c, x], false, "dead:attn2");
    param(emit, `${b}.attn2.to_v`, [c, x], false, "dead:attn2");
    param(emit, `${b}.attn2.to_out.0`, [c, c], true, "dead:attn2");
    norm(emit, `${b}.norm3`, c, tail);
    param(emit, `${b}.ff.net.0.proj`, [8 * c, c], true, tail);
    param(emit, `${b}.ff.net.2`, [c, 4 * c], true, tail);
  }
  param(
    emit,
    `${prefix}.proj_out`,
    proj,
    true,
    tailFrom !== undefined ? "dead:ref-tail" : undefined,
  );
}

function hasAttention(type: string): boolean {
  return type.startsWith("CrossAttn");
}

/** Index of the last up block with attention: the ref UNet's last capture lives there. */
export function lastAttentionUpBlock(config: UNetConfig): number {
  let last = -1;
  config.up_block_types.forEach((t, i) => {
    if (hasAttention(t)) last = i;
  });
  return last;
}

export function unetKeys(config: UNetConfig, role: "ref" | "gen"): KeySpec[] {
  const out: KeySpec[] = [];
  // Once the ref UNet's last capture is passed, every later module is dead (in execution order,
  // which for the up path matches registration order from that block on).
  let tailActive = false;
  const emit: Emit = (key, shape, status) => {
    out.push({ key, shape, status: status ?? (tailActive ? "dead:ref-tail" : "live") });
  };
  const ch = config.block_out_channels;
  const levels = ch.length;
  const temb = 4 * ch[0];
  const layers = config.layers_per_block;

  param(emit, "conv_in", [ch[0], config.in_channels, 3, 3]);
  param(emit, "time_embedding.linear_1", [temb, ch[0]]);
  param(emit, "time_embedding.linear_2", [temb, temb]);
  if (config.addition_embed_type === "text_time") {
    const width = config.projection_class_embeddings_input_dim;
    if (width === undefined)
      throw new Error("text_time needs projection_class_embeddings_input_dim");
    param(emit, "add_embedding.linear_1", [temb, width], true, "dead:add_embedding");
    param(emit, "add_embedding.linear_2", [temb, temb], true, "dead:add_embedding");
  }

  for (let i = 0; i < levels; i++) {
    const p = `down_blocks.${i}`;
    const cin = i === 0 ? ch[0] : ch[i - 1];
    const c = ch[i];
    if (hasAttention(config.down_block_types[i])) {
      for (let j = 0; j < layers; j++) {
        transformerKeys(emit, `${p}.attentions.${j}`, c, transformerLayersAt(config, i), config);
      }
    }
    for (let j = 0; j < layers; j++)
      resnetKeys(emit, `${p}.resnets.${j}`, j === 0 ? cin : c, c, temb);
    if (i < levels - 1) param(emit, `${p}.downsamplers.0.conv`, [c, c, 3, 3]);
  }

  const reversed = [...ch].reverse();
  const reversedDepth = ch.map((_, i) => transformerLayersAt(config, i)).reverse();
  const lastUp = lastAttentionUpBlock(config);
  for (let i = 0; i < levels; i++) {
    const p = `up_blocks.${i}`;
    const c = reversed[i];
    const prev = i === 0 ? reversed[0] : reversed[i - 1];
    const skipIn = reversed[Math.min(i + 1, levels - 1)];
    const isTailBlock = role === "ref" && i === lastUp;
    if (hasAttention(config.up_block_types[i])) {
      for (let j = 0; j <= layers; j++) {
        const tailFrom = isTailBlock && j === layers ? reversedDepth[i] - 1 : undefined;
        transformerKeys(emit, `${p}.attentions.${j}`, c, reversedDepth[i], config, tailFrom);
      }
    }
    for (let j = 0; j <= layers; j++) {
      const skip = j === layers ? skipIn : c;
      resnetKeys(emit, `${p}.resnets.${j}`, (j === 0 ? prev : c) + skip, c, temb);
    }
    if (isTailBlock) tailActive = true;
    if (i < levels - 1) param(emit, `${p}.upsamplers.0.conv`, [c, c, 3, 3]);
  }

  // The mid block is registered after the up blocks (leffa-keys.md §2.2) but runs before them,
  // so it is never part of the ref tail.
  const wasTail = tailActive;
  tailActive = false;
  const mid = ch[levels - 1];
  const midDepth = transformerLayersAt(config, levels - 1);
  transformerKeys(emit, "mid_block.attentions.0", mid, midDepth, config);
  resnetKeys(emit, "mid_block.resnets.0", mid, mid, temb);
  resnetKeys(emit, "mid_block.resnets.1", mid, mid, temb);
  tailActive = wasTail || role === "ref";

  norm(emit, "conv_norm_out", ch[0]);
  param(emit, "conv_out", [config.out_channels, ch[0], 3, 3]);
  return out;
}

/** Number of reference features (one per transformer block), e.g. 16 for SD1.5, 70 for SDXL. */
export function refFeatureCount(config: UNetConfig): number {
  return refFeatureLayout(config).length;
}

/** Heads of the attention in down block `i` (mid uses the last level). */
export { headsAt };

function vaeMidKeys(emit: Emit, prefix: string, c: number) {
  norm(emit, `${prefix}.attentions.0.group_norm`, c);
  for (const p of ["to_q", "to_k", "to_v", "to_out.0"]) {
    param(emit, `${prefix}.attentions.0.${p}`, [c, c]);
  }
  resnetKeys(emit, `${prefix}.resnets.0`, c, c);
  resnetKeys(emit, `${prefix}.resnets.1`, c, c);
}

export function vaeKeys(config: VaeConfig): { key: string; shape: number[]; status: "live" }[] {
  const out: { key: string; shape: number[]; status: "live" }[] = [];
  const emit: Emit = (key, shape) => out.push({ key, shape, status: "live" });
  const ch = config.block_out_channels;
  const levels = ch.length;
  const layers = config.layers_per_block;
  const z = config.latent_channels;

  param(emit, "encoder.conv_in", [ch[0], config.in_channels, 3, 3]);
  for (let i = 0; i < levels; i++) {
    const p = `encoder.down_blocks.${i}`;
    const cin = i === 0 ? ch[0] : ch[i - 1];
    for (let j = 0; j < layers; j++)
      resnetKeys(emit, `${p}.resnets.${j}`, j === 0 ? cin : ch[i], ch[i]);
    if (i < levels - 1) param(emit, `${p}.downsamplers.0.conv`, [ch[i], ch[i], 3, 3]);
  }
  const top = ch[levels - 1];
  vaeMidKeys(emit, "encoder.mid_block", top);
  norm(emit, "encoder.conv_norm_out", top);
  param(emit, "encoder.conv_out", [2 * z, top, 3, 3]);

  param(emit, "decoder.conv_in", [top, z, 3, 3]);
  const reversed = [...ch].reverse();
  for (let i = 0; i < levels; i++) {
    const p = `decoder.up_blocks.${i}`;
    const prev = i === 0 ? reversed[0] : reversed[i - 1];
    for (let j = 0; j <= layers; j++) {
      resnetKeys(emit, `${p}.resnets.${j}`, j === 0 ? prev : reversed[i], reversed[i]);
    }
    if (i < levels - 1) param(emit, `${p}.upsamplers.0.conv`, [reversed[i], reversed[i], 3, 3]);
  }
  vaeMidKeys(emit, "decoder.mid_block", top);
  norm(emit, "decoder.conv_norm_out", ch[0]);
  param(emit, "decoder.conv_out", [config.out_channels, ch[0], 3, 3]);
  param(emit, "quant_conv", [2 * z, 2 * z, 1, 1]);
  param(emit, "post_quant_conv", [z, z, 1, 1]);
  return out;
}
