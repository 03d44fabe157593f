import { GraphBuilder, type ElementType } from "../onnx/builder";
import { castTo, createOps, int64s, scalar, type Ops } from "./graph-ops";
import type { WeightSource } from "./weights";

/**
 * The flow graph of leffa.md §3.2: turns one attention layer's projected queries and keys (the
 * generative UNet's `flow_q_XX` / `flow_k_XX` outputs, conditional batch element) into the
 * FlowStep fields. Same maths as nodes/lib/flow/attention-flow.ts (the tested reference):
 * - `flow` [1, n, 2]: mean over heads of softmax(Q_h K_refᵀ / (τ·√d)) · grid;
 * - `confidence` [1, n]: the real attention's (τ = 1, all 2n keys) mass on the reference keys,
 *   averaged over heads;
 * - `top_weights` / `top_indices` [1, n, K]: TopK of the head-averaged reference attention
 *   (indices int64, as ONNX TopK gives them).
 * Inputs: `q` [1, n, C], `k` [1, 2n, C] (own keys, then reference keys) in the graph's dtype,
 * `grid` [n, 2] float32 (coordinateGrid), `temperature` [1] float32. n is symbolic, C fixed.
 *
 * Queries run in chunks (Slice on the query axis, sizes from the runtime n), so no score tensor
 * is larger than heads × maxChunkRows(n, chunks) × n (about n / chunks rows); the own and reference scores are separate
 * tensors of that size, the real softmax's reference share coming from their two exp-sums with a
 * shared max (never a 2n-wide tensor).
 */
export interface FlowGraphOptions {
  /** C: 320 / 640 / 1280 for SD 1.5's levels, or a tiny width in tests. */
  readonly channels: number;
  readonly heads: number;
  /** K of the top-K outputs; n must be at least K at run time. */
  readonly topK: number;
  /** The element type of `q` and `k` (like the UNet graphs'). */
  readonly dtype: "fp32" | "fp16";
  /** Query chunks (default: defaultFlowChunks(heads)). */
  readonly chunks?: number;
}

/** The token count the default chunking is sized for: the 1/8 level of a 1024×768 image. */
export const FLOW_CHUNK_REFERENCE_TOKENS = 12288;
/** The most bytes one chunk's fp32 score tensor should take at that n. */
export const FLOW_CHUNK_SCORE_BYTES = 64 * 2 ** 20;

/**
 * The fewest chunks keeping one chunk's fp32 score tensor (heads × rows × n) under 64 MiB at
 * n = 12288, counting the `chunks` padding rows buildFlowGraph adds (see there).
 */
export function defaultFlowChunks(heads: number): number {
  const n = FLOW_CHUNK_REFERENCE_TOKENS;
  const fits = (chunks: number) =>
    heads * maxChunkRows(n, chunks) * n * 4 <= FLOW_CHUNK_SCORE_BYTES;
  let chunks = 1;
  while (!fits(chunks) && chunks < n) chunks++;
  return chunks;
}

/** The most query rows one chunk gets for n tokens (n + chunks rows split as evenly as can be). */
export function maxChunkRows(n: number, chunks: number): number {
  return chunks === 1 ? n : Math.ceil((n + chunks) / chunks);
}

export const FLOW_GRAPH_INPUTS = ["q", "k", "grid", "temperature"] as const;
export const FLOW_GRAPH_OUTPUTS = ["flow", "confidence", "top_weights", "top_indices"] as const;

/** The flow graph reads no checkpoint: any weight lookup is a bug in this file. */
const NO_WEIGHTS: WeightSource = {
  shape(key) {
    throw new Error(`the flow graph has no weights (asked for "${key}")`);
  },
  read(key) {
    throw new Error(`the flow graph has no weights (asked for "${key}")`);
  },
};

function checkOptions(options: FlowGraphOptions): number {
  const { channels, heads, topK } = options;
  const chunks = options.chunks ?? defaultFlowChunks(heads);
  const positive: [string, number][] = [
    ["channels", channels],
    ["heads", heads],
    ["topK", topK],
    ["chunks", chunks],
  ];
  for (const [name, value] of positive) {
    if (!Number.isInteger(value) || value < 1) {
      throw new Error(`flow graph: ${name} must be a positive integer, got ${value}`);
    }
  }
  if (channels % heads !== 0) {
    throw new Error(`flow graph: ${channels} channels do not split into ${heads} heads`);
  }
  return chunks;
}

/** [1, L, C] → [1, heads, L, d], or [1, heads, d, L] for keys to multiply with. */
function splitHeads(ops: Ops, x: string, heads: number, d: number, transposed = false): string {
  const [r] = ops.g.node("Reshape", [x, int64s(ops, [0, 0, heads, d])]);
  return ops.g.node("Transpose", [r], { perm: transposed ? [0, 2, 3, 1] : [0, 2, 1, 3] })[0];
}

/**
 * Everything for one chunk of scaled queries qc [1, heads, rows, d], packed as one float32
 * tensor [1, rows, 3 + 2K]: flow x, y | confidence | K weights | K indices (as floats, exact
 * below 2^24 tokens). One tensor per chunk matters for memory: onnxruntime orders nodes by a
 * depth-first walk back from the outputs, so with four separate per-chunk outputs it ran every
 * chunk's flow branch first and kept all chunks' score tensors alive for the confidence branches
 * (5.8 GB at n = 12288); through one packed tensor each chunk finishes before the next starts.
 */
function flowChunk(
  ops: Ops,
  qc: string,
  keys: { own: string; ref: string },
  inputs: { grid: string; temperature: string },
  topK: number,
): string {
  const { g } = ops;
  const [own] = g.node("MatMul", [qc, keys.own]);
  const [ref] = g.node("MatMul", [qc, keys.ref]);

  // Real attention over [own | ref]: reference share = Σ exp(ref − m) / Σ exp(all − m).
  const [ownMax] = g.node("ReduceMax", [own], { axes: [-1], keepdims: 1 });
  const [refMax] = g.node("ReduceMax", [ref], { axes: [-1], keepdims: 1 });
  const [shift] = g.node("Max", [ownMax, refMax]);
  const expSum = (scores: string): string => {
    const [shifted] = g.node("Sub", [scores, shift]);
    const [e] = g.node("Exp", [shifted]);
    return g.node("ReduceSum", [e, int64s(ops, [-1])], { keepdims: 0 })[0];
  };
  const refSum = expSum(ref);
  const [total] = g.node("Add", [refSum, expSum(own)]);
  const [share] = g.node("Div", [refSum, total]);
  const [confidence] = g.node("ReduceMean", [share], { axes: [1], keepdims: 0 });

  // Flow attention: reference keys only, at temperature τ, averaged over heads.
  const [tempered] = g.node("Div", [ref, inputs.temperature]);
  const [attention] = g.node("Softmax", [tempered], { axis: -1 });
  const [mean] = g.node("ReduceMean", [attention], { axes: [1], keepdims: 0 });
  const [flow] = g.node("MatMul", [mean, inputs.grid]);
  const [topWeights, topIndices] = g.node(
    "TopK",
    [mean, int64s(ops, [topK])],
    { axis: -1, largest: 1, sorted: 1 },
    2,
  );
  const [confidenceColumn] = g.node("Unsqueeze", [confidence, int64s(ops, [2])]);
  const indexColumns = g.cast(topIndices, "float32");
  const [packed] = g.node("Concat", [flow, confidenceColumn, topWeights, indexColumns], {
    axis: -1,
  });
  return packed;
}

/** The flow graph as ONNX model bytes (opset 17; it holds only a few small constants). */
export function buildFlowGraph(options: FlowGraphOptions): Uint8Array {
  const chunks = checkOptions(options);
  const { channels, heads, topK } = options;
  const d = channels / heads;
  const g = new GraphBuilder(`leffa_flow_c${channels}_h${heads}`);
  const ops = createOps(g, NO_WEIGHTS, options.dtype);
  const act: ElementType = ops.act;

  const q = g.input("q", act, [1, "n", channels]);
  const k = g.input("k", act, [1, "n_keys", channels]);
  const grid = g.input("grid", "float32", ["n", 2]);
  const temperature = g.input("temperature", "float32", [1]);

  // fp16 q/k are cast up front: the scores feed exponentials, whose fp16 rounding at τ = 1 would
  // be visible in the weights, and q/k are small next to the score tensors.
  const q32 = castTo(ops, q, act, "float32");
  const k32 = castTo(ops, k, act, "float32");
  ops.act = "float32";

  const [n] = g.node("Shape", [q32], { start: 1, end: 2 });
  const tokenAxis = int64s(ops, [1]);
  const [ownKeys] = g.node("Slice", [k32, int64s(ops, [0]), n, tokenAxis]);
  const [twoN] = g.node("Add", [n, n]);
  const [refKeys] = g.node("Slice", [k32, n, twoN, tokenAxis]);
  const keys = {
    own: splitHeads(ops, ownKeys, heads, d, true),
    ref: splitHeads(ops, refKeys, heads, d, true),
  };
  // Scaling Q by 1/√d before the products, like the UNet attention; τ divides the scores later.
  const [qh] = g.node("Mul", [splitHeads(ops, q32, heads, d), scalar(ops, 1 / Math.sqrt(d))]);

  let packed: string;
  if (chunks === 1) {
    packed = flowChunk(ops, qh, keys, { grid, temperature }, topK);
  } else {
    // onnxruntime aborts the process on TopK over an empty chunk (n < chunks, e.g. a 3×3 test
    // grid under 73 chunks), so `chunks` zero query rows are appended and the m = n + chunks rows
    // split as [⌊i·m/chunks⌋, ⌊(i+1)·m/chunks⌋): every chunk has at least one row. The padding
    // rows' results are cut off below; they cost `chunks` extra rows of n scores.
    const [padded] = g.node("Pad", [qh, int64s(ops, [0, 0, 0, 0, 0, 0, chunks, 0])]);
    const [m] = g.node("Add", [n, int64s(ops, [chunks])]);
    const queryAxis = int64s(ops, [2]);
    const boundary = (i: number): string => {
      const [scaled] = g.node("Mul", [m, int64s(ops, [i])]);
      return g.node("Div", [scaled, int64s(ops, [chunks])])[0];
    };
    const parts: string[] = [];
    let start = int64s(ops, [0]);
    for (let i = 1; i <= chunks; i++) {
      const end = boundary(i);
      const [qc] = g.node("Slice", [padded, start, end, queryAxis]);
      parts.push(flowChunk(ops, qc, keys, { grid, temperature }, topK));
      start = end;
    }
    const [all] = g.node("Concat", parts, { axis: 1 });
    [packed] = g.node("Slice", [all, int64s(ops, [0]), n, tokenAxis]);
  }

  // `flow` and `top_weights` come straight out of the Split under their output names.
  const [, confidenceColumn, , indexColumns] = g.node(
    "Split",
    [packed, int64s(ops, [2, 1, topK, topK])],
    { axis: -1 },
    ["flow", "confidence_column", "top_weights", "top_index_values"],
  );
  g.node("Squeeze", [confidenceColumn, int64s(ops, [2])], {}, ["confidence"]);
  g.cast(indexColumns, "int64", "top_indices");
  g.output("flow", "float32", [1, "n", 2]);
  g.output("confidence", "float32", [1, "n"]);
  g.output("top_weights", "float32", [1, "n", topK]);
  g.output("top_indices", "int64", [1, "n", topK]);
  return g.toBytes();
}
