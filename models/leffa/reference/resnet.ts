// diffusers ResnetBlock2D ("default" time-embedding norm, output_scale_factor 1): the UNet's
// version adds the projected time embedding after conv1; the VAE's (no temb) skips that step.
import { silu } from "./activation";
import { conv2d } from "./conv";
import { linear } from "./linear";
import { groupNorm } from "./norm";
import { type F64Tensor, type Weights, add, param } from "./tensor";

export interface ResnetOptions {
  groups: number;
  eps: number;
}

export function resnetBlock(
  w: Weights,
  prefix: string,
  x: F64Tensor,
  temb: F64Tensor | null,
  { groups, eps }: ResnetOptions,
): F64Tensor {
  const p = (name: string) => param(w, `${prefix}.${name}`);
  let h = silu(groupNorm(x, groups, p("norm1.weight"), p("norm1.bias"), eps));
  h = conv2d(h, p("conv1.weight"), p("conv1.bias"), { padding: 1 });
  if (temb) {
    // time_emb_proj(SiLU(temb)) is one value per (sample, channel), broadcast over H × W.
    const t = linear(silu(temb), p("time_emb_proj.weight"), p("time_emb_proj.bias"));
    const [batch, channels, height, width] = h.shape;
    const hw = height * width;
    for (let b = 0; b < batch; b++)
      for (let c = 0; c < channels; c++)
        for (let i = 0; i < hw; i++)
          h.data[(b * channels + c) * hw + i] += t.data[b * channels + c];
  }
  h = silu(groupNorm(h, groups, p("norm2.weight"), p("norm2.bias"), eps));
  h = conv2d(h, p("conv2.weight"), p("conv2.bias"), { padding: 1 });
  // A 1×1 conv shortcut exists exactly when the block changes the channel count.
  const shortcut =
    x.shape[1] === h.shape[1] ? x : conv2d(x, p("conv_shortcut.weight"), p("conv_shortcut.bias"));
  return add(shortcut, h);
}
