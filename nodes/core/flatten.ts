import type { Lookup } from "./connection";
import type { WorkflowDocument, WorkflowEdge, WorkflowNode } from "./document";
import { subgraphKey } from "./subgraph-structure";

/** Where a node of a flattened document came from. */
export interface FlatOrigin {
  /** The top-level subgraph node it sits in: the node the editor shows its status on. */
  readonly root: string;
  /** Its type's title and the subgraphs around it, innermost first: "Mask Generator inside Prep". */
  readonly label: string;
}

export interface FlatWorkflow {
  /** The document with every subgraph node replaced by its inner nodes and wires. */
  readonly doc: WorkflowDocument;
  /** The inner nodes, by flat id; top-level nodes are not listed. */
  readonly origins: ReadonlyMap<string, FlatOrigin>;
  /** Each subgraph node's id (flat) → the flat ids of the nodes it became. */
  readonly members: ReadonlyMap<string, readonly string[]>;
}

/** The separator of namespaced ids: ids cannot contain it (document.ts), so a flat id is unique. */
export const FLAT_ID_SEPARATOR = "/";

/** The top-level node a flat id belongs to: the subgraph node for an inner node. */
export function rootNodeId(flatId: string): string {
  const at = flatId.indexOf(FLAT_ID_SEPARATOR);
  return at < 0 ? flatId : flatId.slice(0, at);
}

interface PortEnd {
  readonly node: string;
  readonly port: string;
}

interface Level {
  /** Flat ends an input port of a node at this level leads to. */
  inputEnd(nodeId: string, port: string): PortEnd | undefined;
  /** The flat end an output port of a node at this level comes from. */
  outputEnd(nodeId: string, port: string): PortEnd | undefined;
}

/**
 * Replaces subgraph nodes with their inner nodes (nodes/core/subgraph.ts) so the runtime compiles
 * an ordinary graph. Inner ids are namespaced `<subgraphNodeId>/<innerId>` (twice for a nested
 * subgraph); a wire into or out of an exposed port is re-routed to the inner port it maps to; an
 * exposed param's value, when the subgraph node sets it, replaces the inner node's. The inner
 * nodes keep their types and params and their wires the same sources, so each one's cache key is
 * the one the same node would have in a flat graph. A muted subgraph mutes what it holds; a
 * bypassed one is kept whole so compile can pass its input on (its synthesized definition says
 * which). Mappings to missing nodes or ports end in nothing: the validation (subgraphIssues)
 * reports them, and the reader's input is left unconnected.
 */
export function flattenWorkflow(doc: WorkflowDocument, registry: Lookup): FlatWorkflow {
  const defs = doc.subgraphs ?? {};
  const expands = (node: WorkflowNode) => {
    const key = subgraphKey(node.type);
    return key !== undefined && node.mode !== "bypass" && Object.hasOwn(defs, key);
  };
  if (!doc.nodes.some(expands)) return { doc, origins: new Map(), members: new Map() };

  const nodes: WorkflowNode[] = [];
  const edges: WorkflowEdge[] = [];
  const origins = new Map<string, FlatOrigin>();
  const members = new Map<string, string[]>();

  const expandLevel = (
    levelNodes: readonly WorkflowNode[],
    levelEdges: readonly WorkflowEdge[],
    prefix: string,
    /** The subgraphs around this level, innermost first; empty at the top. */
    around: readonly string[],
    root: string | undefined,
    depth: number,
  ): Level => {
    const inner = new Map<string, Level>();
    for (const node of levelNodes) {
      const flatId = `${prefix}${node.id}`;
      const key = subgraphKey(node.type);
      const def = key !== undefined ? defs[key] : undefined;
      // The structure check keeps nesting shallow; the depth bound guards unchecked input.
      if (def && node.mode !== "bypass" && depth < 8) {
        const start = nodes.length;
        const applied = def.nodes.map((n) => withExposedParams(n, def.params, node.params));
        const muted =
          node.mode === "mute" ? applied.map((n) => ({ ...n, mode: "mute" as const })) : applied;
        const level = expandLevel(
          muted,
          def.edges,
          `${flatId}${FLAT_ID_SEPARATOR}`,
          [def.name, ...around],
          root ?? node.id,
          depth + 1,
        );
        members.set(
          flatId,
          nodes.slice(start).map((n) => n.id),
        );
        inner.set(node.id, {
          inputEnd: (_id, port) => {
            const m = def.inputs.find((i) => i.name === port);
            return m ? level.inputEnd(m.node, m.port) : undefined;
          },
          outputEnd: (_id, port) => {
            const m = def.outputs.find((o) => o.name === port);
            return m ? level.outputEnd(m.node, m.port) : undefined;
          },
        });
        continue;
      }
      nodes.push({ ...node, id: flatId });
      if (root !== undefined) {
        const title = registry(node.type)?.title ?? node.type;
        origins.set(flatId, { root, label: [title, ...around].join(" inside ") });
      }
    }
    const level: Level = {
      inputEnd: (id, port) =>
        inner.get(id)?.inputEnd(id, port) ??
        (inner.has(id) ? undefined : { node: `${prefix}${id}`, port }),
      outputEnd: (id, port) =>
        inner.get(id)?.outputEnd(id, port) ??
        (inner.has(id) ? undefined : { node: `${prefix}${id}`, port }),
    };
    for (const edge of levelEdges) {
      const from = level.outputEnd(edge.source, edge.sourceHandle);
      const to = level.inputEnd(edge.target, edge.targetHandle);
      if (!from || !to) continue;
      edges.push({
        id: `${prefix}${edge.id}`,
        source: from.node,
        sourceHandle: from.port,
        target: to.node,
        targetHandle: to.port,
      });
    }
    return level;
  };

  expandLevel(doc.nodes, doc.edges, "", [], undefined, 0);
  // Definitions stay only while a (bypassed) subgraph node still needs its synthesized ports.
  const { subgraphs, ...rest } = doc;
  const kept = nodes.some((n) => subgraphKey(n.type) !== undefined);
  return {
    doc: kept ? { ...rest, subgraphs, nodes, edges } : { ...rest, nodes, edges },
    origins,
    members,
  };
}

/** An inner node with the values its subgraph node sets on exposed params. */
function withExposedParams(
  node: WorkflowNode,
  exposed: readonly { name: string; node: string; param: string }[],
  values: Readonly<Record<string, unknown>>,
): WorkflowNode {
  const mine = exposed.filter((m) => m.node === node.id && Object.hasOwn(values, m.name));
  if (mine.length === 0) return node;
  const params = { ...node.params };
  for (const m of mine) params[m.param] = values[m.name];
  return { ...node, params };
}
