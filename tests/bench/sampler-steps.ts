/**
 * Cost of the Leffa sampling loop around its UNets: the tiny contract models (real ONNX graphs
 * with the real tensor names and shapes, random weights, onnxruntime-web WASM under Node) run the
 * real loop at 512×384, and each step's time is split into the two UNets' runs and everything
 * else (feeds, fp16 conversions, guidance, the DDPM step). The tiny UNets are far cheaper than
 * the real ones, so the share measured here is an upper bound on the loop's overhead.
 *
 * `npx tsx tests/bench/sampler-steps.ts` prints one JSON line.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { installTinyModels } from "../helpers/model-store";
import type { TensorType } from "../../nodes/core/types";
import { LEFFA_FAMILIES, type LeffaFamily } from "../../nodes/lib/leffa-sampler/family";
import { runLeffaSampler, type SamplerSessions } from "../../nodes/lib/leffa-sampler/loop";
import type { Frame } from "../../nodes/lib/leffa-sampler/prepare";
import { CpuTensor } from "../../workers/models/cpu-tensor";
import { createStoreModelHost } from "../../workers/models/store-models";
import type { ModelHost } from "../../workers/runtime/execute";

const FRAME: Frame = { width: 384, height: 512 };
const STEPS = 6;

function pattern(length: number, phase: number): Float32Array {
  return Float32Array.from({ length }, (_, i) => Math.sin(i * 0.001 + phase) * 0.8);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Runs `use` with sessions of the tiny contract Leffa graphs, from a store it then removes. */
export async function withTinyLeffaSessions<T>(
  use: (sessions: SamplerSessions, host: ModelHost) => Promise<T>,
  family: LeffaFamily = LEFFA_FAMILIES.viton_hd,
): Promise<T> {
  const store = await mkdtemp(path.join(tmpdir(), "leffa-bench-"));
  const previous = process.env.MODELS_DIR;
  try {
    installTinyModels(store, family.models);
    process.env.MODELS_DIR = store;
    const host = createStoreModelHost();
    const [vaeEncoder, vaeDecoder, refUnet, genUnet] = await Promise.all(
      family.models.map((id) => host.load(id, () => {})),
    );
    return await use({ vaeEncoder, vaeDecoder, refUnet, genUnet }, host);
  } finally {
    if (previous === undefined) delete process.env.MODELS_DIR;
    else process.env.MODELS_DIR = previous;
    await rm(store, { recursive: true, force: true });
  }
}

/** Conditions for a 512×384 run: smooth patterns, the right half masked. */
export function benchConditions() {
  const pixels = FRAME.width * FRAME.height;
  return {
    frame: FRAME,
    maskedPerson: pattern(3 * pixels, 0),
    reference: pattern(3 * pixels, 1),
    mask: Float32Array.from({ length: pixels }, (_, i) => (i % FRAME.width > 100 ? 1 : 0)),
    densepose: pattern(3 * pixels, 2),
  };
}

/**
 * The step split for `family`'s tiny graphs (pose transfer: 70 reference features per step).
 * `stepGraph` makes the loop step with the step graph beside these WASM UNets, as it did before
 * it kept the graph for UNets on WebGPU: the baseline the bench compares with.
 */
export function benchSamplerSteps(
  family: LeffaFamily = LEFFA_FAMILIES.viton_hd,
  { stepGraph = false } = {},
): Promise<{
  stepMs: number;
  unetMs: number;
  restMs: number;
  restShare: number;
}> {
  return withTinyLeffaSessions(async (sessions, host) => {
    const conditions = benchConditions();
    // The loop picks the step graph by the generative UNet's backend.
    const onGpu = { ...sessions.genUnet, backend: { name: "webgpu" as const, detail: "baseline" } };
    const run = () =>
      runLeffaSampler(
        stepGraph ? { ...sessions, genUnet: onGpu } : sessions,
        conditions,
        {
          steps: STEPS,
          guidance: 2.5,
          seed: 42,
          refAcceleration: false,
          family,
        },
        {
          signal: new AbortController().signal,
          tensor: (type: TensorType, data: ArrayBufferView, dims: readonly number[]) =>
            new CpuTensor(type, data, dims),
          progress: () => {},
          // As the node runs it (beside UNets on WASM the loop then steps in TypeScript).
          loadGraph: (graph) => host.loadGenerated(graph),
        },
      );
    await run(); // warm-up: first runs of each session allocate their arenas, the JIT settles
    const steps = [...(await run()).steps, ...(await run()).steps];
    // Medians: a garbage collection of the previous step's 35 MB of reference features (copied
    // out of WASM by onnxruntime) lands in whichever stretch of JavaScript runs next, and would
    // otherwise be billed to the loop at random.
    const unetMs = median(steps.map((s) => s.unetMs));
    const restMs = median(steps.map((s) => s.restMs));
    return { stepMs: unetMs + restMs, unetMs, restMs, restShare: restMs / (unetMs + restMs) };
  }, family);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  benchSamplerSteps().then(
    (figures) => console.log(JSON.stringify(figures)),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
