import { buildFlowGraph } from "../../../models/leffa/flow-graph";
import type { GeneratedGraph, ModelSession, ModelTensor } from "../../core/types";
import { NodeError } from "../../core/types";
import { isLowNoise } from "../flow/average-steps";
import { coordinateGrid } from "../flow/coordinate-grid";
import type { FlowField, FlowLayer, FlowStep } from "../../core/flow";
import { outputFloatType, readFloats, type MakeTensor } from "./float-feeds";
import type { RefFeature } from "../../../models/leffa/features";

/**
 * Collects the attention flow field during sampling (leffa.md §3.2; issue: "See where attention
 * looked"). The generative UNet converted with flow layers hands out, for the conditional branch,
 * each chosen layer's queries `flow_q_XX` [1, N, C] and keys `flow_k_XX` [1, 2N, C]; at the steps
 * this collector wants, they are turned into a FlowStep by the flow graph on the same device
 * (models/leffa/flow-graph.ts). Where no graph session can be made (contexts without
 * `loadGraph`) it collects nothing: the TypeScript reference (attention-flow.ts) is exact but
 * takes seconds per layer at real sizes, which is what the graph is for.
 */

export type FlowMode = "off" | "low-noise" | "all";

export interface FlowSettings {
  readonly mode: FlowMode;
  /** τ: 1 is what inference does, 2 what Leffa's training loss used. */
  readonly temperature: number;
  readonly topK: number;
}

export const DEFAULT_FLOW_TOP_K = 8;

const QUERY = /^flow_q_(\d{2})$/;
const keyName = (index: number) => `flow_k_${String(index).padStart(2, "0")}`;

interface Layer {
  readonly index: number;
  /** Where it sits ("up_blocks.3.attentions.2.transformer_blocks.0") and its head count. */
  readonly feature: RefFeature;
  readonly query: string;
  readonly key: string;
  readonly steps: FlowStep[];
  gridWidth: number;
  gridHeight: number;
}

/** The flow layers a loaded generative UNet offers (none for graphs converted without them). */
export function flowLayerIndices(genUnet: ModelSession): number[] {
  const names = new Set(genUnet.outputNames ?? []);
  return [...names]
    .map((name) => QUERY.exec(name))
    .filter((m): m is RegExpExecArray => m !== null && names.has(keyName(Number(m[1]))))
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

/** The layer a flow output belongs to; an index the UNet does not have is the graph's mistake. */
function layerFeature(features: readonly RefFeature[], index: number): RefFeature {
  const feature = features[index];
  if (!feature) {
    throw new NodeError(
      `the generative UNet offers flow layer ${index}, but its architecture has ${features.length} self-attention layers`,
    );
  }
  return feature;
}

export class FlowCollector {
  private readonly layers: Layer[];

  constructor(
    genUnet: ModelSession,
    /** The UNet's self-attention layers in reference-feature order (the family's layout). */
    features: readonly RefFeature[],
    private readonly settings: FlowSettings,
    private readonly latent: { readonly width: number; readonly height: number },
    private readonly tensor: MakeTensor,
    private readonly loadGraph?: (graph: GeneratedGraph) => Promise<ModelSession>,
  ) {
    this.layers =
      settings.mode === "off" || !loadGraph
        ? []
        : flowLayerIndices(genUnet).map((index) => ({
            index,
            feature: layerFeature(features, index),
            query: `flow_q_${String(index).padStart(2, "0")}`,
            key: keyName(index),
            steps: [],
            gridWidth: 0,
            gridHeight: 0,
          }));
  }

  /** Whether the UNet offers flow outputs and the settings want them at all. */
  get active(): boolean {
    return this.layers.length > 0;
  }

  wants(timestep: number): boolean {
    if (!this.active) return false;
    return this.settings.mode === "all" || isLowNoise(timestep);
  }

  /** The extra outputs to ask the generative UNet for at a step this collector wants. */
  outputs(): string[] {
    return this.layers.flatMap((l) => [l.query, l.key]);
  }

  /** Turns one step's queries and keys into flow steps, then frees them. */
  async collect(timestep: number, outputs: Readonly<Record<string, ModelTensor>>): Promise<void> {
    try {
      for (const layer of this.layers) {
        const q = outputs[layer.query];
        const k = outputs[layer.key];
        if (!q || !k || q.dims.length !== 3 || k.dims.length !== 3 || k.dims[1] !== 2 * q.dims[1]) {
          throw new NodeError(
            `the generative UNet's ${layer.query}/${layer.key} have shapes ` +
              `[${q?.dims.join(", ")}] / [${k?.dims.join(", ")}], expected [1, N, C] / [1, 2N, C]`,
          );
        }
        const [, n, channels] = q.dims;
        const { gridWidth, gridHeight } = this.gridFor(n);
        layer.gridWidth = gridWidth;
        layer.gridHeight = gridHeight;
        layer.steps.push(
          await this.onDevice(q, k, channels, layer.feature.heads, gridWidth, gridHeight, timestep),
        );
      }
    } finally {
      for (const name of this.outputs()) outputs[name]?.dispose();
    }
  }

  /** The FLOW value: every collected step of every layer (empty when nothing was collected). */
  field(size: {
    width: number;
    height: number;
    referenceWidth: number;
    referenceHeight: number;
  }): FlowField {
    const layers: FlowLayer[] = this.layers
      .filter((l) => l.steps.length > 0)
      .map((l) => ({
        // SD1.5's attentions have one block each: its module path ("up_blocks.3.attentions.0").
        name: l.feature.block.replace(/\.transformer_blocks\.0$/, ""),
        index: l.index,
        gridWidth: l.gridWidth,
        gridHeight: l.gridHeight,
        topK: this.settings.topK,
        temperature: this.settings.temperature,
        steps: l.steps,
      }));
    return { kind: "flow", ...size, layers };
  }

  /** A layer of N tokens sits 2^level times below the latent in each direction. */
  private gridFor(tokens: number): { gridWidth: number; gridHeight: number } {
    const { width, height } = this.latent;
    for (let scale = 1; scale <= Math.max(width, height); scale *= 2) {
      const gw = Math.ceil(width / scale);
      const gh = Math.ceil(height / scale);
      if (gw * gh === tokens) return { gridWidth: gw, gridHeight: gh };
    }
    throw new NodeError(
      `a flow layer has ${tokens} tokens, which is no downscaled grid of the ${width}×${height} latent`,
    );
  }

  private async onDevice(
    q: ModelTensor,
    k: ModelTensor,
    channels: number,
    heads: number,
    gridWidth: number,
    gridHeight: number,
    timestep: number,
  ): Promise<FlowStep> {
    const dtype = outputFloatType(q, "flow queries") === "float16" ? "fp16" : "fp32";
    const { topK, temperature } = this.settings;
    const options = { channels, heads, topK, dtype } as const;
    const n = gridWidth * gridHeight;
    const session = await this.loadGraph!({
      id: `leffa-flow-c${channels}-h${heads}-k${topK}-${dtype}`,
      contract: {
        inputs: [
          { name: "q", dtype: dtype === "fp16" ? "float16" : "float32", shape: [1, "n", channels] },
          { name: "k", dtype: dtype === "fp16" ? "float16" : "float32", shape: [1, "m", channels] },
          { name: "grid", dtype: "float32", shape: ["n", 2] },
          { name: "temperature", dtype: "float32", shape: [1] },
        ],
        outputs: [
          { name: "flow", dtype: "float32", shape: [1, "n", 2] },
          { name: "confidence", dtype: "float32", shape: [1, "n"] },
          { name: "top_weights", dtype: "float32", shape: [1, "n", topK] },
          { name: "top_indices", dtype: "int64", shape: [1, "n", topK] },
        ],
        preprocess: "queries and keys of one attention layer, conditional branch",
        postprocess: "flow in [-1, 1] (align_corners=True), confidence, top-K reference tokens",
      },
      build: () => buildFlowGraph(options),
    });
    const out = await session.run({
      q,
      k,
      grid: this.tensor("float32", coordinateGrid(gridWidth, gridHeight), [n, 2]),
      temperature: this.tensor("float32", Float32Array.of(temperature), [1]),
    });
    const indices = (await out.top_indices.getData()) as BigInt64Array;
    const step: FlowStep = {
      timestep,
      flow: Float32Array.from(await readFloats(out.flow, "flow")),
      confidence: Float32Array.from(await readFloats(out.confidence, "confidence")),
      topWeights: Float32Array.from(await readFloats(out.top_weights, "top_weights")),
      topIndices: Int32Array.from(indices, Number),
    };
    Object.values(out).forEach((t) => t.dispose());
    return step;
  }
}
