import { bilinearTaps } from "../resample";
/**
 * Sampling helpers for parsing logits: planar C × h × w float arrays, as the networks return them.
 */

/**
 * Resizes `channels` planes of h × w to outH × outW with bilinear interpolation, as PyTorch's
 * `Upsample(mode="bilinear", align_corners)` does.
 */
export function resizePlanesBilinear(
  planes: Float32Array,
  channels: number,
  height: number,
  width: number,
  outHeight: number,
  outWidth: number,
  alignCorners: boolean,
): Float32Array {
  if (planes.length !== channels * height * width) {
    throw new Error(
      `expected ${channels}×${height}×${width} values, got ${planes.length} (logits of the wrong shape)`,
    );
  }
  const tx = bilinearTaps(width, outWidth, alignCorners);
  const ty = bilinearTaps(height, outHeight, alignCorners);
  const out = new Float32Array(channels * outHeight * outWidth);
  const row = new Float32Array(2 * outWidth);
  for (let c = 0; c < channels; c++) {
    const src = c * height * width;
    const dst = c * outHeight * outWidth;
    for (let y = 0; y < outHeight; y++) {
      const r0 = src + ty.i0[y] * width;
      const r1 = src + ty.i1[y] * width;
      for (let x = 0; x < outWidth; x++) {
        const a = tx.i0[x];
        const b = tx.i1[x];
        const w = tx.w1[x];
        row[x] = planes[r0 + a] * (1 - w) + planes[r0 + b] * w;
        row[outWidth + x] = planes[r1 + a] * (1 - w) + planes[r1 + b] * w;
      }
      const wy = ty.w1[y];
      const o = dst + y * outWidth;
      for (let x = 0; x < outWidth; x++) {
        out[o + x] = row[x] * (1 - wy) + row[outWidth + x] * wy;
      }
    }
  }
  return out;
}

/** The index of the largest of `channels` planes at each pixel; the first one wins ties. */
export function argmaxPlanes(planes: Float32Array, channels: number, pixels: number): Uint8Array {
  if (planes.length !== channels * pixels) {
    throw new Error(`expected ${channels}×${pixels} values, got ${planes.length}`);
  }
  if (channels > 256) throw new Error(`at most 256 labels fit a byte, got ${channels}`);
  const out = new Uint8Array(pixels);
  for (let i = 0; i < pixels; i++) {
    let best = planes[i];
    let label = 0;
    for (let c = 1; c < channels; c++) {
      const v = planes[c * pixels + i];
      if (v > best) {
        best = v;
        label = c;
      }
    }
    out[i] = label;
  }
  return out;
}
