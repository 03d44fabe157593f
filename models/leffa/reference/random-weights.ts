// Seeded random weights for tiny test configs, with every value exactly representable in float32
// so that the float64 reference and a float32 ONNX graph start from identical numbers. Scales keep
// activations O(1): matrices ~ N(0, 1/fan_in), norm scales ~ 1 + N(0, 0.1²), biases ~ N(0, 0.1²).
import { mulberry32 } from "../../tiny/prng";
import type { UNetConfig, VaeConfig } from "../config";
import { type KeyShape, unetKeyShapes, vaeKeyShapes } from "./keys";
import type { Param } from "./tensor";

/** Standard normal samples by Box–Muller on a seeded uniform source. */
export function seededNormal(seed: number): () => number {
  const uniform = mulberry32(seed);
  return () => {
    const u = 1 - uniform(); // (0, 1], so the log is finite
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
}

function valuesFor(key: string, shape: number[], normal: () => number): Float64Array {
  const count = shape.reduce((n, d) => n * d, 1);
  const data = new Float64Array(count);
  const isNormScale = shape.length === 1 && key.endsWith(".weight");
  const std = shape.length === 1 ? 0.1 : 1 / Math.sqrt(count / shape[0]);
  for (let i = 0; i < count; i++) {
    data[i] = Math.fround((isNormScale ? 1 : 0) + std * normal());
  }
  return data;
}

/** FNV-1a of the key mixed with the seed: each key's values depend on nothing but the two. */
function keySeed(seed: number, key: string): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}

/**
 * Weights for `keys` (dead keys included when asked, e.g. to write a complete checkpoint). A key's
 * values depend only on (seed, key), so adding dead keys leaves the live ones unchanged.
 */
export function randomWeights(
  keys: readonly KeyShape[],
  seed: number,
  { includeDead = false } = {},
): Map<string, Param> {
  const weights = new Map<string, Param>();
  for (const { key, shape, live } of keys) {
    if (!live && !includeDead) continue;
    weights.set(key, {
      shape: [...shape],
      data: valuesFor(key, shape, seededNormal(keySeed(seed, key))),
    });
  }
  return weights;
}

/** Random weights for every live key of a Leffa UNet of `config`. */
export function randomUNetWeights(
  config: UNetConfig,
  role: "ref" | "gen",
  seed: number,
  options: { includeDead?: boolean } = {},
): Map<string, Param> {
  return randomWeights(unetKeyShapes(config, role), seed, options);
}

/** Random weights for every key of a VAE of `config`. */
export function randomVaeWeights(config: VaeConfig, seed: number): Map<string, Param> {
  return randomWeights(vaeKeyShapes(config), seed);
}
