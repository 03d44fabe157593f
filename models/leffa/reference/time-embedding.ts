// diffusers `Timesteps` (sinusoidal projection) followed by `TimestepEmbedding` (linear → SiLU →
// linear). The frequencies and t·freq are rounded to float32 on purpose: diffusers computes them
// in float32 whatever the model dtype, so that is the value the real model sees.
import { silu } from "./activation";
import { linear } from "./linear";
import { type F64Tensor, type Weights, param, zeros } from "./tensor";

const f32 = Math.fround;

/**
 * get_timestep_embedding: half = dim / 2, freq_i = exp(−ln(10000) · i / (half − shift)),
 * [sin(t·freq), cos(t·freq)], swapped to [cos, sin] when flipSinToCos. → [B, dim].
 */
export function timestepSinusoid(
  timesteps: readonly number[],
  dim: number,
  flipSinToCos: boolean,
  freqShift: number,
): F64Tensor {
  const half = Math.floor(dim / 2);
  const out = zeros([timesteps.length, dim]);
  const lnMaxPeriod = f32(-Math.log(10000));
  timesteps.forEach((t, b) => {
    for (let i = 0; i < half; i++) {
      const exponent = f32(f32(lnMaxPeriod * i) / (half - freqShift));
      const arg = f32(f32(t) * f32(Math.exp(exponent)));
      const [first, second] = flipSinToCos
        ? [Math.cos(arg), Math.sin(arg)]
        : [Math.sin(arg), Math.cos(arg)];
      out.data[b * dim + i] = first;
      out.data[b * dim + half + i] = second;
    }
    // An odd dim gets one zero of padding at the end (zeros() already holds it).
  });
  return out;
}

/** `time_embedding.linear_1` → SiLU → `time_embedding.linear_2`: [B, 4·C0] for the resnets. */
export function timeEmbedding(
  w: Weights,
  timesteps: readonly number[],
  channels: number,
  flipSinToCos: boolean,
  freqShift: number,
): F64Tensor {
  const sinusoid = timestepSinusoid(timesteps, channels, flipSinToCos, freqShift);
  const hidden = linear(
    sinusoid,
    param(w, "time_embedding.linear_1.weight", [-1, channels]),
    param(w, "time_embedding.linear_1.bias"),
  );
  return linear(
    silu(hidden),
    param(w, "time_embedding.linear_2.weight"),
    param(w, "time_embedding.linear_2.bias"),
  );
}
