/**
 * `npm run bench:flow`: what the flow field costs a sampling step (issue target: under 10 %).
 *
 * A real SD 1.5 UNet cannot be loaded on this machine in a bench's time, so the cost is measured
 * against the part of the step it is made of, at real sizes, on onnxruntime-web WASM:
 *  1. one full-resolution (1/8) self-attention layer of each UNet as the converter builds it
 *     (generative: Q from N tokens, K and V from 2N; reference: N and N; 8 heads, its query
 *     chunking, batch 2 for CFG), and the flow graph for that layer (batch 1: the conditional
 *     branch), at 512×384 and 1024×768. A step runs five such layers in each UNet (down_blocks.0
 *     ×2, up_blocks.3 ×3) plus eleven smaller ones each and every convolution, so
 *     "3 flow layers / (5 + 5 attention layers + 3 flow layers)" is an upper bound on the flow's
 *     share of a step that collects it; with the default collection (t < 500: half the steps) a
 *     run pays half of that. (With ref acceleration the reference UNet runs once per run: the
 *     generative layers alone then bound the share.)
 *  2. the whole loop on the tiny contract models, flow on every step vs off: the plumbing (extra
 *     outputs, reading the results back). The tiny UNets are nearly free, so this share is large
 *     by construction and only shows what the loop adds around the flow graph.
 */
import * as ort from "onnxruntime-web";
import { unetQueryChunks } from "../../models/leffa/attention-chunks";
import { buildFlowGraph } from "../../models/leffa/flow-graph";
import { attention, createOps } from "../../models/leffa/graph-ops";
import { randomWeights } from "../../models/leffa/random-weights";
import { GraphBuilder } from "../../models/onnx/builder";
import type { TensorType } from "../../nodes/core/types";
import { coordinateGrid } from "../../nodes/lib/flow/coordinate-grid";
import { LEFFA_FAMILIES } from "../../nodes/lib/leffa-sampler/family";
import { runLeffaSampler } from "../../nodes/lib/leffa-sampler/loop";
import { CpuTensor } from "../../workers/models/cpu-tensor";
import { benchConditions, withTinyLeffaSessions } from "./sampler-steps";

ort.env.wasm.numThreads = 1;
const C = 320;
const HEADS = 8;

function line(label: string, value: string): void {
  console.log(`${label.padEnd(60)} ${value}`);
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function noise(length: number, seed: number): Float32Array {
  let x = seed;
  return Float32Array.from({ length }, () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return (x / 2147483648 - 0.5) * 2;
  });
}

/**
 * A self-attention at the full latent resolution as unet-graph.ts builds it: the generative
 * UNet's (keys and values from its own tokens and the reference feature, 2N) or the reference
 * UNet's (its own N tokens).
 */
async function attentionLayer(role: "gen" | "ref"): Promise<Uint8Array> {
  const prefix = "attn1";
  const keys = ["to_q", "to_k", "to_v"].map((p) => ({
    key: `${prefix}.${p}.weight`,
    shape: [C, C],
  }));
  keys.push({ key: `${prefix}.to_out.0.weight`, shape: [C, C] });
  keys.push({ key: `${prefix}.to_out.0.bias`, shape: [C] });
  const g = new GraphBuilder("attention");
  const ops = createOps(g, randomWeights(keys), "fp32");
  const normed = g.input("normed", "float32", [2, "n", C]);
  let kv = normed;
  if (role === "gen") {
    const ref = g.input("ref", "float32", [2, "n", C]);
    [kv] = g.node("Concat", [normed, ref], { axis: 1 });
  }
  const out = attention(ops, normed, kv, prefix, C, HEADS, {
    qkvBias: false,
    chunks: unetQueryChunks(0),
  });
  g.node("Identity", [out], {}, ["out"]);
  g.output("out", "float32", [2, "n", C]);
  await g.materialize();
  return g.toBytes();
}

async function timeRuns(
  session: ort.InferenceSession,
  feeds: Record<string, ort.Tensor>,
  runs: number,
): Promise<number> {
  await session.run(feeds); // warm-up: arenas, kernels
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    await session.run(feeds);
    times.push(performance.now() - t);
  }
  return median(times);
}

async function layerCost(width: number, height: number, runs: number) {
  const n = (width / 8) * (height / 8);
  const normed = new ort.Tensor("float32", noise(2 * n * C, 1), [2, n, C]);
  const ref = new ort.Tensor("float32", noise(2 * n * C, 2), [2, n, C]);
  const gen = await ort.InferenceSession.create(await attentionLayer("gen"));
  const attentionMs = await timeRuns(gen, { normed, ref }, runs);
  await gen.release();
  const own = await ort.InferenceSession.create(await attentionLayer("ref"));
  const refAttentionMs = await timeRuns(own, { normed }, runs);
  await own.release();
  const flow = await ort.InferenceSession.create(
    buildFlowGraph({ channels: C, heads: HEADS, topK: 8, dtype: "fp32" }),
  );
  const flowMs = await timeRuns(
    flow,
    {
      q: new ort.Tensor("float32", noise(n * C, 3), [1, n, C]),
      k: new ort.Tensor("float32", noise(2 * n * C, 4), [1, 2 * n, C]),
      grid: new ort.Tensor("float32", coordinateGrid(width / 8, height / 8), [n, 2]),
      temperature: new ort.Tensor("float32", Float32Array.of(1), [1]),
    },
    runs,
  );
  await flow.release();
  return { n, attentionMs, refAttentionMs, flowMs };
}

function pipelineCost() {
  return withTinyLeffaSessions(async (sessions, host) => {
    const conditions = benchConditions();
    const run = async (mode: "all" | "off") =>
      (
        await runLeffaSampler(
          sessions,
          conditions,
          {
            steps: 3,
            guidance: 2.5,
            seed: 42,
            refAcceleration: false,
            family: LEFFA_FAMILIES.viton_hd,
            flow: { mode, temperature: 1, topK: 8 },
          },
          {
            signal: new AbortController().signal,
            tensor: (type: TensorType, data: ArrayBufferView, dims: readonly number[]) =>
              new CpuTensor(type, data, dims),
            progress: () => {},
            loadGraph: (graph) => host.loadGenerated(graph),
          },
        )
      ).steps;
    await run("all"); // warm-up, graphs built
    const on = await run("all");
    const off = await run("off");
    const stepMs = (steps: typeof on) => median(steps.map((s) => s.unetMs + s.restMs + s.flowMs));
    return { withFlow: stepMs(on), without: stepMs(off), flowMs: median(on.map((s) => s.flowMs)) };
  });
}

console.log("1. One full-resolution layer at real size, WASM 1 thread (median)");
for (const [width, height, runs] of [
  [384, 512, 3],
  [768, 1024, 1],
] as const) {
  const { n, attentionMs, refAttentionMs, flowMs } = await layerCost(width, height, runs);
  const step = 5 * attentionMs + 5 * refAttentionMs;
  const collected = (3 * flowMs) / (step + 3 * flowMs);
  line(
    `  ${width}×${height} (N = ${n}): generative self-attention, batch 2`,
    `${attentionMs.toFixed(0)} ms`,
  );
  line(
    `  ${width}×${height}: reference self-attention, batch 2`,
    `${refAttentionMs.toFixed(0)} ms`,
  );
  line(`  ${width}×${height}: flow graph, batch 1`, `${flowMs.toFixed(0)} ms`);
  line(
    `  ${width}×${height}: flow share of a collecting step (upper bound)`,
    `${(collected * 100).toFixed(1)} %; over a run (t < 500) ≤ ${((collected * 100) / 2).toFixed(1)} % ` +
      `(target < 10 %: ${collected / 2 < 0.1 ? "met" : "NOT met"})`,
  );
}

console.log("\n2. The loop on the tiny contract models, 512×384, flow on every step vs off");
const pipeline = await pipelineCost();
line("  step without flow", `${pipeline.without.toFixed(0)} ms`);
line("  step with flow (3 layers)", `${pipeline.withFlow.toFixed(0)} ms`);
line("  of which turning attention into flow", `${pipeline.flowMs.toFixed(0)} ms`);
line(
  "  ratio (tiny UNets cost almost nothing: not the real share)",
  `${(pipeline.withFlow / pipeline.without).toFixed(2)}×`,
);
