import type { Contract, Dim, TensorSpec } from "./manifest/schema";

/**
 * Does a loaded model expose what its manifest entry promises? Compares a session's input and
 * output metadata (onnxruntime-web's `session.inputMetadata` / `outputMetadata`) with the entry's
 * contract and names each tensor that differs, so a wrong or corrupted model fails at load with a
 * message a person can act on rather than at run time with a shape error.
 */
export interface ValueMeta {
  readonly name: string;
  readonly isTensor: boolean;
  /** onnxruntime's element type name: "float32", "float16", "int64", … */
  readonly type?: string;
  /** Numbers for fixed dims, strings for symbolic ones; [] when the model declares no shape. */
  readonly shape?: readonly (number | string)[];
}

export interface ModelMeta {
  readonly inputs: readonly ValueMeta[];
  readonly outputs: readonly ValueMeta[];
}

/**
 * The ways `meta` breaks `contract` (empty when it honours it):
 * - every contract input exists with its dtype (or one it also accepts) and rank; the model needs no other input;
 * - every contract output exists with its dtype (or one it also accepts) and rank (extra outputs are fine),
 *   except that an `optional` output may be absent; an output with an `index` is the graph's
 *   output at that position, whatever its name, and a problem with it lists every output the
 *   graph has (position, name, type, shape) so the contract can be corrected from the message;
 * - a fixed contract dim must equal the model's; a symbolic contract dim accepts any size.
 * A model dim that is symbolic or unknown cannot contradict a fixed contract dim (the model
 * accepts that size), and a model that declares no shape at all is not held to a rank.
 */
export function contractProblems(contract: Contract, meta: ModelMeta): string[] {
  const problems: string[] = [];
  const check = (
    kind: "input" | "output",
    specs: readonly TensorSpec[],
    values: readonly ValueMeta[],
  ) => {
    const byName = new Map(values.map((v) => [v.name, v]));
    for (const spec of specs) {
      if (spec.index !== undefined) {
        const problem = positionedProblem(spec, spec.index, values);
        if (problem) problems.push(problem);
        continue;
      }
      const value = byName.get(spec.name);
      const expected = `${acceptedDtypes(spec).join(" or ")} ${formatShape(spec.shape)}`;
      if (!value) {
        // An optional output (the generative UNet's flow outputs) may be absent; present, it is
        // checked like any other.
        if (spec.optional) continue;
        const names = values.map((v) => `"${v.name}"`).join(", ") || "none";
        problems.push(
          `${kind} "${spec.name}": expected ${expected}, model has no such ${kind} (it has ${names})`,
        );
      } else if (!value.isTensor) {
        problems.push(`${kind} "${spec.name}": expected ${expected}, model has a non-tensor value`);
      } else if (!matches(spec, value)) {
        const actual = `${value.type ?? "unknown type"} ${formatShape(value.shape ?? [])}`;
        problems.push(`${kind} "${spec.name}": expected ${expected}, model has ${actual}`);
      }
    }
  };
  check("input", contract.inputs, meta.inputs);
  const listed = new Set(contract.inputs.map((s) => s.name));
  for (const value of meta.inputs) {
    if (!listed.has(value.name)) {
      const actual = value.isTensor ? ` (${value.type} ${formatShape(value.shape ?? [])})` : "";
      problems.push(
        `input "${value.name}": the model requires it${actual} but the contract does not list it`,
      );
    }
  }
  check("output", contract.outputs, meta.outputs);
  return problems;
}

/**
 * An output read by position, as upstream code reads it: the graph's output at `index` must have
 * the spec's dtype and shape. Names are not compared (the graph's are not published), so the
 * message lists what the graph does have.
 */
function positionedProblem(
  spec: TensorSpec,
  index: number,
  values: readonly ValueMeta[],
): string | null {
  const value = values[index];
  if (!value && spec.optional) return null;
  if (value?.isTensor && matches(spec, value)) return null;
  const expected = `${acceptedDtypes(spec).join(" or ")} ${formatShape(spec.shape)}`;
  const found = !value
    ? `model has ${values.length} output${values.length === 1 ? "" : "s"}`
    : `model has "${value.name}" ${describeValue(value)} there`;
  const all = values.map((v, i) => `#${i} "${v.name}" ${describeValue(v)}`).join(", ") || "none";
  return `output #${index} ("${spec.name}"): expected ${expected}, ${found} (its outputs: ${all})`;
}

function describeValue(value: ValueMeta): string {
  if (!value.isTensor) return "(not a tensor)";
  return `${value.type ?? "unknown type"} ${formatShape(value.shape ?? [])}`;
}

/**
 * The graph's name for a contract output: the spec's own name, or for a positioned output
 * (`index`) the name at that position in the loaded graph's output list (`outputNames`, in graph
 * order as onnxruntime reports it); undefined when the graph has no output there.
 */
export function graphOutputName(
  spec: TensorSpec,
  outputNames: readonly string[],
): string | undefined {
  return spec.index === undefined ? spec.name : outputNames[spec.index];
}

/** The contract dtype first, then any alternatives it allows. */
export function acceptedDtypes(spec: TensorSpec): readonly string[] {
  return [spec.dtype, ...(spec.alsoAccepts ?? [])];
}

function matches(spec: TensorSpec, value: ValueMeta): boolean {
  if (value.type === undefined || !acceptedDtypes(spec).includes(value.type)) return false;
  const shape = value.shape ?? [];
  if (shape.length === 0 && spec.shape.length > 0) return true; // no declared shape: unknown rank
  if (shape.length !== spec.shape.length) return false;
  return spec.shape.every((dim, i) => dimAccepts(dim, shape[i]));
}

function dimAccepts(contractDim: Dim, modelDim: number | string): boolean {
  if (typeof contractDim === "string") return true;
  // Symbolic (or unknown: "" / negative) model dims take any size, including the contract's.
  if (typeof modelDim === "string" || modelDim < 0) return true;
  return modelDim === contractDim;
}

function formatShape(shape: readonly (number | string)[]): string {
  return `[${shape.join(",")}]`;
}
