import { parseWorkflow, type WorkflowDocument } from "./core/document";
import { assertValidGraph } from "./core/graph";
import type { NodeDefinition } from "./core/types";
import { compositeNode } from "./composite";
import { cropNode } from "./crop";
import { denseposeConvertNode } from "./densepose-convert";
import { flowFieldNode } from "./flow-field";
import { leffaSamplerNode } from "./leffa-sampler";
import { loadImageNode } from "./load-image";
import { maskFromAlphaNode } from "./mask-from-alpha";
import { maskGeneratorNode } from "./mask-generator";
import { maskOpsNode } from "./mask-ops";
import { noteNode } from "./note";
import { poseExtractorNode } from "./pose-extractor";
import { prepareGarmentNode } from "./prepare-garment";
import { previewNode } from "./preview";
import { resizeNode } from "./resize";
import { saveImageNode } from "./save-image";
import { upscalerNode } from "./upscaler";

/**
 * Every node type the studio knows, in palette order. Adding a node = one file + one line here.
 * The cast widens each node's own param types to the generic ones: `run` takes its params
 * contravariantly, and the runtime only calls it with params resolved against that same node.
 */
export const NODE_DEFINITIONS: readonly NodeDefinition[] = [
  loadImageNode,
  resizeNode,
  cropNode,
  compositeNode,
  prepareGarmentNode,
  maskFromAlphaNode,
  maskOpsNode,
  poseExtractorNode,
  denseposeConvertNode,
  maskGeneratorNode,
  leffaSamplerNode,
  flowFieldNode,
  upscalerNode,
  previewNode,
  saveImageNode,
  noteNode,
] as unknown as readonly NodeDefinition[];

const BY_TYPE = new Map(NODE_DEFINITIONS.map((d) => [d.type, d]));

export function getNodeDefinition(type: string): NodeDefinition | undefined {
  return BY_TYPE.get(type);
}

/**
 * A document arriving from outside (API body, imported file, pasted text): valid structure and a
 * graph without cycles or bad wires against this registry. Unknown node types are kept.
 */
export function parseCheckedWorkflow(raw: unknown): WorkflowDocument {
  return assertValidGraph(parseWorkflow(raw), getNodeDefinition);
}
