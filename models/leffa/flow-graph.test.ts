import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { computeFlowStep } from "../../nodes/lib/flow/attention-flow";
import { coordinateGrid } from "../../nodes/lib/flow/coordinate-grid";
import type { FlowStep } from "../../nodes/core/flow";
import { fromFloat16Bits, toFloat16Bits } from "../onnx/float16";
import {
  buildFlowGraph,
  defaultFlowChunks,
  maxChunkRows,
  type FlowGraphOptions,
} from "./flow-graph";

interface Case {
  readonly gridWidth: number;
  readonly gridHeight: number;
  readonly temperature: number;
}

/** Deterministic values in about [−2, 2]: scores of a few units, so softmax is neither flat nor one-hot. */
function pseudoRandom(length: number, seed: number): Float32Array {
  return Float32Array.from({ length }, (_, i) => Math.sin(i * 12.9898 + seed * 78.233) * 2);
}

async function runGraph(options: FlowGraphOptions, c: Case) {
  const n = c.gridWidth * c.gridHeight;
  const { channels } = options;
  let q = pseudoRandom(n * channels, 1);
  let k = pseudoRandom(2 * n * channels, 2);
  let qTensor: ort.Tensor;
  let kTensor: ort.Tensor;
  if (options.dtype === "fp16") {
    const qBits = toFloat16Bits(q);
    const kBits = toFloat16Bits(k);
    // The reference sees exactly the half values the graph gets.
    q = fromFloat16Bits(qBits);
    k = fromFloat16Bits(kBits);
    qTensor = new ort.Tensor("float16", qBits, [1, n, channels]);
    kTensor = new ort.Tensor("float16", kBits, [1, 2 * n, channels]);
  } else {
    qTensor = new ort.Tensor("float32", q, [1, n, channels]);
    kTensor = new ort.Tensor("float32", k, [1, 2 * n, channels]);
  }
  const session = await ort.InferenceSession.create(buildFlowGraph(options));
  const out = await session.run({
    q: qTensor,
    k: kTensor,
    grid: new ort.Tensor("float32", coordinateGrid(c.gridWidth, c.gridHeight), [n, 2]),
    temperature: new ort.Tensor("float32", Float32Array.of(c.temperature), [1]),
  });
  await session.release();
  const expected = computeFlowStep({
    q,
    k,
    heads: options.heads,
    gridWidth: c.gridWidth,
    gridHeight: c.gridHeight,
    temperature: c.temperature,
    topK: options.topK,
    timestep: 0,
  });
  return { out, expected, n };
}

function expectClose(actual: ort.Tensor, expected: Float32Array, dims: number[]): void {
  expect(actual.type).toBe("float32");
  expect(actual.dims).toEqual(dims);
  const a = actual.data as Float32Array;
  let worst = 0;
  // Relative error, with values below 0.01 compared at the 0.01 scale (flow crosses 0).
  expected.forEach(
    (e, i) => (worst = Math.max(worst, Math.abs(a[i] - e) / Math.max(Math.abs(e), 1e-2))),
  );
  expect(worst).toBeLessThanOrEqual(1e-4);
}

function expectSameTopK(actual: ort.Tensor, expected: FlowStep, n: number, topK: number): void {
  expect(actual.type).toBe("int64");
  expect(actual.dims).toEqual([1, n, topK]);
  const indices = actual.data as BigInt64Array;
  let compared = 0;
  for (let i = 0; i < n * topK; i++) {
    // Where a weight is (nearly) tied with its neighbour, the order is not defined by the maths.
    const w = expected.topWeights;
    const row = Math.floor(i / topK);
    const r = i % topK;
    const gapBefore = r > 0 ? w[i - 1] - w[i] : Infinity;
    const gapAfter = r < topK - 1 ? w[i] - w[i + 1] : Infinity;
    if (Math.min(gapBefore, gapAfter) < 1e-5) continue;
    expect(Number(indices[i]), `token ${row} rank ${r}`).toBe(expected.topIndices[i]);
    compared++;
  }
  // The inputs are generic: nearly every rank is compared.
  expect(compared).toBeGreaterThan(n * topK * 0.9);
}

async function check(options: FlowGraphOptions, c: Case): Promise<void> {
  const { out, expected, n } = await runGraph(options, c);
  expectClose(out.flow, expected.flow, [1, n, 2]);
  expectClose(out.confidence, expected.confidence, [1, n]);
  expectClose(out.top_weights, expected.topWeights, [1, n, options.topK]);
  expectSameTopK(out.top_indices, expected, n, options.topK);
}

describe("flow graph (onnxruntime-node) vs computeFlowStep", () => {
  it("fp32, one chunk, τ = 2", async () => {
    await check(
      { channels: 8, heads: 2, topK: 3, dtype: "fp32", chunks: 1 },
      { gridWidth: 4, gridHeight: 3, temperature: 2 },
    );
  });

  it("fp32, 5 chunks over 12 tokens (uneven sizes), τ = 1", async () => {
    await check(
      { channels: 12, heads: 3, topK: 4, dtype: "fp32", chunks: 5 },
      { gridWidth: 4, gridHeight: 3, temperature: 1 },
    );
  });

  it("fp16 inputs, 3 chunks, a 5×2 grid", async () => {
    await check(
      { channels: 8, heads: 2, topK: 2, dtype: "fp16", chunks: 3 },
      { gridWidth: 5, gridHeight: 2, temperature: 2 },
    );
  });

  it("the default chunking (SD 1.5's 8 heads) runs on a grid with fewer tokens than chunks", async () => {
    expect(defaultFlowChunks(8)).toBe(73);
    await check(
      { channels: 16, heads: 8, topK: 2, dtype: "fp32" },
      { gridWidth: 3, gridHeight: 3, temperature: 2 },
    );
  });
});

describe("buildFlowGraph options", () => {
  it("sizes default chunks to keep a chunk's fp32 scores under 64 MiB at n = 12288", () => {
    const scoreBytes = (heads: number, chunks: number) =>
      heads * maxChunkRows(12288, chunks) * 12288 * 4;
    for (const heads of [1, 5, 8, 20]) {
      const chunks = defaultFlowChunks(heads);
      expect(scoreBytes(heads, chunks)).toBeLessThanOrEqual(64 * 2 ** 20);
      // …and no more chunks than needed: one fewer would exceed it.
      if (chunks > 1) expect(scoreBytes(heads, chunks - 1)).toBeGreaterThan(64 * 2 ** 20);
    }
  });

  it("rejects channels not divisible into heads and non-positive sizes", () => {
    expect(() => buildFlowGraph({ channels: 10, heads: 3, topK: 2, dtype: "fp32" })).toThrow(
      /10 channels do not split into 3 heads/,
    );
    expect(() => buildFlowGraph({ channels: 8, heads: 2, topK: 0, dtype: "fp32" })).toThrow(/topK/);
    expect(() =>
      buildFlowGraph({ channels: 8, heads: 2, topK: 2, dtype: "fp32", chunks: 1.5 }),
    ).toThrow(/chunks/);
  });
});
