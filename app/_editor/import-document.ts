import { getNodeDefinition } from "../../nodes";
import {
  parseWorkflow,
  WorkflowParseError,
  type WorkflowDocument,
} from "../../nodes/core/document";
import { assertValidGraph } from "../../nodes/core/graph";
import { extractWorkflowFromPng } from "../../nodes/lib/png-workflow";

/** Structure first, then the graph (see assertValidGraph): unknown types become placeholders. */
export function checkImportedDocument(raw: unknown): WorkflowDocument {
  return assertValidGraph(parseWorkflow(raw), getNodeDefinition);
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
