// Our own enumeration of the parameter keys and shapes the reference reads, derived from the
// diffusers/Leffa constructors (leffa-keys.md §2–3), independent of the graph builder's key list.
// Keys come in forward (execution) order, so the reference UNet's dead tail is everything after
// its last transformer block's norm1.
import type { UNetConfig, VaeConfig } from "../config";
import { transformerLayersAt } from "../config";

export interface KeyShape {
  key: string;
  shape: number[];
  /** False for weights Leffa never reads at inference (attn2, the reference UNet's tail). */
  live: boolean;
}

/** The generative UNet's conv_in input: noisy 4 + mask 1 + masked 4 + densepose 3. */
export const GEN_UNET_IN_CHANNELS = 12;

type Emit = (key: string, shape: number[], live?: boolean) => void;

function resnetKeys(emit: Emit, prefix: string, cin: number, cout: number, temb: number | null) {
  emit(`${prefix}.norm1.weight`, [cin]);
  emit(`${prefix}.norm1.bias`, [cin]);
  emit(`${prefix}.conv1.weight`, [cout, cin, 3, 3]);
  emit(`${prefix}.conv1.bias`, [cout]);
  if (temb !== null) {
    emit(`${prefix}.time_emb_proj.weight`, [cout, temb]);
    emit(`${prefix}.time_emb_proj.bias`, [cout]);
  }
  emit(`${prefix}.norm2.weight`, [cout]);
  emit(`${prefix}.norm2.bias`, [cout]);
  emit(`${prefix}.conv2.weight`, [cout, cout, 3, 3]);
  emit(`${prefix}.conv2.bias`, [cout]);
  if (cin !== cout) {
    emit(`${prefix}.conv_shortcut.weight`, [cout, cin, 1, 1]);
    emit(`${prefix}.conv_shortcut.bias`, [cout]);
  }
}

function transformerKeys(
  emit: Emit,
  prefix: string,
  c: number,
  layers: number,
  config: UNetConfig,
) {
  const projection = config.use_linear_projection ? [c, c] : [c, c, 1, 1];
  emit(`${prefix}.norm.weight`, [c]);
  emit(`${prefix}.norm.bias`, [c]);
  emit(`${prefix}.proj_in.weight`, projection);
  emit(`${prefix}.proj_in.bias`, [c]);
  for (let t = 0; t < layers; t++) {
    const b = `${prefix}.transformer_blocks.${t}`;
    emit(`${b}.norm1.weight`, [c]);
    emit(`${b}.norm1.bias`, [c]);
    for (const name of ["to_q", "to_k", "to_v"]) emit(`${b}.attn1.${name}.weight`, [c, c]);
    emit(`${b}.attn1.to_out.0.weight`, [c, c]);
    emit(`${b}.attn1.to_out.0.bias`, [c]);
    emit(`${b}.norm2.weight`, [c]);
    emit(`${b}.norm2.bias`, [c]);
    // Cross-attention is skipped (SkipAttnProcessor) but its weights stay in the checkpoint.
    const x = config.cross_attention_dim;
    emit(`${b}.attn2.to_q.weight`, [c, c], false);
    emit(`${b}.attn2.to_k.weight`, [c, x], false);
    emit(`${b}.attn2.to_v.weight`, [c, x], false);
    emit(`${b}.attn2.to_out.0.weight`, [c, c], false);
    emit(`${b}.attn2.to_out.0.bias`, [c], false);
    emit(`${b}.norm3.weight`, [c]);
    emit(`${b}.norm3.bias`, [c]);
    emit(`${b}.ff.net.0.proj.weight`, [8 * c, c]);
    emit(`${b}.ff.net.0.proj.bias`, [8 * c]);
    emit(`${b}.ff.net.2.weight`, [c, 4 * c]);
    emit(`${b}.ff.net.2.bias`, [c]);
  }
  emit(`${prefix}.proj_out.weight`, projection);
  emit(`${prefix}.proj_out.bias`, [c]);
}

/** Every key of a Leffa UNet (reference or generative) with its shape, in forward order. */
export function unetKeyShapes(config: UNetConfig, role: "ref" | "gen"): KeyShape[] {
  const keys: KeyShape[] = [];
  const emit: Emit = (key, shape, live = true) => keys.push({ key, shape, live });
  const ch = config.block_out_channels;
  const levels = ch.length;
  const temb = 4 * ch[0];
  const inChannels = role === "gen" ? GEN_UNET_IN_CHANNELS : config.in_channels;
  emit("conv_in.weight", [ch[0], inChannels, 3, 3]);
  emit("conv_in.bias", [ch[0]]);
  emit("time_embedding.linear_1.weight", [temb, ch[0]]);
  emit("time_embedding.linear_1.bias", [temb]);
  emit("time_embedding.linear_2.weight", [temb, temb]);
  emit("time_embedding.linear_2.bias", [temb]);

  const skipChannels: number[] = [ch[0]];
  let cin = ch[0];
  config.down_block_types.forEach((type, i) => {
    for (let j = 0; j < config.layers_per_block; j++) {
      resnetKeys(emit, `down_blocks.${i}.resnets.${j}`, j === 0 ? cin : ch[i], ch[i], temb);
      if (type === "CrossAttnDownBlock2D")
        transformerKeys(
          emit,
          `down_blocks.${i}.attentions.${j}`,
          ch[i],
          transformerLayersAt(config, i),
          config,
        );
      skipChannels.push(ch[i]);
    }
    if (i < levels - 1) {
      emit(`down_blocks.${i}.downsamplers.0.conv.weight`, [ch[i], ch[i], 3, 3]);
      emit(`down_blocks.${i}.downsamplers.0.conv.bias`, [ch[i]]);
      skipChannels.push(ch[i]);
    }
    cin = ch[i];
  });

  const deepest = ch[levels - 1];
  resnetKeys(emit, "mid_block.resnets.0", deepest, deepest, temb);
  transformerKeys(
    emit,
    "mid_block.attentions.0",
    deepest,
    transformerLayersAt(config, levels - 1),
    config,
  );
  resnetKeys(emit, "mid_block.resnets.1", deepest, deepest, temb);

  let prev = deepest;
  config.up_block_types.forEach((type, i) => {
    const level = levels - 1 - i;
    const c = ch[level];
    for (let j = 0; j <= config.layers_per_block; j++) {
      const skip = skipChannels.pop() ?? 0;
      resnetKeys(emit, `up_blocks.${i}.resnets.${j}`, prev + skip, c, temb);
      if (type === "CrossAttnUpBlock2D")
        transformerKeys(
          emit,
          `up_blocks.${i}.attentions.${j}`,
          c,
          transformerLayersAt(config, level),
          config,
        );
      prev = c;
    }
    if (i < levels - 1) {
      emit(`up_blocks.${i}.upsamplers.0.conv.weight`, [c, c, 3, 3]);
      emit(`up_blocks.${i}.upsamplers.0.conv.bias`, [c]);
    }
  });
  emit("conv_norm_out.weight", [ch[0]]);
  emit("conv_norm_out.bias", [ch[0]]);
  emit("conv_out.weight", [config.out_channels, ch[0], 3, 3]);
  emit("conv_out.bias", [config.out_channels]);

  if (role === "ref") {
    // The reference UNet stops at its last norm1 capture: everything after it is dead.
    const last = keys
      .map((k) => k.key)
      .findLastIndex((k) => /transformer_blocks\.\d+\.norm1\.bias$/.test(k));
    for (let i = last + 1; i < keys.length; i++) keys[i].live = false;
  }
  return keys;
}

/** Every key of the VAE (encoder, quant convs, decoder) with its shape; all are live. */
export function vaeKeyShapes(config: VaeConfig): KeyShape[] {
  const keys: KeyShape[] = [];
  const emit: Emit = (key, shape) => keys.push({ key, shape, live: true });
  const ch = config.block_out_channels;
  const levels = ch.length;
  const latent = config.latent_channels;
  const conv = (name: string, cout: number, cin: number, k: number) => {
    emit(`${name}.weight`, [cout, cin, k, k]);
    emit(`${name}.bias`, [cout]);
  };
  const norm = (name: string, c: number) => {
    emit(`${name}.weight`, [c]);
    emit(`${name}.bias`, [c]);
  };
  const mid = (prefix: string, c: number) => {
    resnetKeys(emit, `${prefix}.resnets.0`, c, c, null);
    norm(`${prefix}.attentions.0.group_norm`, c);
    for (const name of ["to_q", "to_k", "to_v", "to_out.0"]) {
      emit(`${prefix}.attentions.0.${name}.weight`, [c, c]);
      emit(`${prefix}.attentions.0.${name}.bias`, [c]);
    }
    resnetKeys(emit, `${prefix}.resnets.1`, c, c, null);
  };

  conv("encoder.conv_in", ch[0], config.in_channels, 3);
  let cin = ch[0];
  for (let i = 0; i < levels; i++) {
    for (let j = 0; j < config.layers_per_block; j++) {
      resnetKeys(emit, `encoder.down_blocks.${i}.resnets.${j}`, j === 0 ? cin : ch[i], ch[i], null);
    }
    if (i < levels - 1) conv(`encoder.down_blocks.${i}.downsamplers.0.conv`, ch[i], ch[i], 3);
    cin = ch[i];
  }
  mid("encoder.mid_block", ch[levels - 1]);
  norm("encoder.conv_norm_out", ch[levels - 1]);
  conv("encoder.conv_out", 2 * latent, ch[levels - 1], 3);
  conv("quant_conv", 2 * latent, 2 * latent, 1);

  conv("post_quant_conv", latent, latent, 1);
  conv("decoder.conv_in", ch[levels - 1], latent, 3);
  mid("decoder.mid_block", ch[levels - 1]);
  let prev = ch[levels - 1];
  for (let i = 0; i < levels; i++) {
    const c = ch[levels - 1 - i];
    for (let j = 0; j <= config.layers_per_block; j++) {
      resnetKeys(emit, `decoder.up_blocks.${i}.resnets.${j}`, j === 0 ? prev : c, c, null);
    }
    if (i < levels - 1) conv(`decoder.up_blocks.${i}.upsamplers.0.conv`, c, c, 3);
    prev = c;
  }
  norm("decoder.conv_norm_out", ch[0]);
  conv("decoder.conv_out", config.out_channels, ch[0], 3);
  return keys;
}
