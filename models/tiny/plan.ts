import type { ModelEntry, TensorSpec } from "../manifest/schema";
import {
  collectAliases,
  concreteValues,
  constant,
  evaluate,
  parseDim,
  scale,
  type Monomial,
} from "./dims";

/**
 * What a tiny stand-in for a model must look like: every contract tensor with its dims as
 * monomials over the contract's base symbols. Output dims whose symbols the inputs never mention
 * (e.g. SCHP's "h" beside a fixed 512 input) get a size from the task: spatial axes follow the
 * main image input scaled by the task's usual factor (upscalers ×N from their id, parsers ¼),
 * the batch axis follows the input's, any other axis is 1.
 */
export interface TensorPlan {
  readonly spec: TensorSpec;
  readonly dims: readonly Monomial[];
}

export interface TinyPlan {
  readonly inputs: readonly TensorPlan[];
  readonly outputs: readonly TensorPlan[];
  /** Index in `inputs` of the main image-like input (rank 4, fixed channels), if any. */
  readonly primary: number | null;
}

export function spatialHint(entry: Pick<ModelEntry, "id" | "task">): number {
  if (entry.task === "upscale") return Number(/x(\d+)/.exec(entry.id)?.[1] ?? 4);
  if (entry.task === "human-parsing") return 1 / 4;
  return 1;
}

export function planTinyModel(entry: Pick<ModelEntry, "id" | "task" | "contract">): TinyPlan {
  const { contract } = entry;
  const all = [...contract.inputs, ...contract.outputs].flatMap((t) => t.shape);
  const aliases = collectAliases(all);
  const parse = (spec: TensorSpec): TensorPlan => ({
    spec,
    dims: spec.shape.map((d) => parseDim(d, aliases)),
  });
  const inputs = contract.inputs.map(parse);
  const primaryIndex = inputs.findIndex(
    (t) => t.dims.length === 4 && Object.keys(t.dims[1].powers).length === 0,
  );
  const primary = primaryIndex >= 0 ? inputs[primaryIndex] : null;
  const known = new Set(inputs.flatMap((t) => t.dims.flatMap((m) => Object.keys(m.powers))));
  const hint = spatialHint(entry);

  const outputs = contract.outputs.map((spec) => {
    const parsed = parse(spec);
    const dims = parsed.dims.map((m, axis) => {
      if (Object.keys(m.powers).every((s) => known.has(s))) return m;
      if (primary && axis === 0) return primary.dims[0];
      if (primary && parsed.dims.length === 4 && axis >= 2) {
        const base = primary.dims[axis];
        const [num, den] = fraction(hint);
        return Object.keys(base.powers).length === 0
          ? constant(Math.ceil((base.num / base.den) * hint))
          : scale(base, num, den);
      }
      return constant(1);
    });
    return { spec, dims };
  });
  return { inputs, outputs, primary: primary ? primaryIndex : null };
}

function fraction(x: number): [number, number] {
  return x >= 1 ? [Math.round(x), 1] : [1, Math.round(1 / x)];
}

export interface ConcreteShapes {
  readonly inputs: Readonly<Record<string, readonly number[]>>;
  readonly outputs: Readonly<Record<string, readonly number[]>>;
}

/**
 * Plausible concrete sizes to run a tiny model with: symbols get values that make every dim a
 * whole number (see `concreteValues`), and the outputs' sizes follow from them.
 */
export function concreteShapes(plan: TinyPlan, minimum = 32): ConcreteShapes {
  const values = concreteValues(
    [...plan.inputs, ...plan.outputs].map((t) => t.dims),
    minimum,
  );
  const shape = (t: TensorPlan) => t.dims.map((m) => evaluate(m, values));
  return {
    inputs: Object.fromEntries(plan.inputs.map((t) => [t.spec.name, shape(t)])),
    outputs: Object.fromEntries(plan.outputs.map((t) => [t.spec.name, shape(t)])),
  };
}
