import { checkPorts, type Lookup } from "./connection";
import type { SubgraphDefinition, WorkflowDocument } from "./document";
import type { ParamSpecs } from "./params";
import { subgraphKey } from "./subgraph-structure";
import { NodeError, type NodeDefinition, type PortSpecs } from "./types";

export {
  MAX_SUBGRAPH_DEPTH,
  SUBGRAPH_TYPE_PREFIX,
  subgraphKey,
  subgraphType,
} from "./subgraph-structure";

/**
 * The node definition a subgraph node shows: its exposed ports and params, typed as the inner
 * ports and params they map to. It never runs itself (the runtime flattens it first); `version`
 * is not used for cache keys, which are the inner nodes' own.
 */
function synthesize(key: string, def: SubgraphDefinition, lookup: Lookup): NodeDefinition {
  const byId = new Map(def.nodes.map((n) => [n.id, n]));
  const inner = (id: string) => {
    const node = byId.get(id);
    return node ? lookup(node.type) : undefined;
  };
  /** What the inner node has set: the exposed param's value until the subgraph node sets one. */
  const current = (id: string, param: string) => byId.get(id)?.params[param];
  const inputs: Record<string, PortSpecs[string]> = {};
  for (const m of def.inputs) {
    const spec = inner(m.node)?.inputs[m.port];
    if (spec) inputs[m.name] = { ...spec, label: m.label ?? spec.label ?? m.name };
  }
  const outputs: Record<string, PortSpecs[string]> = {};
  for (const m of def.outputs) {
    const spec = inner(m.node)?.outputs[m.port];
    if (spec) outputs[m.name] = { ...spec, label: m.label ?? spec.label ?? m.name };
  }
  const params: Record<string, ParamSpecs[string]> = {};
  for (const m of def.params) {
    const spec = inner(m.node)?.params[m.param];
    if (spec) {
      const value = current(m.node, m.param);
      params[m.name] = {
        ...spec,
        label: m.label ?? spec.label ?? m.name,
        ...(value !== undefined ? { default: value } : {}),
      } as ParamSpecs[string];
    }
  }
  return {
    type: `subgraph:${key}`,
    version: 1,
    title: def.name,
    category: "Utility",
    description: `A subgraph of ${def.nodes.length} nodes`,
    inputs,
    outputs,
    params,
    run: () => {
      throw new NodeError(`subgraph "${def.name}" runs as its inner nodes and was not flattened`);
    },
  };
}

/**
 * A lookup that also knows the document's subgraph node types (`subgraph:<key>`), built on the
 * registry's. Definitions are synthesized once per lookup; a subgraph that (invalidly) holds
 * itself resolves to undefined inside itself instead of recursing forever.
 */
export function subgraphLookup(subgraphs: WorkflowDocument["subgraphs"], base: Lookup): Lookup {
  if (!subgraphs || Object.keys(subgraphs).length === 0) return base;
  const made = new Map<string, NodeDefinition | undefined>();
  const building = new Set<string>();
  const look: Lookup = (type) => {
    const key = subgraphKey(type);
    if (key === undefined) return base(type);
    if (made.has(key)) return made.get(key);
    const def = Object.hasOwn(subgraphs, key) ? subgraphs[key] : undefined;
    if (!def || building.has(key)) return undefined;
    building.add(key);
    const result = synthesize(key, def, look);
    building.delete(key);
    made.set(key, result);
    return result;
  };
  return look;
}

export interface SubgraphIssue {
  readonly subgraph: string;
  readonly nodeId?: string;
  readonly message: string;
}

/**
 * The registry checks of each subgraph definition: inner node types exist, inner wires obey the
 * connection rules, the inner graph has no cycle, and every exposed port and param maps to a port
 * or param its inner node has. Each issue names the subgraph. The structure (ids, nesting) was
 * checked when the document was parsed (subgraph-structure.ts).
 */
export function subgraphIssues(
  doc: Pick<WorkflowDocument, "subgraphs">,
  base: Lookup,
): SubgraphIssue[] {
  const issues: SubgraphIssue[] = [];
  const defs = doc.subgraphs ?? {};
  const lookup = subgraphLookup(defs, base);
  for (const [key, def] of Object.entries(defs)) {
    const where = `subgraph "${def.name}"`;
    const add = (message: string, nodeId?: string) =>
      issues.push({ subgraph: key, nodeId, message: `${where}: ${message}` });
    const typeOf = new Map(def.nodes.map((n) => [n.id, n.type]));
    for (const node of def.nodes) {
      if (!lookup(node.type))
        add(`unknown inner node type "${node.type}" (node "${node.id}")`, node.id);
    }
    const next = new Map<string, string[]>();
    for (const edge of def.edges) {
      const reason =
        edge.source === edge.target
          ? "a node cannot feed itself"
          : checkPorts(
              typeOf.get(edge.source) ?? "",
              edge.sourceHandle,
              typeOf.get(edge.target) ?? "",
              edge.targetHandle,
              lookup,
            );
      if (reason) add(`wire ${edge.id}: ${reason}`, edge.target);
      next.set(edge.source, [...(next.get(edge.source) ?? []), edge.target]);
    }
    const cycle = cycleIn(
      def.nodes.map((n) => n.id),
      next,
    );
    if (cycle) add(`cycle through its nodes ${cycle.join(", ")}`, cycle[0]);
    for (const m of def.inputs) {
      const node = lookup(typeOf.get(m.node) ?? "");
      if (node && !node.inputs[m.port]) {
        add(
          `exposed input "${m.name}" maps to "${m.port}", which ${node.title} ("${m.node}") has no input named`,
          m.node,
        );
      }
    }
    for (const m of def.outputs) {
      const node = lookup(typeOf.get(m.node) ?? "");
      if (node && !node.outputs[m.port]) {
        add(
          `exposed output "${m.name}" maps to "${m.port}", which ${node.title} ("${m.node}") has no output named`,
          m.node,
        );
      }
    }
    for (const m of def.params) {
      const node = lookup(typeOf.get(m.node) ?? "");
      if (node && !node.params[m.param]) {
        add(
          `exposed param "${m.name}" maps to "${m.param}", which ${node.title} ("${m.node}") has no param named`,
          m.node,
        );
      }
    }
  }
  return issues;
}

/** The nodes of some cycle among `ids`, or undefined when there is none. */
function cycleIn(
  ids: readonly string[],
  next: ReadonlyMap<string, readonly string[]>,
): string[] | undefined {
  const state = new Map<string, 1 | 2>();
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    state.set(id, 1);
    path.push(id);
    for (const n of next.get(id) ?? []) {
      const s = state.get(n);
      if (s === 1) return path.slice(path.indexOf(n));
      if (s === undefined) {
        const found = visit(n);
        if (found) return found;
      }
    }
    path.pop();
    state.set(id, 2);
    return undefined;
  };
  for (const id of ids) {
    if (state.has(id)) continue;
    const found = visit(id);
    if (found) return found;
  }
  return undefined;
}
