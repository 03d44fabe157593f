import type { AttentionMode } from "./attention-chunks";
import type { UNetConfig, VaeConfig } from "./config";
import { defaultFlowLayers } from "./features";
import { unetKeys, vaeKeys } from "./keys";
import { buildGenUNet, buildRefUNet } from "./unet-graph";
import { buildVaeDecoder, buildVaeEncoder } from "./vae-graph";
import type { WeightSource } from "./weights";
import type { GraphBuilder } from "../onnx/builder";

/**
 * Node counts of the four Leffa graphs as the converter builds them (fp16, default flow layers),
 * from the key layout alone: the builders only ask weights for shapes, so a full-size SD1.5 or
 * SDXL graph is built in seconds without a checkpoint or any weight bytes (issue 15's node
 * targets are measured with this).
 */
export interface GraphStats {
  readonly graph: "vae-encoder" | "vae-decoder" | "ref-unet" | "gen-unet";
  readonly nodes: number;
  /** Node count per op type, e.g. { Softmax: 421, MultiHeadAttention: 0 }. */
  readonly ops: Readonly<Record<string, number>>;
}

/** A WeightSource that knows shapes and refuses reads: structure only. */
export function shapeOnlyWeights(
  specs: readonly { key: string; shape: readonly number[] }[],
): WeightSource {
  const shapes = new Map(specs.map((s) => [s.key, s.shape]));
  const refuse = (key: string): never => {
    throw new Error(`shape-only weights: "${key}" has no values`);
  };
  return {
    shape(key) {
      return shapes.get(key) ?? refuse(key);
    },
    read: refuse,
  };
}

/** Op-type counts of a built graph. */
export function opCounts(g: GraphBuilder): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const op of g.opTypes()) counts[op] = (counts[op] ?? 0) + 1;
  return counts;
}

export function leffaGraphStats(
  unet: UNetConfig,
  vae: VaeConfig,
  attention: AttentionMode,
): GraphStats[] {
  const dtype = "fp16";
  const refConfig = { ...unet, in_channels: 4 };
  const genConfig = { ...unet, in_channels: 12 };
  const vaeWeights = shapeOnlyWeights(vaeKeys(vae));
  const graphs: [GraphStats["graph"], GraphBuilder][] = [
    ["vae-encoder", buildVaeEncoder(vae, vaeWeights, { dtype, attention })],
    ["vae-decoder", buildVaeDecoder(vae, vaeWeights, { dtype, attention })],
    [
      "ref-unet",
      buildRefUNet(refConfig, shapeOnlyWeights(unetKeys(refConfig, "ref")), { dtype, attention }),
    ],
    [
      "gen-unet",
      buildGenUNet(genConfig, shapeOnlyWeights(unetKeys(genConfig, "gen")), {
        dtype,
        attention,
        flowLayers: defaultFlowLayers(genConfig),
      }),
    ],
  ];
  return graphs.map(([graph, g]) => ({ graph, nodes: g.nodeCount, ops: opCounts(g) }));
}
