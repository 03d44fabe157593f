import type { Edge, Node } from "@xyflow/react";
import {
  WORKFLOW_VERSION,
  type NodeMode,
  type WorkflowDocument,
  type WorkflowEdge,
  type WorkflowNode,
} from "@/nodes/core/document";
import { getNodeDefinition } from "@/nodes";
import type { Lookup } from "@/nodes/core/connection";
import { PORT_COLORS } from "@/nodes/core/ports";

/** What React Flow keeps per node. Heavy data (images) lives in the run store, not here. */
export interface StudioNodeData extends Record<string, unknown> {
  readonly nodeType: string;
  readonly params: Record<string, unknown>;
  /** Bypass or mute; absent = normal (the document stores only the non-normal modes). */
  readonly mode?: Exclude<NodeMode, "normal">;
}

export type StudioNode = Node<StudioNodeData, "studio">;
export type StudioEdge = Edge;

export function toFlowNode(n: WorkflowNode, selected = false): StudioNode {
  return {
    id: n.id,
    type: "studio",
    position: n.position,
    data: {
      nodeType: n.type,
      params: n.params,
      ...(n.mode && n.mode !== "normal" ? { mode: n.mode } : {}),
    },
    selected,
    ...(n.size ? { width: n.size.width, height: n.size.height } : {}),
  };
}

function edgeColor(
  e: Pick<WorkflowEdge, "source" | "sourceHandle">,
  nodes: readonly WorkflowNode[],
  lookup: Lookup,
): string {
  const type = nodes.find((n) => n.id === e.source)?.type;
  const port = type ? lookup(type)?.outputs[e.sourceHandle] : undefined;
  return port ? PORT_COLORS[port.type] : "#999";
}

export function toFlowEdge(
  e: WorkflowEdge,
  nodes: readonly WorkflowNode[],
  selected = false,
  /** Knows the document's subgraph node types too, where it has any. */
  lookup: Lookup = getNodeDefinition,
): StudioEdge {
  return { ...e, selected, style: { stroke: edgeColor(e, nodes, lookup), strokeWidth: 2 } };
}

export function fromFlowNode(n: StudioNode): WorkflowNode {
  const size =
    n.data.nodeType === "note" && n.width && n.height
      ? { width: n.width, height: n.height }
      : undefined;
  return {
    id: n.id,
    type: n.data.nodeType,
    position: { x: n.position.x, y: n.position.y },
    params: n.data.params,
    ...(size ? { size } : {}),
    ...(n.data.mode ? { mode: n.data.mode } : {}),
  };
}

export function fromFlowEdge(e: StudioEdge): WorkflowEdge {
  return {
    id: e.id,
    source: e.source,
    sourceHandle: e.sourceHandle ?? "",
    target: e.target,
    targetHandle: e.targetHandle ?? "",
  };
}

export function toDocument(
  name: string,
  nodes: readonly StudioNode[],
  edges: readonly StudioEdge[],
  meta: Record<string, unknown> = {},
): WorkflowDocument {
  return {
    version: WORKFLOW_VERSION,
    name,
    nodes: nodes.map(fromFlowNode),
    edges: edges.map(fromFlowEdge),
    meta,
  };
}
