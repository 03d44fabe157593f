import { readFile } from "node:fs/promises";
import path from "node:path";
import { modelUnavailable } from "../../models/availability";
import { findModel } from "../../models/manifest";
import type { ModelEntry } from "../../models/manifest/schema";
import { modelDir, readInstalled } from "../../models/store";
import type { ModelHost } from "../runtime/execute";
import { sessionFileNames } from "./model-files";
import { SessionPool, type ModelBytes } from "./session-pool";

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

/**
 * Models under Node (CLI, tests, benchmarks): installed files from the store on disk, run with
 * onnxruntime-web's WASM backend — the same code path as the browser's WASM fallback.
 */
export function createStoreModelHost(
  options: { budgetBytes?: number; threads?: number } = {},
): ModelHost {
  let pool: Promise<SessionPool> | undefined;
  const startPool = async () => {
    const ort = await import("onnxruntime-web");
    ort.env.wasm.numThreads = options.threads ?? 1;
    return new SessionPool({
      ort,
      load: readModelFiles,
      budgetBytes: options.budgetBytes ?? DEFAULT_BUDGET_BYTES,
      target: () => ({
        info: { name: "wasm", detail: `onnxruntime-web WASM in Node ${process.version}` },
        deviceLost: () => false,
      }),
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
    // Queued before the node's own loads, which wait for the same pool.
    beginNode: () => void pool?.then((p) => p.beginNode()),
    // There is no GPU device under Node to lose.
    recover: async () => false,
  };
}
