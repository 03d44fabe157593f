import type { ElementType, GraphBuilder } from "../onnx/builder";
import { toFloat16Bits } from "../onnx/float16";
import type { AttentionMode } from "./attention-chunks";
import type { WeightSource } from "./weights";

/**
 * Graph-building helpers for the SD1.5-style modules Leffa uses (diffusers numerics, see
 * leffa-keys.md §6). Each helper adds nodes to a GraphBuilder and returns the output tensor name.
 * Weights become lazy initializers named by their state-dict key, so a full UNet is only read
 * from the checkpoint, tensor by tensor, while the model file is written.
 *
 * Precision: `store` is the type weights are stored in, `act` the type activations flow in.
 * Normalisations (GroupNorm, LayerNorm) and softmax always compute in fp32, because their
 * statistics and exponentials overflow fp16 at SD activations.
 */
export interface Ops {
  readonly g: GraphBuilder;
  readonly weights: WeightSource;
  /** The element type weights are stored in (float16 for the shipped fp16 graphs). */
  readonly store: ElementType;
  /** The element type activations currently flow in; a builder may switch it (VAE decoder). */
  act: ElementType;
  /** Every state-dict key consumed, for the converter's "each key is used or known dead" check. */
  readonly used: Set<string>;
  /** Cache of small constants by type and value. */
  readonly constants: Map<string, string>;
  /** The fused attentions built so far, in node order, as recorded for defuseAttention. */
  readonly fused: FusedAttentionInfo[];
}

/**
 * What the chunked equivalent of one fused MultiHeadAttention node needs: hidden size, heads, the
 * query chunks the chunked graph would use there and the activation type. A fused graph lists
 * these in node order in its metadata (FUSED_ATTENTION_METADATA_KEY), so a runtime whose backend
 * cannot run the fused op rewrites it into the chunked graph (defuse-attention.ts).
 */
export interface FusedAttentionInfo {
  readonly channels: number;
  readonly heads: number;
  readonly chunks: number;
  readonly type: "float32" | "float16";
}

export const FUSED_ATTENTION_METADATA_KEY = "leffa.attention.fused";

const consumed = new WeakMap<GraphBuilder, ReadonlySet<string>>();

export function createOps(g: GraphBuilder, weights: WeightSource, dtype: "fp32" | "fp16"): Ops {
  const type: ElementType = dtype === "fp16" ? "float16" : "float32";
  const ops: Ops = {
    g,
    weights,
    store: type,
    act: type,
    used: new Set(),
    constants: new Map(),
    fused: [],
  };
  consumed.set(g, ops.used);
  return ops;
}

/** The state-dict keys a graph built through these helpers reads (empty for other graphs). */
export function consumedKeys(g: GraphBuilder): ReadonlySet<string> {
  return consumed.get(g) ?? new Set();
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export interface WeightOptions {
  /** Transpose a 2-D [out, in] Linear weight to [in, out] for MatMul. */
  transpose?: boolean;
  /** Store under these dims instead of the checkpoint's (same element count, e.g. [C, 1, 1]). */
  dims?: readonly number[];
  /** The type the graph uses it in (default: the activation type); a Cast is added if needed. */
  as?: ElementType;
}

/**
 * A weight from the state dict as a lazy initializer, its shape checked now against `expected`.
 * Always stored in `ops.store`; where the graph computes in another type (the fp32 norm affines
 * of an fp16 graph) a Cast follows, so fp16 graphs hold the same fp16 values Leffa's `.half()`
 * model runs with.
 */
export function weight(
  ops: Ops,
  key: string,
  expected: readonly number[],
  options: WeightOptions = {},
): string {
  const actual = ops.weights.shape(key);
  if (!sameShape(actual, expected)) {
    throw new Error(
      `weight "${key}" has shape [${actual.join(", ")}], expected [${expected.join(", ")}]`,
    );
  }
  ops.used.add(key);
  const transpose = options.transpose === true;
  if (transpose && expected.length !== 2)
    throw new Error(`weight "${key}": only 2-D weights transpose`);
  const dims = options.dims ?? (transpose ? [expected[1], expected[0]] : expected);
  const store = ops.store;
  const { weights } = ops;
  const name = ops.g.lazyInitializer(key, store, dims, async () => {
    let typed: Float32Array | Uint16Array | undefined;
    if (store === "float16" && weights.readFloat16Bits) typed = await weights.readFloat16Bits(key);
    if (!typed) {
      const values = weights.readAsync ? await weights.readAsync(key) : weights.read(key);
      typed = store === "float16" ? toFloat16Bits(values) : Float32Array.from(values);
    }
    if (transpose) typed = transpose2d(typed, expected[0], expected[1]);
    return new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
  });
  const as = options.as ?? ops.act;
  return as === store ? name : ops.g.cast(name, as);
}

function transpose2d(
  values: Float32Array | Uint16Array,
  rows: number,
  cols: number,
): Float32Array | Uint16Array {
  const out =
    values instanceof Float32Array
      ? new Float32Array(values.length)
      : new Uint16Array(values.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c];
  }
  return out;
}

/** A constant tensor (cached), stored in `type`. */
export function constant(
  ops: Ops,
  values: readonly number[],
  dims: readonly number[],
  type: ElementType = ops.act,
): string {
  const id = `${type}|${dims.join("x")}|${values.join(",")}`;
  const cached = ops.constants.get(id);
  if (cached) return cached;
  let name: string;
  const label = `const_${ops.constants.size}`;
  if (type === "int64") {
    name = ops.g.initializer(label, BigInt64Array.from(values.map((v) => BigInt(v))), dims);
  } else if (type === "float16") {
    name = ops.g.initializer(label, Float32Array.from(values), dims, { as: "float16" });
  } else if (type === "float32") {
    name = ops.g.initializer(label, Float32Array.from(values), dims);
  } else {
    throw new Error(`constant of type ${type} is not supported`);
  }
  ops.constants.set(id, name);
  return name;
}

export function int64s(ops: Ops, values: readonly number[]): string {
  return constant(ops, values, [values.length], "int64");
}

export function scalar(ops: Ops, value: number, type: ElementType = ops.act): string {
  return constant(ops, [value], [], type);
}

/** Casts to `to` unless already of that type (`from`). */
export function castTo(ops: Ops, x: string, from: ElementType, to: ElementType): string {
  return from === to ? x : ops.g.cast(x, to);
}

export function silu(ops: Ops, x: string): string {
  const [s] = ops.g.node("Sigmoid", [x]);
  return ops.g.node("Mul", [x, s])[0];
}

/** Conv2d with `<prefix>.weight` [cout, cin, k, k] and `<prefix>.bias`. */
export function conv(
  ops: Ops,
  x: string,
  prefix: string,
  cin: number,
  cout: number,
  k: number,
  options: { stride?: number; pads?: readonly number[] } = {},
): string {
  const p = (k - 1) / 2;
  const w = weight(ops, `${prefix}.weight`, [cout, cin, k, k]);
  const b = weight(ops, `${prefix}.bias`, [cout]);
  const stride = options.stride ?? 1;
  return ops.g.node("Conv", [x, w, b], {
    kernel_shape: [k, k],
    strides: [stride, stride],
    pads: options.pads ?? [p, p, p, p],
  })[0];
}

/**
 * GroupNorm over NCHW in fp32 (statistics and affine), as InstanceNormalization over
 * [B, groups, C/groups·H·W]; optionally followed by SiLU. Returns the activation type.
 */
export function groupNorm(
  ops: Ops,
  x: string,
  prefix: string,
  channels: number,
  groups: number,
  eps: number,
  options: { silu?: boolean } = {},
): string {
  if (channels % groups !== 0)
    throw new Error(`${prefix}: ${channels} channels in ${groups} groups`);
  const { g } = ops;
  const [shape] = g.node("Shape", [x]);
  const x32 = castTo(ops, x, ops.act, "float32");
  const [grouped] = g.node("Reshape", [x32, int64s(ops, [0, groups, -1])]);
  const ones = constant(ops, Array(groups).fill(1), [groups], "float32");
  const zeros = constant(ops, Array(groups).fill(0), [groups], "float32");
  const [normed] = g.node("InstanceNormalization", [grouped, ones, zeros], {
    epsilon: { float: eps },
  });
  const [back] = g.node("Reshape", [normed, shape]);
  const gamma = weight(ops, `${prefix}.weight`, [channels], {
    dims: [channels, 1, 1],
    as: "float32",
  });
  const beta = weight(ops, `${prefix}.bias`, [channels], { dims: [channels, 1, 1], as: "float32" });
  const [scaled] = g.node("Mul", [back, gamma]);
  let [y] = g.node("Add", [scaled, beta]);
  if (options.silu) y = silu(ops, y);
  return castTo(ops, y, "float32", ops.act);
}

/** LayerNorm over the last axis, computed in fp32; returns the activation type. */
export function layerNorm(
  ops: Ops,
  x: string,
  prefix: string,
  channels: number,
  eps: number,
): string {
  const x32 = castTo(ops, x, ops.act, "float32");
  const w = weight(ops, `${prefix}.weight`, [channels], { as: "float32" });
  const b = weight(ops, `${prefix}.bias`, [channels], { as: "float32" });
  const [y] = ops.g.node("LayerNormalization", [x32, w, b], { axis: -1, epsilon: { float: eps } });
  return castTo(ops, y, "float32", ops.act);
}

/** Linear on the last axis: x · Wᵀ (+ b), W stored pre-transposed as [in, out]. */
export function linear(
  ops: Ops,
  x: string,
  prefix: string,
  cin: number,
  cout: number,
  bias = true,
): string {
  const w = weight(ops, `${prefix}.weight`, [cout, cin], { transpose: true });
  const [y] = ops.g.node("MatMul", [x, w]);
  if (!bias) return y;
  return ops.g.node("Add", [y, weight(ops, `${prefix}.bias`, [cout])])[0];
}

/** Exact (erf) GELU, in fp32 so Erf is available on every backend. */
function gelu(ops: Ops, x: string): string {
  const { g } = ops;
  const x32 = castTo(ops, x, ops.act, "float32");
  const [scaled] = g.node("Mul", [x32, scalar(ops, Math.SQRT1_2, "float32")]);
  const [erf] = g.node("Erf", [scaled]);
  const [onePlus] = g.node("Add", [erf, scalar(ops, 1, "float32")]);
  const [half] = g.node("Mul", [x32, scalar(ops, 0.5, "float32")]);
  const [y] = g.node("Mul", [half, onePlus]);
  return castTo(ops, y, "float32", ops.act);
}

/** diffusers FeedForward with GEGLU: Linear C→8C, value × GELU(gate), Linear 4C→C. */
export function feedForward(ops: Ops, x: string, prefix: string, c: number): string {
  const { g } = ops;
  const proj = linear(ops, x, `${prefix}.net.0.proj`, c, 8 * c);
  const [value, gate] = g.node("Split", [proj, int64s(ops, [4 * c, 4 * c])], { axis: -1 }, 2);
  const [gated] = g.node("Mul", [value, gelu(ops, gate)]);
  return linear(ops, gated, `${prefix}.net.2`, 4 * c, c);
}

/** [B, C, H, W] → [B, H·W, C] (row-major over H then W). */
export function toTokens(ops: Ops, x: string, c: number): string {
  const [flat] = ops.g.node("Reshape", [x, int64s(ops, [0, c, -1])]);
  return ops.g.node("Transpose", [flat], { perm: [0, 2, 1] })[0];
}

/** [B, H·W, C] → [B, C, H, W] with the spatial shape of `like`. */
export function fromTokens(ops: Ops, tokens: string, like: string): string {
  const [t] = ops.g.node("Transpose", [tokens], { perm: [0, 2, 1] });
  const [shape] = ops.g.node("Shape", [like]);
  return ops.g.node("Reshape", [t, shape])[0];
}

/** [B, T, C] → [B, heads, T, C/heads] (or [B, heads, C/heads, T] with `keysT`). */
function splitHeads(ops: Ops, x: string, heads: number, headDim: number, keysT = false): string {
  const [r] = ops.g.node("Reshape", [x, int64s(ops, [0, 0, heads, headDim])]);
  return ops.g.node("Transpose", [r], { perm: keysT ? [0, 2, 3, 1] : [0, 2, 1, 3] })[0];
}

/** onnxruntime's contrib-op domain, where MultiHeadAttention lives (opset version 1). */
const MICROSOFT_DOMAIN = { name: "com.microsoft", version: 1 } as const;

export interface AttentionOptions {
  /** q/k/v projections have biases (VAE mid attention) or not (UNet attn1). */
  qkvBias: boolean;
  /**
   * "chunked" (default): MatMul/Softmax per query chunk, standard ops only. "fused": one
   * com.microsoft MultiHeadAttention node on the projected q/k/v; `chunks` is then unused.
   */
  mode?: AttentionMode;
  /** Query chunks: softmax(QKᵀ) is materialised for one chunk of queries at a time. */
  chunks: number;
  /**
   * Receives the names of the projected queries to_q(queryTokens) [B, N, C] and keys
   * to_k(kvTokens) [B, L, C], before they are split into heads, so a caller can expose them
   * (the generative UNet's flow outputs) without computing them twice. Adds no nodes.
   */
  onProjections?: (projections: { q: string; k: string }) => void;
}

/**
 * Scaled dot-product attention with queries from `queryTokens` [B, N, C] and keys/values from
 * `kvTokens` [B, L, C]; returns to_out(attention) [B, N, C]. Both modes share the projections
 * (and so the flow taps) and to_out; only the core softmax(QKᵀ/√d)·V differs.
 * Fused: MultiHeadAttention(q [B, N, C], k [B, L, C], v [B, L, C], num_heads) in the activation
 * type, its default scale being 1/√(C/heads); the runtime's kernel decides how it tiles.
 * Chunked: scores and softmax run per query
 * chunk (Slice on the query axis with a chunk size computed from the runtime N), so memory for
 * scores is B·heads·(N/chunks)·L instead of B·heads·N·L: at 1024×768 the generative UNet's
 * 12288 queries × 24576 keys never exist as one matrix. Softmax is computed in fp32.
 */
export function attention(
  ops: Ops,
  queryTokens: string,
  kvTokens: string,
  prefix: string,
  c: number,
  heads: number,
  options: AttentionOptions,
): string {
  const { g } = ops;
  if (c % heads !== 0) throw new Error(`${prefix}: ${c} channels in ${heads} heads`);
  const q = linear(ops, queryTokens, `${prefix}.to_q`, c, c, options.qkvBias);
  const k = linear(ops, kvTokens, `${prefix}.to_k`, c, c, options.qkvBias);
  const v = linear(ops, kvTokens, `${prefix}.to_v`, c, c, options.qkvBias);
  options.onProjections?.({ q, k });
  let core: string;
  if (options.mode === "fused") {
    [core] = g.domainNode(MICROSOFT_DOMAIN, "MultiHeadAttention", [q, k, v], { num_heads: heads });
    if (ops.act !== "float32" && ops.act !== "float16") throw new Error(`${prefix}: ${ops.act}`);
    ops.fused.push({ channels: c, heads, chunks: options.chunks, type: ops.act });
    g.setMetadata(FUSED_ATTENTION_METADATA_KEY, JSON.stringify(ops.fused));
  } else {
    core = chunkedCore(ops, { q, k, v }, c, heads, options.chunks);
  }
  return linear(ops, core, `${prefix}.to_out.0`, c, c);
}

/** softmax(QKᵀ/√d)·V over query chunks, heads merged back: [B, N, C]. */
export function chunkedCore(
  ops: Ops,
  { q, k, v }: { q: string; k: string; v: string },
  c: number,
  heads: number,
  chunks: number,
): string {
  const { g } = ops;
  const d = c / heads;
  // Scaling Q before the product (rather than the scores after) keeps fp16 scores in range.
  const [qScaled] = g.node("Mul", [splitHeads(ops, q, heads, d), scalar(ops, 1 / Math.sqrt(d))]);
  const kT = splitHeads(ops, k, heads, d, true);
  const vh = splitHeads(ops, v, heads, d);

  const attend = (qc: string): string => {
    const [scores] = g.node("MatMul", [qc, kT]);
    const s32 = castTo(ops, scores, ops.act, "float32");
    const [p32] = g.node("Softmax", [s32], { axis: -1 });
    const p = castTo(ops, p32, "float32", ops.act);
    return g.node("MatMul", [p, vh])[0];
  };

  let out: string;
  if (chunks <= 1) {
    out = attend(qScaled);
  } else {
    const n = chunks;
    const [len] = g.node("Shape", [qScaled], { start: 2, end: 3 });
    const [padded] = g.node("Add", [len, int64s(ops, [n - 1])]);
    const [size] = g.node("Div", [padded, int64s(ops, [n])]);
    const axes = int64s(ops, [2]);
    const parts: string[] = [];
    let start = int64s(ops, [0]);
    for (let i = 1; i <= n; i++) {
      const [end] = g.node("Mul", [size, int64s(ops, [i])]);
      const [qc] = g.node("Slice", [qScaled, start, end, axes]);
      parts.push(attend(qc));
      start = end;
    }
    [out] = g.node("Concat", parts, { axis: 2 });
  }
  const [merged] = g.node("Transpose", [out], { perm: [0, 2, 1, 3] });
  return g.node("Reshape", [merged, int64s(ops, [0, 0, c])])[0];
}

/**
 * diffusers ResnetBlock2D: GN → SiLU → conv1 (+ time_emb_proj(SiLU(temb))) → GN → SiLU → conv2,
 * plus the input (through a 1×1 conv_shortcut when channels change). `tembSilu` is SiLU(temb),
 * shared by every resnet; absent in the VAE.
 */
export function resnet(
  ops: Ops,
  x: string,
  prefix: string,
  cin: number,
  cout: number,
  norm: { groups: number; eps: number },
  temb?: { silu: string; channels: number },
): string {
  const { g } = ops;
  let h = groupNorm(ops, x, `${prefix}.norm1`, cin, norm.groups, norm.eps, { silu: true });
  h = conv(ops, h, `${prefix}.conv1`, cin, cout, 3);
  if (temb) {
    const t = linear(ops, temb.silu, `${prefix}.time_emb_proj`, temb.channels, cout);
    const [t4] = g.node("Unsqueeze", [t, int64s(ops, [2, 3])]);
    [h] = g.node("Add", [h, t4]);
  }
  h = groupNorm(ops, h, `${prefix}.norm2`, cout, norm.groups, norm.eps, { silu: true });
  h = conv(ops, h, `${prefix}.conv2`, cout, cout, 3);
  const shortcut = cin === cout ? x : conv(ops, x, `${prefix}.conv_shortcut`, cin, cout, 1);
  return g.node("Add", [shortcut, h])[0];
}

/** Nearest 2× upsampling to an explicit spatial size (`sizeLike`'s H, W) or by scale 2. */
export function upsampleNearest(ops: Ops, x: string, sizeLike?: string): string {
  const { g } = ops;
  const attrs = {
    mode: "nearest",
    coordinate_transformation_mode: "asymmetric",
    nearest_mode: "floor",
  };
  if (!sizeLike) {
    const scales = constant(ops, [1, 1, 2, 2], [4], "float32");
    return g.node("Resize", [x, "", scales], attrs)[0];
  }
  const [batchChannels] = g.node("Shape", [x], { start: 0, end: 2 });
  const [spatial] = g.node("Shape", [sizeLike], { start: 2, end: 4 });
  const [sizes] = g.node("Concat", [batchChannels, spatial], { axis: 0 });
  return g.node("Resize", [x, "", "", sizes], attrs)[0];
}
