import { parseCheckedWorkflow } from "@/nodes";
import { WorkflowParseError, type WorkflowDocument } from "@/nodes/core/document";
import { documentSizeIssue } from "@/nodes/core/limits";
import { extractWorkflowFromPng } from "@/nodes/lib/png-workflow";

/**
 * Reads a dropped or chosen file: workflow JSON, or a PNG saved by the studio. The document
 * limits (nodes/core/limits.ts) apply as on the server: a JSON file over the size limit is refused
 * before it is read, and parseCheckedWorkflow checks the rest, naming the limit and the field.
 */
export async function readWorkflowFile(file: File): Promise<WorkflowDocument | null> {
  if (file.type === "application/json" || file.name.endsWith(".json")) {
    const tooLarge = documentSizeIssue(file.size, file.name);
    if (tooLarge) throw new WorkflowParseError(tooLarge);
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
