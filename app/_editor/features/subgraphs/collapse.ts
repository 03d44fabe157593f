import type { Lookup } from "@/nodes/core/connection";
import type {
  SubgraphDefinition,
  WorkflowDocument,
  WorkflowEdge,
  WorkflowNode,
} from "@/nodes/core/document";
import { subgraphStructureIssue, subgraphType } from "@/nodes/core/subgraph-structure";

/** One port of a selected node that could become a port of the subgraph node. */
export interface PortChoice {
  /** Stable key for the dialog's checkbox: "in:<node>:<port>" or "out:<node>:<port>". */
  readonly key: string;
  readonly node: string;
  readonly port: string;
  /** "Resize · image" */
  readonly label: string;
  /** Wired to a node outside the selection: unexposing it drops the wire. */
  readonly wired: boolean;
}

export interface ParamChoice {
  readonly key: string;
  readonly node: string;
  readonly param: string;
  readonly label: string;
}

/** What a selection could expose; wired ports are the ones to keep by default. */
export interface SelectionPorts {
  readonly inputs: readonly PortChoice[];
  readonly outputs: readonly PortChoice[];
  readonly params: readonly ParamChoice[];
}

type Graph = Pick<WorkflowDocument, "nodes" | "edges" | "subgraphs">;

/**
 * The ports and params the selected nodes could expose: each input not wired from inside the
 * selection, each output, each param. Inputs wired from outside and outputs read outside are
 * marked `wired`: the dialog checks them first, since leaving them out drops those wires.
 */
export function selectionPorts(
  graph: Graph,
  selected: ReadonlySet<string>,
  lookup: Lookup,
): SelectionPorts {
  const inputs: PortChoice[] = [];
  const outputs: PortChoice[] = [];
  const params: ParamChoice[] = [];
  for (const node of graph.nodes) {
    if (!selected.has(node.id)) continue;
    const def = lookup(node.type);
    if (!def) continue;
    for (const [port, spec] of Object.entries(def.inputs)) {
      const wire = graph.edges.find((e) => e.target === node.id && e.targetHandle === port);
      if (wire && selected.has(wire.source)) continue;
      inputs.push({
        key: `in:${node.id}:${port}`,
        node: node.id,
        port,
        label: `${def.title} · ${spec.label ?? port}`,
        wired: wire !== undefined,
      });
    }
    for (const [port, spec] of Object.entries(def.outputs)) {
      const wired = graph.edges.some(
        (e) => e.source === node.id && e.sourceHandle === port && !selected.has(e.target),
      );
      outputs.push({
        key: `out:${node.id}:${port}`,
        node: node.id,
        port,
        label: `${def.title} · ${spec.label ?? port}`,
        wired,
      });
    }
    for (const [param, spec] of Object.entries(def.params)) {
      params.push({
        key: `param:${node.id}:${param}`,
        node: node.id,
        param,
        label: `${def.title} · ${spec.label ?? param}`,
      });
    }
  }
  return { inputs, outputs, params };
}

export interface CollapseChoice {
  readonly name: string;
  /** Keys (PortChoice.key / ParamChoice.key) of what the subgraph node shows. */
  readonly expose: ReadonlySet<string>;
  /** Id of the new subgraph node. */
  readonly nodeId: string;
}

export type CollapseResult =
  | {
      readonly ok: true;
      readonly nodes: WorkflowNode[];
      readonly edges: WorkflowEdge[];
      readonly subgraphs: Record<string, SubgraphDefinition>;
      readonly key: string;
    }
  | { readonly ok: false; readonly reason: string };

/** A name given to the first of `base`, `base_2`, `base_3`… that `taken` does not hold. */
function unique(base: string, taken: Set<string>): string {
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}_${i}`;
  taken.add(name);
  return name;
}

/** A subgraph key from its name: the id characters only, unique in the document. */
function keyFor(name: string, subgraphs: Record<string, unknown>): string {
  const slug =
    name
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 40) || "subgraph";
  return unique(slug, new Set(Object.keys(subgraphs)));
}

/**
 * Collapses the selected nodes into one subgraph node. The selection's own wires move inside;
 * a wire from outside into an exposed input, or out of an exposed output, is re-attached to the
 * subgraph node's port of that name, and one into or out of a port left unexposed is dropped. An
 * exposed param starts at the inner node's current value. The result is checked as a document
 * would be (nesting, mappings): a selection that would nest subgraphs too deep is refused.
 */
export function collapseSelection(
  graph: Graph,
  selected: ReadonlySet<string>,
  choice: CollapseChoice,
  lookup: Lookup,
): CollapseResult {
  const name = choice.name.trim();
  if (!name) return { ok: false, reason: "the subgraph needs a name" };
  const inner = graph.nodes.filter((n) => selected.has(n.id));
  if (inner.length === 0) return { ok: false, reason: "select the nodes to collapse first" };
  if (graph.nodes.some((n) => n.id === choice.nodeId)) {
    return { ok: false, reason: `a node "${choice.nodeId}" already exists` };
  }
  const ports = selectionPorts(graph, selected, lookup);
  const names = { in: new Set<string>(), out: new Set<string>(), param: new Set<string>() };
  const inputs = ports.inputs
    .filter((p) => choice.expose.has(p.key))
    .map((p) => ({ name: unique(p.port, names.in), node: p.node, port: p.port }));
  const outputs = ports.outputs
    .filter((p) => choice.expose.has(p.key))
    .map((p) => ({ name: unique(p.port, names.out), node: p.node, port: p.port }));
  const params = ports.params
    .filter((p) => choice.expose.has(p.key))
    .map((p) => ({ name: unique(p.param, names.param), node: p.node, param: p.param }));

  const subgraphs = { ...(graph.subgraphs ?? {}) };
  const key = keyFor(name, subgraphs);
  subgraphs[key] = {
    name,
    nodes: inner,
    edges: graph.edges.filter((e) => selected.has(e.source) && selected.has(e.target)),
    inputs,
    outputs,
    params,
  };
  const issue = subgraphStructureIssue({ nodes: [], subgraphs });
  if (issue) return { ok: false, reason: issue.message };

  const byId = new Map(inner.map((n) => [n.id, n]));
  const left = Math.min(...inner.map((n) => n.position.x));
  const top = Math.min(...inner.map((n) => n.position.y));
  const node: WorkflowNode = {
    id: choice.nodeId,
    type: subgraphType(key),
    position: { x: left, y: top },
    params: Object.fromEntries(
      params.flatMap((p) => {
        const value = byId.get(p.node)?.params[p.param];
        return value === undefined ? [] : [[p.name, value]];
      }),
    ),
  };
  const edges: WorkflowEdge[] = [];
  for (const e of graph.edges) {
    const from = selected.has(e.source);
    const to = selected.has(e.target);
    if (from && to) continue;
    if (!from && !to) {
      edges.push(e);
      continue;
    }
    if (to) {
      const m = inputs.find((i) => i.node === e.target && i.port === e.targetHandle);
      if (m) edges.push({ ...e, target: node.id, targetHandle: m.name });
    } else {
      const m = outputs.find((o) => o.node === e.source && o.port === e.sourceHandle);
      if (m) edges.push({ ...e, source: node.id, sourceHandle: m.name });
    }
  }
  return {
    ok: true,
    nodes: [...graph.nodes.filter((n) => !selected.has(n.id)), node],
    edges,
    subgraphs,
    key,
  };
}
