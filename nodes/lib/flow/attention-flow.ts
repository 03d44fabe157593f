import { checkGridSize, coordinateGrid } from "./coordinate-grid";
import type { FlowStep } from "../../core/flow";

/**
 * The reference (plain TypeScript, float64 accumulation) computation of one FlowStep from one
 * attention layer's projected queries and keys (leffa.md §3.2). The ONNX flow graph
 * (models/leffa/flow-graph.ts) computes the same on the GPU and is tested against this.
 *
 * - flow: per head A_h = softmax(Q_h K_refᵀ / (τ·√d)) over the N reference keys only, and
 *   flow = mean_h(A_h · C) with C the coordinate grid;
 * - topIndices / topWeights: the K largest entries of mean_h(A_h) per target token, largest first,
 *   ties to the lower index;
 * - confidence: the real attention (τ = 1, over all 2N keys) → its probability mass on the last
 *   N (reference) keys, averaged over heads.
 *
 * Memory is O(N) scratch: one query row at a time, never the N × N map.
 */
export interface FlowStepInput {
  /** to_q(norm1(h)) of the conditional element: [N, C] row-major (a leading batch of 1 is fine). */
  readonly q: ArrayLike<number>;
  /** to_k over own + reference tokens: [2N, C], the first N rows own keys, the last N reference. */
  readonly k: ArrayLike<number>;
  readonly heads: number;
  readonly gridWidth: number;
  readonly gridHeight: number;
  /** τ of the flow and top-K (2 matches training, 1 what inference really attends with). */
  readonly temperature: number;
  readonly topK: number;
  readonly timestep: number;
}

interface Shape {
  readonly n: number;
  readonly channels: number;
  readonly headDim: number;
}

function checkInput(input: FlowStepInput): Shape {
  const { q, k, heads, gridWidth, gridHeight, temperature, topK } = input;
  checkGridSize(gridWidth, gridHeight);
  const n = gridWidth * gridHeight;
  if (!Number.isInteger(heads) || heads < 1) {
    throw new Error(`heads must be a positive integer, got ${heads}`);
  }
  if (q.length === 0 || q.length % n !== 0) {
    throw new Error(
      `q has ${q.length} values: expected N·C with N = ${gridWidth}×${gridHeight} = ${n} tokens`,
    );
  }
  const channels = q.length / n;
  if (channels % heads !== 0) {
    throw new Error(`q has ${channels} channels, not divisible into ${heads} heads`);
  }
  if (k.length !== 2 * n * channels) {
    throw new Error(
      `k has ${k.length} values: expected 2N·C = 2·${n}·${channels} = ${2 * n * channels} ` +
        "(own keys then reference keys)",
    );
  }
  if (!(temperature > 0) || !Number.isFinite(temperature)) {
    throw new Error(`temperature must be a positive number, got ${temperature}`);
  }
  if (!Number.isInteger(topK) || topK < 1 || topK > n) {
    throw new Error(`topK must be an integer from 1 to N = ${n}, got ${topK}`);
  }
  if (!Number.isFinite(input.timestep)) throw new Error(`timestep must be a number`);
  return { n, channels, headDim: channels / heads };
}

/** scores[j] = q[row, head] · k[keyOffset + j, head] · scale for j < count. */
function headScores(
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  shape: Shape,
  row: number,
  head: number,
  keyOffset: number,
  scale: number,
  scores: Float64Array,
): void {
  const { channels, headDim, n } = shape;
  const qBase = row * channels + head * headDim;
  for (let j = 0; j < n; j++) {
    const kBase = (keyOffset + j) * channels + head * headDim;
    let dot = 0;
    for (let c = 0; c < headDim; c++) dot += q[qBase + c] * k[kBase + c];
    scores[j] = dot * scale;
  }
}

function maxOf(values: Float64Array): number {
  let m = -Infinity;
  for (const v of values) if (v > m) m = v;
  return m;
}

/** Σ exp(values − shift). */
function sumExp(values: Float64Array, shift: number): number {
  let s = 0;
  for (const v of values) s += Math.exp(v - shift);
  return s;
}

/**
 * Writes the K largest of `values` (largest first; on equal values the lower index first) into
 * `indices` / `weights` at `offset`. O(N·K), fine for the small K a visualiser shows.
 */
export function topKInto(
  values: Float64Array,
  k: number,
  indices: Int32Array,
  weights: Float32Array,
  offset: number,
): void {
  const bestIndex = new Int32Array(k).fill(-1);
  const bestValue = new Float64Array(k).fill(-Infinity);
  for (let j = 0; j < values.length; j++) {
    const v = values[j];
    // Strictly greater than the current K-th: an equal later index never displaces an earlier one.
    if (bestIndex[k - 1] !== -1 && !(v > bestValue[k - 1])) continue;
    let p = k - 1;
    while (p > 0 && (bestIndex[p - 1] === -1 || v > bestValue[p - 1])) {
      bestIndex[p] = bestIndex[p - 1];
      bestValue[p] = bestValue[p - 1];
      p--;
    }
    bestIndex[p] = j;
    bestValue[p] = v;
  }
  for (let r = 0; r < k; r++) {
    indices[offset + r] = bestIndex[r];
    weights[offset + r] = bestValue[r];
  }
}

export function computeFlowStep(input: FlowStepInput): FlowStep {
  const shape = checkInput(input);
  const { n, headDim } = shape;
  const { q, k, heads, temperature, topK } = input;
  const grid = coordinateGrid(input.gridWidth, input.gridHeight);
  const scale = 1 / Math.sqrt(headDim);

  const flow = new Float32Array(n * 2);
  const confidence = new Float32Array(n);
  const topIndices = new Int32Array(n * topK);
  const topWeights = new Float32Array(n * topK);

  const own = new Float64Array(n);
  const ref = new Float64Array(n);
  const meanAttention = new Float64Array(n);

  for (let i = 0; i < n; i++) {
    meanAttention.fill(0);
    let refMass = 0;
    for (let h = 0; h < heads; h++) {
      headScores(q, k, shape, i, h, 0, scale, own);
      headScores(q, k, shape, i, h, n, scale, ref);
      // Real attention (τ = 1) over own + reference keys: the reference share of its mass.
      const refMax = maxOf(ref);
      const shift = Math.max(maxOf(own), refMax);
      const refSum = sumExp(ref, shift);
      refMass += refSum / (refSum + sumExp(own, shift));
      // Flow attention: reference keys only, logits divided by τ (their max scales with them).
      // `own` is free now: reuse it as the tempered logits' scratch.
      const tempered = own;
      for (let j = 0; j < n; j++) tempered[j] = ref[j] / temperature;
      const tShift = refMax / temperature;
      const z = sumExp(tempered, tShift) * heads;
      for (let j = 0; j < n; j++) meanAttention[j] += Math.exp(tempered[j] - tShift) / z;
    }
    let x = 0;
    let y = 0;
    for (let j = 0; j < n; j++) {
      x += meanAttention[j] * grid[2 * j];
      y += meanAttention[j] * grid[2 * j + 1];
    }
    flow[2 * i] = x;
    flow[2 * i + 1] = y;
    confidence[i] = refMass / heads;
    topKInto(meanAttention, topK, topIndices, topWeights, i * topK);
  }
  return { timestep: input.timestep, flow, confidence, topIndices, topWeights };
}
