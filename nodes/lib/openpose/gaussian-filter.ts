/**
 * `scipy.ndimage.gaussian_filter(image, sigma)` for a 2-D float64 image with scipy's defaults
 * (truncate 4.0, mode 'reflect', order 0), as the annotator smooths each heatmap before finding
 * peaks. Ported step by step so the float64 results match bit for bit where the C library's `exp`
 * agrees:
 * - `_gaussian_kernel1d`: radius int(4·σ + 0.5); φ(x) = exp(−0.5 / σ² · x²); φ / Σφ, with numpy's
 *   pairwise sum (eight running sums for 8 ≤ n ≤ 128);
 * - `correlate1d` along axis 0, then axis 1, each value `in[0]·w0` plus, from the outermost pair
 *   inwards, `(in[−j] + in[j])·wj` (NI_Correlate1D's loop for symmetric kernels);
 * - 'reflect' extends a line as d c b a | a b c d | d c b a (the edge sample repeated).
 */

/** numpy's pairwise summation of a float64 array (`pairwise_sum`, blocks up to 128). */
export function numpySum(values: Float64Array): number {
  return pairwise(values, 0, values.length);
}

function pairwise(a: Float64Array, start: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[start + i];
    return res;
  }
  if (n <= 128) {
    const r = new Float64Array(8);
    for (let j = 0; j < 8; j++) r[j] = a[start + j];
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] += a[start + i + j];
    let res = r[0] + r[1] + (r[2] + r[3]) + (r[4] + r[5] + (r[6] + r[7]));
    for (; i < n; i++) res += a[start + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwise(a, start, n2) + pairwise(a, start + n2, n - n2);
}

/** The normalised kernel, centre at index `radius`. */
export function gaussianKernel(sigma: number, truncate = 4): Float64Array {
  const radius = Math.trunc(truncate * sigma + 0.5);
  const factor = -0.5 / (sigma * sigma);
  const phi = new Float64Array(2 * radius + 1);
  for (let i = 0; i < phi.length; i++) {
    const x = i - radius;
    phi[i] = Math.exp(factor * (x * x));
  }
  const sum = numpySum(phi);
  for (let i = 0; i < phi.length; i++) phi[i] /= sum;
  return phi;
}

/** 'reflect' index of `i` on a line of `n` samples (period 2n, edge sample repeated). */
export function reflectIndex(i: number, n: number): number {
  const period = 2 * n;
  const m = (((i % period) + period) % period) + 0;
  return m < n ? m : period - 1 - m;
}

/** Correlates every line of length `n` (stride `step` between samples, `lines` lines `lineStep` apart). */
function correlateLines(
  src: ArrayLike<number>,
  out: Float64Array,
  n: number,
  step: number,
  lines: number,
  lineStep: number,
  kernel: Float64Array,
): void {
  const radius = (kernel.length - 1) / 2;
  const w0 = kernel[radius];
  const line = new Float64Array(n + 2 * radius);
  for (let l = 0; l < lines; l++) {
    const base = l * lineStep;
    for (let i = -radius; i < n + radius; i++) {
      line[i + radius] = src[base + reflectIndex(i, n) * step];
    }
    for (let i = 0; i < n; i++) {
      const c = i + radius;
      let v = line[c] * w0;
      for (let j = radius; j >= 1; j--) v += (line[c - j] + line[c + j]) * kernel[radius - j];
      out[base + i * step] = v;
    }
  }
}

/** gaussian_filter on a height × width float64 image (row-major); σ the same on both axes. */
export function gaussianFilter(
  image: ArrayLike<number>,
  width: number,
  height: number,
  sigma: number,
): Float64Array {
  if (image.length !== width * height) {
    throw new Error(`gaussianFilter: ${image.length} values for ${width}×${height}`);
  }
  const kernel = gaussianKernel(sigma);
  const vertical = new Float64Array(width * height);
  correlateLines(image, vertical, height, width, width, 1, kernel);
  const out = new Float64Array(width * height);
  correlateLines(vertical, out, width, 1, height, width, kernel);
  return out;
}
