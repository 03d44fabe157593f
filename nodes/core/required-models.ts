import type { WorkflowDocument } from "./document";
import type { NodeDefinition } from "./types";

/**
 * The store models a node needs with its current params (the sampler's family, …): what the
 * editor's "needs:" line shows and what `npm run models -- install --workflow` installs.
 */
export function nodeModels(
  def: Pick<NodeDefinition, "models" | "modelsFor">,
  params: Readonly<Record<string, unknown>>,
): readonly string[] {
  return def.modelsFor?.(params) ?? def.models ?? [];
}

/** Every model a workflow's nodes need, once each, in node order; unknown node types need none. */
export function workflowModels(
  doc: Pick<WorkflowDocument, "nodes">,
  lookup: (type: string) => Pick<NodeDefinition, "models" | "modelsFor"> | undefined,
): string[] {
  const ids = new Set<string>();
  for (const node of doc.nodes) {
    const def = lookup(node.type);
    if (def) for (const id of nodeModels(def, node.params)) ids.add(id);
  }
  return [...ids];
}
