import { getModel } from "../../models/manifest";
import type { ModelEntry } from "../../models/manifest/schema";
import type { BackendInfo } from "../../nodes/core/types";
import { CpuTensor } from "./cpu-tensor";
import type { ModelHost } from "../runtime/execute";

/** Size given to a symbolic dimension in a probe: small, and a multiple of what networks need. */
const PROBE_DIM = 32;
const SAMPLES = 64;

export interface ProbeResult {
  readonly modelId: string;
  readonly backend: BackendInfo;
  /** Milliseconds to have a session: download or cache read, verification, session creation. */
  readonly loadMs: number;
  /** The part of `loadMs` spent getting the files (a download, or a read from the cache). */
  readonly filesMs: number;
  /** Milliseconds of the second run (the first also compiles shaders). */
  readonly ms: number;
  readonly output: {
    readonly name: string;
    readonly dims: readonly number[];
    readonly mean: number;
    /** Values at evenly spaced positions, to compare backends value by value. */
    readonly samples: readonly number[];
  };
}

/**
 * Deterministic inputs for every tensor of a model's contract: symbolic dimensions become 32 (1
 * for a batch), values a smooth pattern inside the contract's range.
 */
export function probeInputs(entry: ModelEntry): Record<string, CpuTensor> {
  const feeds: Record<string, CpuTensor> = {};
  for (const spec of entry.contract.inputs) {
    if (spec.dtype !== "float32") {
      throw new Error(
        `${entry.id}: a probe can only fill float32 inputs, "${spec.name}" is ${spec.dtype}`,
      );
    }
    const dims = spec.shape.map((d, i) => (typeof d === "number" ? d : i === 0 ? 1 : PROBE_DIM));
    const [lo, hi] = spec.range ?? [0, 1];
    const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++)
      data[i] = lo + (hi - lo) * (0.5 + 0.4 * Math.sin(i * 0.37));
    feeds[spec.name] = new CpuTensor("float32", data, dims);
  }
  return feeds;
}

/**
 * Runs a model once on a fixed input, on this machine's backend: does it load, does it honour its
 * contract, which backend took it and how fast is it. The Models panel's "Test" button.
 */
export async function probeModel(host: ModelHost, modelId: string): Promise<ProbeResult> {
  const entry = getModel(modelId);
  const loadStart = performance.now();
  const session = await host.load(modelId, () => {});
  const loadMs = performance.now() - loadStart;
  const name = entry.contract.outputs[0].name;
  await session.run(probeInputs(entry), { outputs: [name] });
  const started = performance.now();
  const result = await session.run(probeInputs(entry), { outputs: [name] });
  const ms = performance.now() - started;
  const tensor = result[name];
  const data = (await tensor.getData()) as Float32Array;
  tensor.dispose();
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum += data[i];
  const step = Math.max(1, Math.floor(data.length / SAMPLES));
  return {
    modelId,
    backend: session.backend,
    loadMs,
    filesMs: session.timings.filesMs,
    ms,
    output: {
      name,
      dims: [...tensor.dims],
      mean: sum / data.length,
      samples: Array.from({ length: Math.min(SAMPLES, data.length) }, (_, i) => data[i * step]),
    },
  };
}
