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

/** Load Image → Upscaler (a model: realesrgan-x4fast, tiny in tests) → Save Image. */
export function upscaleWorkflow(): WorkflowDocument {
  return {
    version: WORKFLOW_VERSION,
    name: "queue test: upscale",
    meta: {},
    nodes: [
      { id: "photo", type: "load-image", position: at, params: {} },
      {
        id: "up",
        type: "upscaler",
        position: at,
        params: { model: "realesrgan-x4fast", scale: "2", fallback: false },
      },
      { id: "save", type: "save-image", position: at, params: { filename: "upscaled" } },
    ],
    edges: [
      { id: "e1", source: "photo", sourceHandle: "image", target: "up", targetHandle: "image" },
      { id: "e2", source: "up", sourceHandle: "image", target: "save", targetHandle: "image" },
    ],
  };
}

/**
 * Leffa try-on (VITON-HD graphs) from three Load Image nodes: person (its alpha is the mask),
 * garment and DensePose; `steps` sampler steps at 512×384.
 */
export function tryOnWorkflow(steps: number): WorkflowDocument {
  const edge = (id: string, source: string, sourceHandle: string, targetHandle: string) => ({
    id,
    source,
    sourceHandle,
    target: "leffa",
    targetHandle,
  });
  return {
    version: WORKFLOW_VERSION,
    name: "queue test: try-on",
    meta: {},
    nodes: [
      { id: "person", type: "load-image", position: at, params: {} },
      { id: "garment", type: "load-image", position: at, params: {} },
      { id: "densepose", type: "load-image", position: at, params: {} },
      {
        id: "leffa",
        type: "leffa-sampler",
        position: at,
        params: { model: "viton_hd", resolution: "512x384", steps, flow: "off" },
      },
    ],
    edges: [
      edge("e1", "person", "image", "person"),
      edge("e2", "person", "mask", "mask"),
      edge("e3", "garment", "image", "reference"),
      edge("e4", "densepose", "image", "densepose"),
    ],
  };
}
