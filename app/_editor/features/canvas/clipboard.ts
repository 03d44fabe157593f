import { z } from "zod";
import {
  edgeSchema,
  nodeSchema,
  type WorkflowEdge,
  type WorkflowNode,
} from "@/nodes/core/document";

/**
 * Copy/paste of a selection through the system clipboard as text: a versioned envelope holding
 * the selected nodes and only the wires between them. Pasting remaps every id and moves the
 * group so its top-left corner lands at the cursor.
 */
export const CLIPBOARD_KIND = "leffa-studio/selection";

const envelopeSchema = z.object({
  kind: z.literal(CLIPBOARD_KIND),
  version: z.literal(1),
  nodes: z.array(nodeSchema).min(1),
  edges: z.array(edgeSchema),
});

export function serializeSelection(
  nodes: readonly WorkflowNode[],
  edges: readonly WorkflowEdge[],
): string | null {
  if (!nodes.length) return null;
  const ids = new Set(nodes.map((n) => n.id));
  const inner = edges.filter((e) => ids.has(e.source) && ids.has(e.target));
  return JSON.stringify({ kind: CLIPBOARD_KIND, version: 1, nodes, edges: inner });
}

/** Returns null when the text is not a studio selection (so other paste handlers may run). */
export function parseClipboard(
  text: string,
): { nodes: WorkflowNode[]; edges: WorkflowEdge[] } | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = envelopeSchema.safeParse(raw);
  return parsed.success ? { nodes: parsed.data.nodes, edges: parsed.data.edges } : null;
}

export function instantiate(
  selection: { nodes: readonly WorkflowNode[]; edges: readonly WorkflowEdge[] },
  at: { x: number; y: number },
  newId: () => string,
): { nodes: WorkflowNode[]; edges: WorkflowEdge[] } {
  const minX = Math.min(...selection.nodes.map((n) => n.position.x));
  const minY = Math.min(...selection.nodes.map((n) => n.position.y));
  const ids = new Map(selection.nodes.map((n) => [n.id, newId()]));
  const nodes = selection.nodes.map((n) => ({
    ...n,
    id: ids.get(n.id)!,
    position: { x: n.position.x - minX + at.x, y: n.position.y - minY + at.y },
    params: { ...n.params },
  }));
  const edges = selection.edges
    .filter((e) => ids.has(e.source) && ids.has(e.target))
    .map((e) => ({ ...e, id: newId(), source: ids.get(e.source)!, target: ids.get(e.target)! }));
  return { nodes, edges };
}
