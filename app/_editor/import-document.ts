import { parseCheckedWorkflow } from "../../nodes";
import { WorkflowParseError, type WorkflowDocument } from "../../nodes/core/document";
import { extractWorkflowFromPng } from "../../nodes/lib/png-workflow";

/** Reads a dropped or chosen file: workflow JSON, or a PNG saved by the studio. */
export async function readWorkflowFile(file: File): Promise<WorkflowDocument | null> {
  if (file.type === "application/json" || file.name.endsWith(".json")) {
    let raw: unknown;
    try {
      raw = JSON.parse(await file.text());
    } catch (err) {
      throw new WorkflowParseError(`${file.name} is not valid JSON: ${(err as Error).message}`);
    }
    return parseCheckedWorkflow(raw);
  }
  if (file.type === "image/png") {
    const raw = extractWorkflowFromPng(new Uint8Array(await file.arrayBuffer()));
    return raw === null ? null : parseCheckedWorkflow(raw);
  }
  return null;
}
