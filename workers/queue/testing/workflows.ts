import { WORKFLOW_VERSION, type WorkflowDocument } from "../../../nodes/core/document";

const at = { x: 0, y: 0 };

/** Load Image → Resize → Save Image: a small real workflow with no model. */
export function resizeWorkflow(width = 24, height = 32): WorkflowDocument {
  return {
    version: WORKFLOW_VERSION,
    name: "queue test: resize",
    meta: {},
    nodes: [
      { id: "photo", type: "load-image", position: at, params: {} },
      { id: "fit", type: "resize", position: at, params: { mode: "pad", width, height } },
      { id: "save", type: "save-image", position: at, params: { filename: "fitted" } },
    ],
    edges: [
      { id: "e1", source: "photo", sourceHandle: "image", target: "fit", targetHandle: "image" },
      { id: "e2", source: "fit", sourceHandle: "image", target: "save", targetHandle: "image" },
    ],
  };
}

/** One test-wait node (wait-node.ts): `ms` of waiting in `steps` cancellable slices. */
export function waitWorkflow(ms: number, steps = 1, tag = ""): WorkflowDocument {
  return {
    version: WORKFLOW_VERSION,
    name: "queue test: wait",
    meta: {},
    nodes: [{ id: "wait", type: "test-wait", position: at, params: { ms, steps, tag } }],
    edges: [],
  };
}
