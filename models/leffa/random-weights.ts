import { weightsFromMap, type WeightSource } from "./weights";

/**
 * Deterministic pseudo-random weights for a key list (tests and benchmarks): uniform in
 * [−scale, scale], with norm scales near 1 so activations keep a sensible size.
 */
export function randomWeightMap(
  specs: readonly { key: string; shape: readonly number[] }[],
  seed = 1,
  scale = 0.1,
): Map<string, { shape: readonly number[]; data: Float32Array }> {
  let state = seed >>> 0 || 1;
  const next = () => {
    // xorshift32: cheap, reproducible, good enough for test weights.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  const map = new Map<string, { shape: readonly number[]; data: Float32Array }>();
  for (const { key, shape } of specs) {
    const n = shape.reduce((a, b) => a * b, 1);
    const isNormScale = /norm[^.]*\.weight$/.test(key) && shape.length === 1;
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const r = (next() * 2 - 1) * scale;
      data[i] = isNormScale ? 1 + r : r;
    }
    map.set(key, { shape, data });
  }
  return map;
}

export function randomWeights(
  specs: readonly { key: string; shape: readonly number[] }[],
  seed = 1,
  scale = 0.1,
): WeightSource {
  return weightsFromMap(randomWeightMap(specs, seed, scale));
}
