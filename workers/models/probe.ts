import { graphOutputName } from "../../models/contract-check";
import { getModel } from "../../models/manifest";
import type { ModelEntry } from "../../models/manifest/schema";
import type { BackendInfo } from "../../nodes/core/types";
import { readFloats } from "../../nodes/lib/leffa-sampler/float-feeds";
import { floatsToHalfBits } from "../../nodes/lib/leffa-sampler/half";
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
 * Sizes for the symbols of contract shapes, chosen so every expression a contract uses comes out
 * whole and consistent: a latent "h" is 8 when the image "H" is 64 ("h=H/8"), so "h*w/64" is 1.
 */
const SYMBOL_SIZES: Readonly<Record<string, number>> = {
  B: 1,
  batch: 1,
  H: 64,
  W: 64,
  h: 8,
  w: 8,
};

/**
 * The size a probe gives a contract dimension: a number as it is; a symbol from SYMBOL_SIZES
 * (PROBE_DIM otherwise); a product or quotient of them ("h*w/4", "2*h*w") evaluated; "h=H/8"
 * names the symbol on its left.
 */
export function probeDim(dim: number | string): number {
  if (typeof dim === "number") return dim;
  const expression = dim.split("=")[0].trim();
  let value = 1;
  for (const [, op, term] of expression.matchAll(/([*/]?)\s*([A-Za-z_][\w]*|\d+)\s*/g)) {
    const factor = /^\d+$/.test(term) ? Number(term) : (SYMBOL_SIZES[term] ?? PROBE_DIM);
    value = op === "/" ? value / factor : value * factor;
  }
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`a probe cannot size the dimension "${dim}" (it came out as ${value})`);
  }
  return value;
}

/**
 * Deterministic inputs for every tensor of a model's contract, in the dtype the loaded model
 * takes (`inputTypes`, else the contract's): values a smooth pattern inside the contract's range;
 * shapes from probeDim.
 */
export function probeInputs(
  entry: ModelEntry,
  inputTypes: Readonly<Record<string, string>> = {},
): Record<string, CpuTensor> {
  const feeds: Record<string, CpuTensor> = {};
  for (const spec of entry.contract.inputs) {
    const dims = spec.shape.map(probeDim);
    const [lo, hi] = spec.range ?? [0, 1];
    const values = new Float32Array(dims.reduce((a, b) => a * b, 1));
    for (let i = 0; i < values.length; i++)
      values[i] = lo + (hi - lo) * (0.5 + 0.4 * Math.sin(i * 0.37));
    const type = inputTypes[spec.name] ?? spec.dtype;
    switch (type) {
      case "float32":
        feeds[spec.name] = new CpuTensor("float32", values, dims);
        break;
      case "float16":
        feeds[spec.name] = new CpuTensor("float16", floatsToHalfBits(values), dims);
        break;
      case "int64":
        feeds[spec.name] = new CpuTensor(
          "int64",
          BigInt64Array.from(values, (v) => BigInt(Math.round(v))),
          dims,
        );
        break;
      default:
        throw new Error(`${entry.id}: a probe cannot fill "${spec.name}" of type ${type}`);
    }
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
  // A positioned output (SCHP's) has the loaded graph's name at its position, not the label's.
  const spec = entry.contract.outputs[0];
  const name = graphOutputName(spec, session.outputNames ?? []) ?? spec.name;
  const feeds = () => probeInputs(entry, session.inputTypes);
  await session.run(feeds(), { outputs: [name] });
  const started = performance.now();
  const result = await session.run(feeds(), { outputs: [name] });
  const ms = performance.now() - started;
  const tensor = result[name];
  const data = await readFloats(tensor, `${modelId} ${name}`);
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
