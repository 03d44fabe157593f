/**
 * Classifier-free guidance as Leffa does it (leffa.md §2.5 steps 6 and 9). The generative UNet
 * runs at batch 2 = [unconditional, conditional], where "unconditional" means the reference UNet
 * saw a zero latent instead of the garment. The guided ε is then passed through diffusers'
 * `rescale_noise_cfg` with guidance_rescale = guidance scale — a quirk of Leffa's pipeline (the
 * rescale paper meant φ ≤ 1), kept because the weights were tuned with it:
 *   ε = ε_u + s·(ε_c − ε_u);  r = std(ε_c)/std(ε);  ε ← φ·r·ε + (1 − φ)·ε,  φ = s,
 * with unbiased (n − 1) standard deviations over C·H·W of the one sample.
 */

/** Unbiased standard deviation of `values[start, start + n)`, accumulated in double precision. */
export function unbiasedStd(values: Float32Array, start = 0, n = values.length - start): number {
  if (n < 2) return 0;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[start + i];
  mean /= n;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const d = values[start + i] - mean;
    sq += d * d;
  }
  return Math.sqrt(sq / (n - 1));
}

/**
 * Combines a batch-2 prediction [ε_u, ε_c] (each `n` values, batch-major as the UNet returns it)
 * into the guided ε, written to `out` (n values).
 */
export function guideNoise(pair: Float32Array, scale: number, out: Float32Array): Float32Array {
  const n = out.length;
  if (pair.length !== 2 * n) {
    throw new Error(`guidance needs a batch-2 prediction of ${2 * n} values, got ${pair.length}`);
  }
  for (let i = 0; i < n; i++) {
    const uncond = pair[i];
    out[i] = uncond + scale * (pair[n + i] - uncond);
  }
  // Leffa rescales only when guidance_scale > 0 (with s = 0 the blend would be a no-op anyway).
  if (scale > 0) {
    const stdCond = unbiasedStd(pair, n, n);
    const stdGuided = unbiasedStd(out);
    // torch would divide by zero here and return NaN; a flat prediction is left as it is instead.
    if (stdGuided > 0) {
      const factor = scale * (stdCond / stdGuided) - scale + 1;
      for (let i = 0; i < n; i++) out[i] *= factor;
    }
  }
  return out;
}
