// 2-D convolution as torch.nn.Conv2d computes it (cross-correlation, zero padding), in float64.
import { type F64Tensor, type Param, type Weights, param, zeros } from "./tensor";

export interface ConvOptions {
  stride?: number;
  /** Zero padding [top, left, bottom, right]; a number pads every side alike. */
  padding?: number | [number, number, number, number];
}

/** x [B, Cin, H, W], weight [Cout, Cin, kh, kw], bias [Cout] → [B, Cout, H', W']. */
export function conv2d(
  x: F64Tensor,
  weight: Param,
  bias: Param | null,
  options: ConvOptions = {},
): F64Tensor {
  const [batch, cin, height, width] = x.shape;
  const [cout, wcin, kh, kw] = weight.shape;
  if (wcin !== cin) {
    throw new Error(`conv2d: input has ${cin} channels, weight expects ${wcin}`);
  }
  if (bias && bias.data.length !== cout) {
    throw new Error(`conv2d: bias has ${bias.data.length} values for ${cout} outputs`);
  }
  const stride = options.stride ?? 1;
  const pad = options.padding ?? 0;
  const [top, left, bottom, right] = typeof pad === "number" ? [pad, pad, pad, pad] : pad;
  const outH = Math.floor((height + top + bottom - kh) / stride) + 1;
  const outW = Math.floor((width + left + right - kw) / stride) + 1;
  const out = zeros([batch, cout, outH, outW]);
  const w = weight.data;
  for (let b = 0; b < batch; b++) {
    for (let o = 0; o < cout; o++) {
      const base = (b * cout + o) * outH * outW;
      for (let oy = 0; oy < outH; oy++) {
        for (let ox = 0; ox < outW; ox++) {
          let sum = bias ? bias.data[o] : 0;
          for (let i = 0; i < cin; i++) {
            const plane = (b * cin + i) * height * width;
            const kernel = (o * cin + i) * kh * kw;
            for (let ky = 0; ky < kh; ky++) {
              const y = oy * stride + ky - top;
              if (y < 0 || y >= height) continue;
              for (let kx = 0; kx < kw; kx++) {
                const xx = ox * stride + kx - left;
                if (xx < 0 || xx >= width) continue;
                sum += x.data[plane + y * width + xx] * w[kernel + ky * kw + kx];
              }
            }
          }
          out.data[base + oy * outW + ox] = sum;
        }
      }
    }
  }
  return out;
}

/** The Conv2d whose parameters are `${name}.weight` and `${name}.bias`. */
export function namedConv2d(
  w: Weights,
  name: string,
  x: F64Tensor,
  options: ConvOptions = {},
): F64Tensor {
  return conv2d(x, param(w, `${name}.weight`), param(w, `${name}.bias`), options);
}
