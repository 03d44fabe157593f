// Nearest-neighbour resize as torch's F.interpolate(mode="nearest") does it: output pixel i reads
// input pixel floor(i · in / out). For an exact ×2 this is floor(i / 2).
import { type F64Tensor, zeros } from "./tensor";

export function resizeNearest(x: F64Tensor, outH: number, outW: number): F64Tensor {
  const [batch, channels, height, width] = x.shape;
  const out = zeros([batch, channels, outH, outW]);
  for (let p = 0; p < batch * channels; p++) {
    for (let y = 0; y < outH; y++) {
      const sy = Math.min(Math.floor((y * height) / outH), height - 1);
      for (let xx = 0; xx < outW; xx++) {
        const sx = Math.min(Math.floor((xx * width) / outW), width - 1);
        out.data[(p * outH + y) * outW + xx] = x.data[(p * height + sy) * width + sx];
      }
    }
  }
  return out;
}
