import type { WorkflowNode } from "@/nodes/core/document";
import { subgraphKey, subgraphType } from "@/nodes/core/subgraph-structure";
import { SaveConflictError } from "../../shared/api-client";
import { fromFlowEdge, fromFlowNode } from "../canvas/flow-mapping";
import { lookupNode, newId, useEditor } from "../canvas/editor-store";
import { collapseSelection, type CollapseChoice } from "./collapse";
import { componentDocument, dropUnused, fitUses, importComponent } from "./component-document";
import { createComponent, fetchComponent, saveComponentVersion } from "./components-api";
import { useComponentVersions } from "./component-versions";

/** The graph on the canvas as document parts. */
function canvas() {
  const s = useEditor.getState();
  return { s, nodes: s.nodes.map(fromFlowNode), edges: s.edges.map(fromFlowEdge) };
}

/** Collapses the selection into a subgraph node; returns why not. */
export function makeSubgraph(choice: Omit<CollapseChoice, "nodeId">): string | undefined {
  const { s, nodes, edges } = canvas();
  const selected = new Set(s.nodes.filter((n) => n.selected).map((n) => n.id));
  const nodeId = newId("sg");
  const result = collapseSelection(
    { nodes, edges, subgraphs: s.subgraphs },
    selected,
    { ...choice, nodeId },
    lookupNode,
  );
  if (!result.ok) return result.reason;
  s.replaceGraph(result.nodes, result.edges, result.subgraphs, [nodeId]);
  return undefined;
}

function atTop(): string | undefined {
  return useEditor.getState().scope.length > 0
    ? "Go back to the workflow first (the breadcrumb above the canvas)"
    : undefined;
}

/** The subgraph key of a node on the canvas, or why it has none. */
function keyOf(nodeId: string): string | { reason: string } {
  const node = useEditor.getState().nodes.find((n) => n.id === nodeId);
  const key = node ? subgraphKey(node.data.nodeType) : undefined;
  if (key === undefined || !useEditor.getState().subgraphs[key]) {
    return { reason: "only a subgraph node can be saved as a component" };
  }
  return key;
}

/**
 * Saves the subgraph of `nodeId` to the library: a new component, or a new version of the one
 * it came from. The workflow then records that version. Resolves to a message for the person.
 */
export async function saveAsComponent(nodeId: string): Promise<{ ok: boolean; text: string }> {
  const refused = atTop();
  if (refused) return { ok: false, text: refused };
  const key = keyOf(nodeId);
  if (typeof key !== "string") return { ok: false, text: key.reason };
  const defs = useEditor.getState().subgraphs;
  const def = defs[key];
  const doc = componentDocument(key, defs);
  let saved;
  try {
    saved = def.component
      ? await saveComponentVersion(def.component.id, doc, def.component.version)
      : await createComponent(doc);
  } catch (err) {
    if (err instanceof SaveConflictError) {
      return {
        ok: false,
        text: `Version ${err.conflict.currentVersion} of "${def.name}" was saved meanwhile: update to it first, then save again`,
      };
    }
    return { ok: false, text: `Could not save the component: ${(err as Error).message}` };
  }
  const now = useEditor.getState();
  const current = now.subgraphs[key];
  if (current) {
    const { nodes, edges } = canvas();
    now.replaceGraph(nodes, edges, {
      ...now.subgraphs,
      [key]: { ...current, component: { id: saved.id, version: saved.latestVersion } },
    });
  }
  useComponentVersions.getState().saw(saved.id, saved.latestVersion);
  return { ok: true, text: `Saved component "${def.name}" (version ${saved.latestVersion})` };
}

/** Adds a node of a library component at `at`; returns the new node's id. */
export async function insertComponent(id: string, at: { x: number; y: number }): Promise<string> {
  const refused = atTop();
  if (refused) throw new Error(refused);
  const component = await fetchComponent(id);
  const s = useEditor.getState();
  const imported = importComponent(
    component.document,
    { id, version: component.latestVersion },
    s.subgraphs,
  );
  const { nodes, edges } = canvas();
  const node: WorkflowNode = {
    id: newId("sg"),
    type: subgraphType(imported.key),
    position: at,
    params: {},
  };
  s.replaceGraph([...nodes, node], edges, imported.subgraphs, [node.id]);
  useComponentVersions.getState().saw(id, component.latestVersion);
  return node.id;
}

/**
 * Brings the subgraph `key` to the newest version of the component it came from. Every node of
 * it changes (one definition); wires and param values it no longer exposes are dropped.
 */
export async function updateComponent(key: string): Promise<{ ok: boolean; text: string }> {
  const refused = atTop();
  if (refused) return { ok: false, text: refused };
  const origin = useEditor.getState().subgraphs[key]?.component;
  if (!origin) return { ok: false, text: "this subgraph is not from the library" };
  let component;
  try {
    component = await fetchComponent(origin.id);
  } catch (err) {
    return { ok: false, text: `Could not fetch the component: ${(err as Error).message}` };
  }
  const s = useEditor.getState();
  const imported = importComponent(
    component.document,
    { id: origin.id, version: component.latestVersion },
    s.subgraphs,
    key,
  );
  const { nodes, edges } = canvas();
  const fitted = fitUses(nodes, edges, key, imported.subgraphs[key]);
  s.replaceGraph(fitted.nodes, fitted.edges, dropUnused(fitted.nodes, imported.subgraphs));
  useComponentVersions.getState().saw(origin.id, component.latestVersion);
  return {
    ok: true,
    text: `Updated "${imported.subgraphs[key].name}" to version ${component.latestVersion}`,
  };
}
