import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { modelUnavailable } from "../../models/availability";
import { findModel } from "../../models/manifest";
import type { ModelEntry } from "../../models/manifest/schema";
import { modelDir, readInstalled } from "../../models/store";
import type { BackendInfo } from "../../nodes/core/types";
import type { ModelHost } from "../runtime/execute";
import { sessionFileNames } from "./model-files";
import { chooseNativeGpu } from "./native-gpu";
import { SessionPool, type ModelBytes, type ModelFile, type OrtModule } from "./session-pool";

const DEFAULT_BUDGET_BYTES = 2 * 1024 ** 3;

/** The graph and its external-data companions, read from the store. */
async function readModelFiles(entry: ModelEntry): Promise<ModelBytes> {
  const { graph, externalData } = sessionFileNames(entry);
  const dir = modelDir(entry.id);
  const read = async (name: string) => new Uint8Array(await readFile(path.join(dir, name)));
  return {
    model: await read(graph),
    externalData: await Promise.all(
      externalData.map(async (name) => ({ path: name, data: await read(name) })),
    ),
  };
}

/** The graph's path, for onnxruntime-node, which reads it and its external data itself. */
async function modelFile(entry: ModelEntry): Promise<ModelFile> {
  const { graph, externalData } = sessionFileNames(entry);
  const dir = modelDir(entry.id);
  const sizes = await Promise.all(
    [graph, ...externalData].map(async (name) => (await stat(path.join(dir, name))).size),
  );
  return { file: path.join(dir, graph), bytes: sizes.reduce((a, b) => a + b, 0) };
}

/**
 * How Node runs models:
 * - "wasm": onnxruntime-web's WASM backend, the same code path as the browser's WASM fallback
 *   (tests compare against it); a 4 GB heap holds every model's bytes.
 * - "native": onnxruntime-node reading models from disk: the headless path for models no browser
 *   tab can hold (Leffa pose transfer, 7.8 GB of weights). Its WebGPU EP where Dawn finds a
 *   hardware adapter that passes the attention check (native-gpu.ts; LEFFA_NATIVE_GPU=off to
 *   keep the CPU), its CPU provider on every core otherwise.
 */
export type NodeRuntime = "wasm" | "native";

export function runtimeDetail(runtime: NodeRuntime): string {
  return runtime === "native"
    ? `onnxruntime-node (native CPU) in Node ${process.version}`
    : `onnxruntime-web WASM in Node ${process.version}`;
}

/** Models under Node (CLI, tests, benchmarks): installed files from the store on disk. */
export function createStoreModelHost(
  options: { budgetBytes?: number; threads?: number; runtime?: NodeRuntime } = {},
): ModelHost {
  const runtime = options.runtime ?? "wasm";
  let pool: Promise<SessionPool> | undefined;
  const startPool = async () => {
    let ort: OrtModule;
    let cpuProvider: "wasm" | "cpu" | "webgpu" = "wasm";
    let info: BackendInfo = { name: "wasm", detail: runtimeDetail(runtime) };
    if (runtime === "native") {
      const node = await import("onnxruntime-node");
      // The same InferenceSession/Tensor API (onnxruntime-common) over the native library.
      ort = node as unknown as OrtModule;
      const gpu = await chooseNativeGpu(node);
      cpuProvider = gpu.use ? "webgpu" : "cpu";
      info = gpu.use
        ? {
            name: "webgpu",
            detail: `onnxruntime-node WebGPU EP on ${gpu.adapter} in Node ${process.version}`,
          }
        : { name: "cpu", detail: `${runtimeDetail(runtime)} (no GPU: ${gpu.reason})` };
    } else {
      const web = await import("onnxruntime-web");
      web.env.wasm.numThreads = options.threads ?? 1;
      ort = web;
    }
    return new SessionPool({
      ort,
      load: runtime === "native" ? modelFile : readModelFiles,
      cpuProvider,
      budgetBytes: options.budgetBytes ?? DEFAULT_BUDGET_BYTES,
      target: () => ({ info, deviceLost: () => false }),
    });
  };
  const require = async (id: string) => {
    if (!findModel(id) || !(await readInstalled(id))) throw modelUnavailable(id, "cli");
  };
  return {
    require,
    async load(id) {
      await require(id);
      pool ??= startPool();
      return (await pool).get(findModel(id)!);
    },
    async loadGenerated(graph) {
      pool ??= startPool();
      return (await pool).getGenerated(graph);
    },
    async file(id, name) {
      const record = await readInstalled(id);
      if (!record?.files.some((f) => f.name === name)) return undefined;
      return new Uint8Array(await readFile(path.join(modelDir(id), name)));
    },
    // Queued before the node's own loads, which wait for the same pool.
    beginNode: () => void pool?.then((p) => p.beginNode()),
    // There is no GPU device under Node to lose.
    recover: async () => false,
  };
}
