import type { SubgraphDefinition, WorkflowDocument, WorkflowEdge, WorkflowNode } from "./document";

/** Small builders for subgraph tests: nodes at the origin, wires numbered in order. */
export type Spec = readonly [id: string, type: string, params?: Record<string, unknown>];
export type Wire = readonly [
  source: string,
  sourceHandle: string,
  target: string,
  targetHandle: string,
];

export function nodesOf(specs: readonly Spec[]): WorkflowNode[] {
  return specs.map(([id, type, params]) => ({
    id,
    type,
    position: { x: 0, y: 0 },
    params: params ?? {},
  }));
}

export function wiresOf(wires: readonly Wire[], prefix = "e"): WorkflowEdge[] {
  return wires.map(([source, sourceHandle, target, targetHandle], i) => ({
    id: `${prefix}${i}`,
    source,
    sourceHandle,
    target,
    targetHandle,
  }));
}

export const RESIZE = { mode: "stretch", width: 10, height: 5 };
export const CROP = { x: 0, y: 0, width: 4, height: 4 };

/** "Prep": image in → resize "a" → crop "b" → image out; exposes a's width as "size". */
export function prepSubgraph(): SubgraphDefinition {
  return {
    name: "Prep",
    nodes: nodesOf([
      ["a", "resize", RESIZE],
      ["b", "crop", CROP],
    ]),
    edges: wiresOf([["a", "image", "b", "image"]], "i"),
    inputs: [{ name: "photo", node: "a", port: "image" }],
    outputs: [{ name: "result", node: "b", port: "image" }],
    params: [{ name: "size", node: "a", param: "width" }],
  };
}

/** load → prep (subgraph) → view, with the subgraph node's params. */
export function withPrep(params: Record<string, unknown> = {}): WorkflowDocument {
  return {
    version: 2,
    name: "subgraph",
    meta: {},
    nodes: nodesOf([
      ["load", "load-image", { image: "x" }],
      ["prep", "subgraph:prep", params],
      ["view", "preview"],
    ]),
    edges: wiresOf([
      ["load", "image", "prep", "photo"],
      ["prep", "result", "view", "image"],
    ]),
    subgraphs: { prep: prepSubgraph() },
  };
}

/** The same graph without the subgraph: load → a → b → view. */
export function flatPrep(width = RESIZE.width): WorkflowDocument {
  return {
    version: 2,
    name: "flat",
    meta: {},
    nodes: nodesOf([
      ["load", "load-image", { image: "x" }],
      ["a", "resize", { ...RESIZE, width }],
      ["b", "crop", CROP],
      ["view", "preview"],
    ]),
    edges: wiresOf([
      ["load", "image", "a", "image"],
      ["a", "image", "b", "image"],
      ["b", "image", "view", "image"],
    ]),
  };
}
