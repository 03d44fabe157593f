/**
 * The four Leffa try-on graphs (VAE encoder, VAE decoder, reference UNet, generative UNet) at any
 * config, with synthetic fp16 weights, written to disk as the converter writes them
 * (`<dir>/model.onnx` + `model.onnx_data`), and the feeds one run of each needs. Used by
 * `npm run bench:sessions` (full size) and `npm run bench:gpu` (full size on a GPU, tiny in
 * `npm test`): session creation and step time do not depend on the weights' values, so no
 * checkpoint is needed.
 *
 * Weights are a repeating pseudo-random pattern (as tests/bench/leffa-convert.ts), small enough
 * that activations stay finite for a step or two.
 */
import path from "node:path";
import type { AttentionMode } from "../../models/leffa/attention-chunks";
import type { UNetConfig, VaeConfig } from "../../models/leffa/config";
import { defaultFlowLayers, refFeatureLayout } from "../../models/leffa/features";
import { unetKeys, vaeKeys } from "../../models/leffa/keys";
import { buildGenUNet, buildRefUNet, refName } from "../../models/leffa/unet-graph";
import { buildVaeDecoder, buildVaeEncoder } from "../../models/leffa/vae-graph";
import type { WeightSource } from "../../models/leffa/weights";
import type { GraphBuilder } from "../../models/onnx/builder";
import { toFloat16Bits } from "../../models/onnx/float16";
import { writeModelFiles } from "../../models/onnx/write-files";

export const TRYON_GRAPHS = ["vae-encoder", "vae-decoder", "ref-unet", "gen-unet"] as const;
export type TryOnGraph = (typeof TRYON_GRAPHS)[number];

export interface SyntheticGraph {
  readonly graph: TryOnGraph;
  readonly nodes: number;
  readonly onnxPath: string;
  /** The external-data file, absent when every weight is inline (tiny configs). */
  readonly dataPath?: string;
  readonly bytes: number;
}

/** The period of the weight pattern: prime, so tensors do not all start alike. */
const PERIOD = 65_521;

/**
 * Weights of the right shapes whose values repeat a fixed pattern. The pattern buffers grow to
 * the largest tensor asked for and are shared: the builders copy (transpose) or write them out.
 */
export function syntheticWeights(specs: readonly { key: string; shape: readonly number[] }[]) {
  const shapes = new Map(specs.map((s) => [s.key, s.shape]));
  const cycle = Float32Array.from({ length: PERIOD }, (_, i) => Math.sin(i * 12.9898) * 0.02);
  const cycleHalves = toFloat16Bits(cycle);
  let floats = new Float32Array(0);
  let halves = new Uint16Array(0);
  const sizeOf = (key: string) => {
    const shape = shapes.get(key);
    if (!shape) throw new Error(`synthetic weights: no key "${key}"`);
    return shape.reduce((a, b) => a * b, 1);
  };
  const grow = <T extends Float32Array | Uint16Array>(
    buf: T,
    n: number,
    make: (n: number) => T,
  ) => {
    if (buf.length >= n) return buf;
    const out = make(n);
    for (let i = 0; i < n; i += PERIOD) {
      const src = buf instanceof Float32Array ? cycle : cycleHalves;
      out.set(src.subarray(0, Math.min(PERIOD, n - i)) as never, i);
    }
    return out;
  };
  const source: WeightSource = {
    shape: (key) => {
      const shape = shapes.get(key);
      if (!shape) throw new Error(`synthetic weights: no key "${key}"`);
      return shape;
    },
    read: (key) => {
      const n = sizeOf(key);
      floats = grow(floats, n, (m) => new Float32Array(m));
      return floats.subarray(0, n);
    },
    readFloat16Bits: async (key) => {
      const n = sizeOf(key);
      halves = grow(halves, n, (m) => new Uint16Array(m));
      return halves.subarray(0, n);
    },
  };
  return source;
}

export interface TryOnConfig {
  readonly unet: UNetConfig;
  readonly vae: VaeConfig;
  /** The graphs' precision: fp16 as converted (default); fp32 where a device lacks shader-f16. */
  readonly dtype?: "fp16" | "fp32";
}

/** Builds one graph as the converter does (fp16, default flow layers on the generative UNet). */
export function buildSyntheticGraph(
  graph: TryOnGraph,
  { unet, vae, dtype = "fp16" }: TryOnConfig,
  attention: AttentionMode,
): GraphBuilder {
  switch (graph) {
    case "vae-encoder":
      return buildVaeEncoder(vae, syntheticWeights(vaeKeys(vae)), { dtype, attention });
    case "vae-decoder":
      return buildVaeDecoder(vae, syntheticWeights(vaeKeys(vae)), { dtype, attention });
    case "ref-unet": {
      const config = { ...unet, in_channels: 4 };
      return buildRefUNet(config, syntheticWeights(unetKeys(config, "ref")), { dtype, attention });
    }
    case "gen-unet": {
      const config = { ...unet, in_channels: 12 };
      return buildGenUNet(config, syntheticWeights(unetKeys(config, "gen")), {
        dtype,
        attention,
        flowLayers: defaultFlowLayers(config),
      });
    }
  }
}

/** Builds and writes one graph to `dir/model.onnx` (+ `model.onnx_data`). */
export async function writeSyntheticGraph(
  graph: TryOnGraph,
  config: TryOnConfig,
  attention: AttentionMode,
  dir: string,
): Promise<SyntheticGraph> {
  const g = buildSyntheticGraph(graph, config, attention);
  const written = await writeModelFiles(g, dir, "model");
  return {
    graph,
    nodes: g.nodeCount,
    onnxPath: written.onnxPath,
    dataPath: written.dataPath,
    bytes: written.bytes,
  };
}

/** What one feed is: its element type and dims (values are filled by the caller). */
export interface FeedSpec {
  readonly type: "float16" | "float32";
  readonly dims: readonly number[];
}

/**
 * The feeds of one run of a graph at an h×w latent (image 8h×8w), batch `batch` (the sampler runs
 * the UNets on [uncond, cond]: 2; the VAE on one image: 1).
 */
export function feedSpecs(
  graph: TryOnGraph,
  { unet, vae, dtype = "fp16" }: TryOnConfig,
  h: number,
  w: number,
  batch: number,
): Record<string, FeedSpec> {
  // The activations' type (named "half" for the converted graphs, fp32 on request).
  const half = dtype === "fp16" ? ("float16" as const) : ("float32" as const);
  const z = vae.latent_channels;
  switch (graph) {
    case "vae-encoder":
      return { image: { type: half, dims: [batch, vae.in_channels, h * 8, w * 8] } };
    case "vae-decoder":
      return { latent: { type: half, dims: [batch, z, h, w] } };
    case "ref-unet":
      return {
        ref_latent: { type: half, dims: [batch, 4, h, w] },
        timestep: { type: "float32", dims: [batch] },
      };
    case "gen-unet": {
      const feeds: Record<string, FeedSpec> = {
        noisy_latent: { type: half, dims: [batch, 4, h, w] },
        mask_latent: { type: half, dims: [batch, 1, h, w] },
        masked_latent: { type: half, dims: [batch, 4, h, w] },
        densepose_latent: { type: half, dims: [batch, 3, h, w] },
        timestep: { type: "float32", dims: [batch] },
      };
      for (const f of refFeatureLayout({ ...unet, in_channels: 12 })) {
        const tokens = (h >> f.level) * (w >> f.level);
        feeds[refName(f.index)] = { type: half, dims: [batch, tokens, f.channels] };
      }
      return feeds;
    }
  }
}

/** Feed values: a small deterministic pattern (fp16 bits for half feeds), timesteps 500. */
export function feedData(name: string, spec: FeedSpec): Float32Array | Uint16Array {
  const n = spec.dims.reduce((a, b) => a * b, 1);
  if (name === "timestep") return new Float32Array(n).fill(500);
  const values = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.7311) * 0.5);
  return spec.type === "float16" ? toFloat16Bits(values) : values;
}

/** The directory a graph is written to under a bench's temp root. */
export function graphDir(root: string, graph: TryOnGraph, attention: AttentionMode): string {
  return path.join(root, `${graph}-${attention}`);
}
