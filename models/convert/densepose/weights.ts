import type { TensorInfo } from "../../checkpoints";
import { FROZEN_BN_EPS, PIXEL_MEAN, PIXEL_STD } from "./config";
import { DensePoseKeyError, layerKeys, type KeyPlan, type LayerPlan } from "./keys";

/**
 * Reads the planned layers' tensors and folds every FrozenBatchNorm into its convolution:
 * detectron2's FrozenBatchNorm2d computes x · s + (β − μ · s) with s = γ / √(σ² + eps), which is a
 * per-output-channel scale of the conv weight plus a bias. Folding is done in float64.
 */

export interface FoldedLayer {
  readonly plan: LayerPlan;
  /** Conv: [out, in, k, k]; deconv: [in, out, k, k] (torch's and ONNX's layouts alike). */
  readonly weight: Float32Array;
  readonly bias: Float32Array;
}

export type Progress = (done: number, total: number, message: string) => void;

export function foldFrozenBatchNorm(
  weight: Float32Array,
  gamma: Float32Array,
  beta: Float32Array,
  mean: Float32Array,
  variance: Float32Array,
): { weight: Float32Array; bias: Float32Array } {
  const out = gamma.length;
  const perChannel = weight.length / out;
  const folded = new Float32Array(weight.length);
  const bias = new Float32Array(out);
  for (let o = 0; o < out; o++) {
    const scale = gamma[o] / Math.sqrt(variance[o] + FROZEN_BN_EPS);
    bias[o] = beta[o] - mean[o] * scale;
    for (let i = o * perChannel; i < (o + 1) * perChannel; i++) folded[i] = weight[i] * scale;
  }
  return { weight: folded, bias };
}

/** Every planned layer's folded weight and bias, by detectron2 prefix. */
export async function loadFoldedLayers(
  tensors: ReadonlyMap<string, TensorInfo>,
  plan: KeyPlan,
  onProgress?: Progress,
): Promise<Map<string, FoldedLayer>> {
  const total = plan.used.length;
  let done = 0;
  const read = async (key: string): Promise<Float32Array> => {
    const tensor = tensors.get(key);
    if (!tensor) throw new DensePoseKeyError([`missing key ${key}`]);
    const values = await tensor.readFloat32();
    onProgress?.(++done, total, key);
    return values;
  };
  const layers = new Map<string, FoldedLayer>();
  for (const layer of plan.layers.values()) {
    const [weightKey, ...rest] = layerKeys(layer);
    const weight = await read(weightKey);
    if (layer.kind === "conv-bn") {
      const [gamma, beta, mean, variance] = await Promise.all(rest.map(read));
      layers.set(layer.prefix, {
        plan: layer,
        ...foldFrozenBatchNorm(weight, gamma, beta, mean, variance),
      });
    } else {
      layers.set(layer.prefix, { plan: layer, weight, bias: await read(rest[0]) });
    }
  }
  await checkPixelBuffers(tensors);
  return layers;
}

/**
 * The graph normalises with the config's PIXEL_MEAN / PIXEL_STD; a checkpoint that saved other
 * values (a model trained with another normalisation) must not convert silently.
 */
async function checkPixelBuffers(tensors: ReadonlyMap<string, TensorInfo>): Promise<void> {
  for (const [key, expected] of [
    ["pixel_mean", PIXEL_MEAN],
    ["pixel_std", PIXEL_STD],
  ] as const) {
    const tensor = tensors.get(key);
    if (!tensor) continue;
    const values = await tensor.readFloat32();
    const matches =
      values.length === 3 &&
      expected.every((v, i) => Math.abs(values[i] - v) <= 1e-3 * Math.abs(v));
    if (!matches) {
      throw new DensePoseKeyError([
        `${key} is [${[...values].join(", ")}], the DensePose config's is [${expected.join(", ")}]`,
      ]);
    }
  }
}
