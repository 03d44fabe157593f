import onnxProto from "onnx-proto";
import { GraphBuilder } from "../onnx/builder";
import { ATTENTION_METADATA_KEY } from "./attention-chunks";
import {
  chunkedCore,
  createOps,
  FUSED_ATTENTION_METADATA_KEY,
  type FusedAttentionInfo,
} from "./graph-ops";
import type { WeightSource } from "./weights";

const { onnx } = onnxProto;

/**
 * The runtime's fallback for a fused Leffa graph (attention: "fused") on a backend that cannot run
 * com.microsoft MultiHeadAttention, or whose kernel fails (e.g. a score buffer over the GPU's
 * limit): rewrites every MultiHeadAttention node into the query-chunked MatMul/Softmax subgraph
 * the chunked graph has there (the same `chunkedCore` builds both), so the store needs one
 * variant per model. Only the .onnx bytes change: initializers stored as external data keep
 * pointing into the same `.onnx_data` file. Returns undefined for a graph that is not fused.
 */
export function defuseAttention(modelBytes: Uint8Array): Uint8Array | undefined {
  const model = onnx.ModelProto.decode(modelBytes);
  const metadata = model.metadataProps ?? [];
  const meta = new Map(metadata.map((p) => [p.key ?? "", p.value ?? ""]));
  if (meta.get(ATTENTION_METADATA_KEY) !== "fused") return undefined;
  const infos = JSON.parse(meta.get(FUSED_ATTENTION_METADATA_KEY) ?? "[]") as FusedAttentionInfo[];
  const graph = model.graph;
  if (!graph) throw new Error("defuseAttention: the model has no graph");

  const nodes: typeof graph.node = [];
  let index = 0;
  for (const node of graph.node ?? []) {
    if (node.domain !== "com.microsoft" || node.opType !== "MultiHeadAttention") {
      nodes.push(node);
      continue;
    }
    const info = infos[index];
    if (!info) {
      throw new Error(
        `defuseAttention: MultiHeadAttention node ${index} has no entry in ${FUSED_ATTENTION_METADATA_KEY}`,
      );
    }
    const [q, k, v] = node.input ?? [];
    const [out] = node.output ?? [];
    const sub = chunkedSubgraph(info, { q, k, v, out }, `defused_${index}/`);
    nodes.push(...sub.nodes);
    graph.initializer = [...(graph.initializer ?? []), ...sub.initializers];
    index++;
  }
  if (index !== infos.length) {
    throw new Error(
      `defuseAttention: ${index} MultiHeadAttention nodes, but the metadata lists ${infos.length}`,
    );
  }
  graph.node = nodes;
  model.opsetImport = (model.opsetImport ?? []).filter((o) => o.domain !== "com.microsoft");
  model.metadataProps = metadata
    .filter((p) => p.key !== FUSED_ATTENTION_METADATA_KEY)
    .map((p) => (p.key === ATTENTION_METADATA_KEY ? { key: p.key, value: "chunked" } : p));
  return onnx.ModelProto.encode(model).finish();
}

/** The chunked subgraph has no weights: only small constants it makes itself. */
const NO_WEIGHTS: WeightSource = {
  shape(key) {
    throw new Error(`the chunked attention core has no weights (asked for "${key}")`);
  },
  read(key) {
    throw new Error(`the chunked attention core has no weights (asked for "${key}")`);
  },
};

/**
 * chunkedCore on the fused node's q, k, v, writing the fused node's output name; every other
 * tensor and node name gets `prefix`, so it cannot clash with the host graph's.
 */
function chunkedSubgraph(
  info: FusedAttentionInfo,
  names: { q: string; k: string; v: string; out: string },
  prefix: string,
) {
  const g = new GraphBuilder("defused-attention");
  const ops = createOps(g, NO_WEIGHTS, info.type === "float16" ? "fp16" : "fp32");
  for (const name of [names.q, names.k, names.v])
    g.input(name, info.type, ["B", "T", info.channels]);
  const { q, k, v } = names;
  const core = chunkedCore(ops, { q, k, v }, info.channels, info.heads, info.chunks);
  g.node("Identity", [core], {}, [names.out]);
  g.output(names.out, info.type, ["B", "N", info.channels]);
  const sub = onnx.ModelProto.decode(g.toBytes()).graph;
  const kept = new Set([names.q, names.k, names.v, names.out]);
  const rename = (n: string) => (n === "" || kept.has(n) ? n : prefix + n);
  const nodes = (sub?.node ?? []).map((n) =>
    onnx.NodeProto.create({
      ...n,
      name: prefix + (n.name ?? ""),
      input: (n.input ?? []).map(rename),
      output: (n.output ?? []).map(rename),
    }),
  );
  const initializers = (sub?.initializer ?? []).map((t) =>
    onnx.TensorProto.create({ ...t, name: prefix + (t.name ?? "") }),
  );
  return { nodes, initializers };
}
