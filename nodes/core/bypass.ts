import type { NodeDefinition } from "./types";

/** Where a bypassed node's outputs come from: output port → the input port passed through. */
export type BypassRoutes = Readonly<Record<string, string>>;

export type BypassPlan =
  | { readonly ok: true; readonly routes: BypassRoutes }
  | { readonly ok: false; readonly reason: string };

/**
 * The bypass type rule: a bypassed node hands an input of an output's port type straight to that
 * output (IMAGE to IMAGE, MASK to MASK). Ports are paired by type in declaration order: the k-th
 * output of a type takes the k-th input of that type, or the first one when the node has fewer
 * inputs of it (Mask Generator's parsing image gets the person image). Only equal types pair —
 * a DENSEPOSE rendering may feed an IMAGE input, but passing the photo off as a DensePose would
 * be a guess. An output with no input of its type gets nothing. A node none of whose outputs
 * pair cannot be bypassed, and the reason says which types were missing.
 */
export function bypassPlan(def: Pick<NodeDefinition, "title" | "inputs" | "outputs">): BypassPlan {
  const outputs = Object.entries(def.outputs);
  if (outputs.length === 0) {
    return { ok: false, reason: `${def.title} has no outputs, so there is nothing to pass on` };
  }
  const inputsByType = new Map<string, string[]>();
  for (const [port, spec] of Object.entries(def.inputs)) {
    const list = inputsByType.get(spec.type);
    if (list) list.push(port);
    else inputsByType.set(spec.type, [port]);
  }
  const routes: Record<string, string> = {};
  const seen = new Map<string, number>();
  for (const [port, spec] of outputs) {
    const candidates = inputsByType.get(spec.type);
    const k = seen.get(spec.type) ?? 0;
    seen.set(spec.type, k + 1);
    if (candidates) routes[port] = candidates[k] ?? candidates[0];
  }
  if (Object.keys(routes).length === 0) {
    const outTypes = [...new Set(outputs.map(([, s]) => s.type))].join(", ");
    const inTypes = [...inputsByType.keys()].join(", ");
    return {
      ok: false,
      reason: `${def.title} cannot be bypassed: no input has the type of an output (outputs ${outTypes}; ${inTypes ? `inputs ${inTypes}` : "no inputs"})`,
    };
  }
  return { ok: true, routes };
}
