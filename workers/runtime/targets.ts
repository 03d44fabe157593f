import type { WorkflowDocument } from "../../nodes/core/document";

/** A run was asked to stop at a node the document does not have. */
export class UnknownTargetError extends Error {
  constructor(readonly nodeId: string) {
    super(`cannot run to node "${nodeId}": the workflow has no node with that id`);
    this.name = "UnknownTargetError";
  }
}

/**
 * The nodes a run to `targets` needs: the targets and every node they read from, directly or
 * through others (the upstream closure over the document's wires). Everything outside it keeps
 * its status and results, so a wire that is invalid or part of a cycle is still followed: it
 * can only add a node to the run, never leave out one the target needs.
 */
export function upstreamClosure(
  doc: Pick<WorkflowDocument, "nodes" | "edges">,
  targets: Iterable<string>,
): Set<string> {
  const known = new Set(doc.nodes.map((n) => n.id));
  const sources = new Map<string, string[]>();
  for (const e of doc.edges) {
    const list = sources.get(e.target);
    if (list) list.push(e.source);
    else sources.set(e.target, [e.source]);
  }
  const needed = new Set<string>();
  const stack: string[] = [];
  for (const id of targets) {
    if (!known.has(id)) throw new UnknownTargetError(id);
    stack.push(id);
  }
  while (stack.length) {
    const id = stack.pop()!;
    if (needed.has(id) || !known.has(id)) continue;
    needed.add(id);
    for (const source of sources.get(id) ?? []) stack.push(source);
  }
  return needed;
}
