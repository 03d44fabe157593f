import type { Lookup } from "../../nodes/core/connection";
import type { WorkflowDocument } from "../../nodes/core/document";
import { topologicalOrder, validateGraph } from "../../nodes/core/graph";
import { resolveParams } from "../../nodes/core/params";
import type { NodeDefinition } from "../../nodes/core/types";

export interface CompiledInput {
  readonly port: string;
  readonly source: string;
  readonly sourceHandle: string;
}

export interface CompiledNode {
  readonly id: string;
  readonly type: string;
  readonly def: NodeDefinition | undefined;
  readonly params: Record<string, unknown>;
  readonly inputs: readonly CompiledInput[];
  /** Set when the node cannot run: unknown type, bad params, missing input, bad wire, cycle. */
  readonly error?: string;
}

export interface CompiledGraph {
  /** Executable nodes in dependency order (notes are left out). */
  readonly order: readonly CompiledNode[];
}

/**
 * Turns a document into an execution plan. Problems are attached to the node they belong to
 * rather than thrown, so the rest of the graph can still run and the editor can mark the node.
 */
export function compileWorkflow(doc: WorkflowDocument, lookup: Lookup): CompiledGraph {
  const problems = new Map<string, string>();
  const badEdges = new Set<string>();
  for (const issue of validateGraph(doc, lookup)) {
    if (issue.edgeId) badEdges.add(issue.edgeId);
    if (issue.nodeId && !problems.has(issue.nodeId)) problems.set(issue.nodeId, issue.message);
  }
  const edges = doc.edges.filter((e) => !badEdges.has(e.id));
  const inputsByNode = new Map<string, CompiledInput[]>();
  for (const e of edges) {
    const list = inputsByNode.get(e.target) ?? [];
    list.push({ port: e.targetHandle, source: e.source, sourceHandle: e.sourceHandle });
    inputsByNode.set(e.target, list);
  }
  const { order, cycle } = topologicalOrder(
    doc.nodes.map((n) => n.id),
    edges,
  );
  for (const id of cycle) if (!problems.has(id)) problems.set(id, "part of a cycle");
  const byId = new Map(doc.nodes.map((n) => [n.id, n]));

  const compiled: CompiledNode[] = [];
  for (const id of [...order, ...cycle]) {
    const node = byId.get(id)!;
    const def = lookup(node.type);
    if (def?.executable === false) continue;
    const inputs = inputsByNode.get(id) ?? [];
    let error = problems.get(id);
    let params: Record<string, unknown> = node.params;
    if (def && !error) {
      const resolved = resolveParams(def.params, node.params);
      if (resolved.ok) params = resolved.values;
      else error = resolved.issues.map((i) => `${i.param}: ${i.message}`).join("; ");
    }
    if (def && !error) {
      const missing = Object.entries(def.inputs)
        .filter(([port, spec]) => !spec.optional && !inputs.some((i) => i.port === port))
        .map(([port, spec]) => spec.label ?? port);
      if (missing.length)
        error = `input ${missing.map((m) => `"${m}"`).join(", ")} is not connected`;
    }
    compiled.push({ id, type: node.type, def, params, inputs, error });
  }
  return { order: compiled };
}
