// diffusers FeedForward with GEGLU (mult 4): proj C → 8C, split into value (first 4C) and gate
// (last 4C), value · GELU(gate) with the exact erf GELU, then net.2: 4C → C.
import { gelu } from "./activation";
import { linear } from "./linear";
import { type F64Tensor, type Weights, param, zeros } from "./tensor";

export function geglu(projected: F64Tensor): F64Tensor {
  const width = projected.shape[projected.shape.length - 1];
  const inner = width / 2;
  const rows = projected.data.length / width;
  const out = zeros([...projected.shape.slice(0, -1), inner]);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < inner; i++) {
      const value = projected.data[r * width + i];
      const gate = projected.data[r * width + inner + i];
      out.data[r * inner + i] = value * gelu(gate);
    }
  }
  return out;
}

export function feedForward(w: Weights, prefix: string, x: F64Tensor): F64Tensor {
  const p = (name: string) => param(w, `${prefix}.${name}`);
  const projected = linear(x, p("net.0.proj.weight"), p("net.0.proj.bias"));
  return linear(geglu(projected), p("net.2.weight"), p("net.2.bias"));
}
