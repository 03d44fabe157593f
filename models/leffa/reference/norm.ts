// GroupNorm and LayerNorm with torch's numerics: biased (population) variance, eps inside the
// square root, then a per-channel affine.
import { type F64Tensor, type Param, zeros } from "./tensor";

/** torch.nn.GroupNorm on NCHW: statistics over (channels of the group) × H × W per sample. */
export function groupNorm(
  x: F64Tensor,
  groups: number,
  gamma: Param,
  beta: Param,
  eps: number,
): F64Tensor {
  const [batch, channels] = x.shape;
  if (channels % groups !== 0) {
    throw new Error(`groupNorm: ${channels} channels do not split into ${groups} groups`);
  }
  if (gamma.data.length !== channels || beta.data.length !== channels) {
    throw new Error(`groupNorm: affine parameters do not have ${channels} values`);
  }
  const spatial = x.data.length / (batch * channels);
  const perGroup = channels / groups;
  const count = perGroup * spatial;
  const out = zeros(x.shape);
  for (let b = 0; b < batch; b++) {
    for (let g = 0; g < groups; g++) {
      const start = (b * channels + g * perGroup) * spatial;
      let mean = 0;
      for (let i = 0; i < count; i++) mean += x.data[start + i];
      mean /= count;
      let variance = 0;
      for (let i = 0; i < count; i++) variance += (x.data[start + i] - mean) ** 2;
      variance /= count;
      const inv = 1 / Math.sqrt(variance + eps);
      for (let i = 0; i < count; i++) {
        const c = g * perGroup + Math.floor(i / spatial);
        out.data[start + i] = (x.data[start + i] - mean) * inv * gamma.data[c] + beta.data[c];
      }
    }
  }
  return out;
}

/** torch.nn.LayerNorm over the last axis (the channels of a [B, N, C] token sequence). */
export function layerNorm(x: F64Tensor, gamma: Param, beta: Param, eps: number): F64Tensor {
  const channels = x.shape[x.shape.length - 1];
  if (gamma.data.length !== channels || beta.data.length !== channels) {
    throw new Error(`layerNorm: affine parameters do not have ${channels} values`);
  }
  const out = zeros(x.shape);
  for (let start = 0; start < x.data.length; start += channels) {
    let mean = 0;
    for (let c = 0; c < channels; c++) mean += x.data[start + c];
    mean /= channels;
    let variance = 0;
    for (let c = 0; c < channels; c++) variance += (x.data[start + c] - mean) ** 2;
    variance /= channels;
    const inv = 1 / Math.sqrt(variance + eps);
    for (let c = 0; c < channels; c++) {
      out.data[start + c] = (x.data[start + c] - mean) * inv * gamma.data[c] + beta.data[c];
    }
  }
  return out;
}
