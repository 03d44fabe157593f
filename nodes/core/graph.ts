import { checkPorts, type GraphEdgeRef, type Lookup } from "./connection";
import { WorkflowParseError, type WorkflowDocument } from "./document";
import { subgraphIssues, subgraphKey, subgraphLookup } from "./subgraph";

export interface GraphIssue {
  readonly nodeId?: string;
  readonly edgeId?: string;
  readonly message: string;
}

/**
 * Kahn's algorithm over the node ids. Returns the order, or the ids left on a cycle.
 * Ties keep document order so runs are deterministic.
 */
export function topologicalOrder(
  nodeIds: readonly string[],
  edges: readonly Pick<GraphEdgeRef, "source" | "target">[],
): { order: string[]; cycle: string[] } {
  const indegree = new Map<string, number>(nodeIds.map((id) => [id, 0]));
  const next = new Map<string, string[]>();
  for (const e of edges) {
    if (!indegree.has(e.source) || !indegree.has(e.target)) continue;
    indegree.set(e.target, indegree.get(e.target)! + 1);
    const list = next.get(e.source);
    if (list) list.push(e.target);
    else next.set(e.source, [e.target]);
  }
  const ready = nodeIds.filter((id) => indegree.get(id) === 0);
  const order: string[] = [];
  for (let i = 0; i < ready.length; i++) {
    const id = ready[i];
    order.push(id);
    for (const n of next.get(id) ?? []) {
      const d = indegree.get(n)! - 1;
      indegree.set(n, d);
      if (d === 0) ready.push(n);
    }
  }
  const cycle = nodeIds.filter((id) => indegree.get(id)! > 0);
  return { order, cycle };
}

/**
 * Whole-graph checks against the node registry: unknown types, wires that break the connection
 * rules (types, ports, two wires into one input) and cycles. Each issue names its node or edge.
 */
export function validateGraph(doc: WorkflowDocument, registry: Lookup): GraphIssue[] {
  const lookup = subgraphLookup(doc.subgraphs, registry);
  const issues: GraphIssue[] = subgraphNodeIssues(doc, registry);
  /** Names the subgraph a wire or cycle runs through, when one does: its exposed ports. */
  const through = (ids: readonly string[]): string => {
    const sub = ids.map((id) => typeOfNode(doc, id)).find((t) => subgraphKey(t) !== undefined);
    return sub ? ` (through the exposed ports of subgraph "${lookup(sub)?.title ?? sub}")` : "";
  };
  for (const node of doc.nodes) {
    if (!lookup(node.type)) {
      issues.push({ nodeId: node.id, message: `unknown node type "${node.type}"` });
    }
  }
  const typeOf = new Map(doc.nodes.map((n) => [n.id, n.type]));
  const accepted: GraphEdgeRef[] = [];
  const wiredInputs = new Set<string>();
  for (const edge of doc.edges) {
    const reason =
      edge.source === edge.target
        ? `a node cannot feed itself${through([edge.source])}`
        : checkPorts(
            typeOf.get(edge.source) ?? "",
            edge.sourceHandle,
            typeOf.get(edge.target) ?? "",
            edge.targetHandle,
            lookup,
          );
    if (reason) {
      issues.push({ edgeId: edge.id, nodeId: edge.target, message: `wire ${edge.id}: ${reason}` });
      continue;
    }
    const input = `${edge.target}\u0000${edge.targetHandle}`;
    if (wiredInputs.has(input)) {
      issues.push({
        edgeId: edge.id,
        nodeId: edge.target,
        message: `input "${edge.targetHandle}" of node "${edge.target}" has more than one wire`,
      });
      continue;
    }
    wiredInputs.add(input);
    accepted.push(edge);
  }
  const { cycle } = topologicalOrder(
    doc.nodes.map((n) => n.id),
    accepted,
  );
  if (cycle.length) {
    issues.push({
      nodeId: cycle[0],
      message: `cycle through nodes ${cycle.join(", ")}${through(cycle)}`,
    });
  }
  return issues;
}

function typeOfNode(doc: WorkflowDocument, id: string): string {
  return doc.nodes.find((n) => n.id === id)?.type ?? "";
}

/**
 * Problems inside subgraph definitions, each attached to the top-level nodes that use the
 * subgraph (directly or through a subgraph holding it), where the editor can show them.
 */
function subgraphNodeIssues(doc: WorkflowDocument, registry: Lookup): GraphIssue[] {
  const found = subgraphIssues(doc, registry);
  if (found.length === 0) return [];
  const uses = (type: string, key: string): boolean => {
    const own = subgraphKey(type);
    if (own === undefined) return false;
    if (own === key) return true;
    return (doc.subgraphs?.[own]?.nodes ?? []).some((n) => subgraphKey(n.type) === key);
  };
  const issues: GraphIssue[] = [];
  for (const issue of found) {
    const users = doc.nodes.filter((n) => uses(n.type, issue.subgraph));
    if (users.length === 0) issues.push({ message: issue.message });
    for (const node of users) issues.push({ nodeId: node.id, message: issue.message });
  }
  return issues;
}

/**
 * The graph check for a document arriving from outside (API body, imported file, pasted text):
 * a cycle, a wire between incompatible or missing ports, or two wires into one input refuse it
 * with a message naming the node. Unknown node types pass: they are kept as placeholders.
 */
export function assertValidGraph(doc: WorkflowDocument, lookup: Lookup): WorkflowDocument {
  const blocking = validateGraph(doc, lookup).filter(
    (i) => !i.message.includes("unknown node type"),
  );
  if (blocking.length) {
    const first = blocking[0];
    const where = first.nodeId ? `node "${first.nodeId}": ` : "";
    throw new WorkflowParseError(
      `${where}${first.message}`,
      first.edgeId ? "edges" : "nodes",
      first.nodeId,
    );
  }
  return doc;
}
