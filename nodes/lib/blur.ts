import { createMask, type Mask } from "../core/image";
import { CancelledError } from "../core/types";

/**
 * Separable Gaussian blur of a float plane (mask feathering). Small sigmas use a sampled Gaussian
 * kernel; from BOX_ABOVE_SIGMA up, four passes of an extended box filter (Gwosdek et al., 2011)
 * whose variance matches sigma² exactly, so the cost stays linear in the pixel count instead of
 * growing with the kernel (a sigma of 128 would otherwise mean 1,000-tap kernels). Edges repeat
 * the border value, so a constant plane stays constant; every pass has unit gain, so mass away
 * from the borders is conserved.
 */

/** Sigma from which the box cascade is used; below it the kernel is short anyway. */
export const BOX_ABOVE_SIGMA = 8;
const BOX_PASSES = 4;
/** The sampled kernel reaches 4 sigma, where the Gaussian has fallen below 0.04 % of its peak. */
const KERNEL_REACH = 4;

/** Filters one line in place; `line` and `scratch` are owned by the caller and reused. */
type LineFilter = (line: Float64Array, n: number, scratch: Float64Array) => void;

function gaussianKernel(sigma: number): Float64Array {
  const radius = Math.max(1, Math.ceil(KERNEL_REACH * sigma));
  const kernel = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) {
    const w = Math.exp(-(i * i) / (2 * sigma * sigma));
    kernel[i + radius] = w;
    sum += w;
  }
  for (let i = 0; i < kernel.length; i++) kernel[i] /= sum;
  return kernel;
}

function kernelFilter(sigma: number): { pad: number; filter: LineFilter } {
  const kernel = gaussianKernel(sigma);
  const radius = (kernel.length - 1) / 2;
  return {
    pad: radius,
    filter(line, n, scratch) {
      // scratch holds the line with `radius` repeated border values on each side.
      fillPadded(line, n, radius, scratch);
      for (let i = 0; i < n; i++) {
        let v = 0;
        for (let k = 0; k < kernel.length; k++) v += kernel[k] * scratch[i + k];
        line[i] = v;
      }
    },
  };
}

/**
 * One extended box of integer radius r plus a fractional weight alpha on the two taps beyond it,
 * chosen so that its variance is exactly `variance`.
 */
function extendedBox(variance: number): { r: number; alpha: number } {
  const r = Math.floor(0.5 * Math.sqrt(12 * variance + 1) - 0.5);
  const plain = (r * (r + 1)) / 3;
  const alpha = ((2 * r + 1) * (plain - variance)) / (2 * (variance - (r + 1) * (r + 1)));
  return { r, alpha };
}

function boxFilter(sigma: number): { pad: number; filter: LineFilter } {
  const { r, alpha } = extendedBox((sigma * sigma) / BOX_PASSES);
  const pad = r + 1;
  const norm = 2 * r + 1 + 2 * alpha;
  return {
    pad,
    filter(line, n, scratch) {
      for (let pass = 0; pass < BOX_PASSES; pass++) {
        fillPadded(line, n, pad, scratch);
        // Running sum over the 2r + 1 inner taps; output i is centred on scratch[i + pad].
        let sum = 0;
        for (let k = 1; k <= 2 * r + 1; k++) sum += scratch[k];
        for (let i = 0; i < n; i++) {
          line[i] = (sum + alpha * (scratch[i] + scratch[i + 2 * pad])) / norm;
          sum += scratch[i + 2 * r + 2] - scratch[i + 1];
        }
      }
    },
  };
}

/** Copies line[0..n) into scratch with `pad` copies of the first/last value on either side. */
function fillPadded(line: Float64Array, n: number, pad: number, scratch: Float64Array): void {
  for (let i = 0; i < pad; i++) scratch[i] = line[0];
  for (let i = 0; i < n; i++) scratch[pad + i] = line[i];
  for (let i = 0; i < pad + 1; i++) scratch[pad + n + i] = line[n - 1];
}

/** Blurs a width × height float plane with a Gaussian of the given sigma (px); returns a copy. */
export function gaussianBlur(
  data: Float32Array,
  width: number,
  height: number,
  sigma: number,
  signal?: AbortSignal,
): Float32Array {
  const out = Float32Array.from(data);
  if (!(sigma > 0)) return out;
  const { pad, filter } = sigma > BOX_ABOVE_SIGMA ? boxFilter(sigma) : kernelFilter(sigma);
  const longest = Math.max(width, height);
  const line = new Float64Array(longest);
  // One extra slot so the running sum may read one past the last padded value.
  const scratch = new Float64Array(longest + 2 * pad + 2);
  const check = (i: number): void => {
    if (i % 64 === 0 && signal?.aborted) throw new CancelledError();
  };
  for (let y = 0; y < height; y++) {
    check(y);
    const base = y * width;
    for (let x = 0; x < width; x++) line[x] = out[base + x];
    filter(line, width, scratch);
    for (let x = 0; x < width; x++) out[base + x] = line[x];
  }
  for (let x = 0; x < width; x++) {
    check(x);
    for (let y = 0; y < height; y++) line[y] = out[y * width + x];
    filter(line, height, scratch);
    for (let y = 0; y < height; y++) out[y * width + x] = line[y];
  }
  return out;
}

/** Feathers a mask: Gaussian blur with sigma in pixels. */
export function blurMask(mask: Mask, sigma: number, signal?: AbortSignal): Mask {
  if (!(sigma > 0)) return mask;
  return createMask(
    mask.width,
    mask.height,
    gaussianBlur(mask.data, mask.width, mask.height, sigma, signal),
  );
}
