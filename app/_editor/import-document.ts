import { getNodeDefinition } from "../../nodes";
import {
  parseWorkflow,
  WorkflowParseError,
  type WorkflowDocument,
} from "../../nodes/core/document";
import { validateGraph } from "../../nodes/core/graph";
import { extractWorkflowFromPng } from "../../nodes/lib/png-workflow";

/**
 * Checks a document coming from outside (file, PNG, paste) before it replaces the canvas:
 * structure first, then the graph — a cycle or a wire between incompatible ports refuses the
 * import with a message naming the node. Unknown node types are allowed: they become visible
 * "missing node" placeholders.
 */
export function checkImportedDocument(raw: unknown): WorkflowDocument {
  const doc = parseWorkflow(raw);
  // Unknown types (and wires to them) are kept as placeholders; everything else refuses.
  const real = validateGraph(doc, getNodeDefinition).filter(
    (i) => !i.message.includes("unknown node type"),
  );
  if (real.length) {
    const first = real[0];
    throw new WorkflowParseError(
      first.nodeId ? `node "${first.nodeId}": ${first.message}` : first.message,
      undefined,
      first.nodeId,
    );
  }
  return doc;
}

/** Reads a dropped or chosen file: workflow JSON, or a PNG saved by the studio. */
export async function readWorkflowFile(file: File): Promise<WorkflowDocument | null> {
  if (file.type === "application/json" || file.name.endsWith(".json")) {
    let raw: unknown;
    try {
      raw = JSON.parse(await file.text());
    } catch (err) {
      throw new WorkflowParseError(`${file.name} is not valid JSON: ${(err as Error).message}`);
    }
    return checkImportedDocument(raw);
  }
  if (file.type === "image/png") {
    const raw = extractWorkflowFromPng(new Uint8Array(await file.arrayBuffer()));
    return raw === null ? null : checkImportedDocument(raw);
  }
  return null;
}
