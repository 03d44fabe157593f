import { parseWorkflow, type WorkflowDocument } from "@/nodes/core/document";

/**
 * Unsaved edits survive a reload or a crash: the current document is written to localStorage
 * (debounced) under the workflow's id, and offered back when the same workflow is opened again.
 */
const PREFIX = "leffa-studio:draft:";

export interface Draft {
  readonly document: WorkflowDocument;
  readonly savedAt: number;
}

function key(workflowId: string | null): string {
  return PREFIX + (workflowId ?? "new");
}

export function writeDraft(workflowId: string | null, document: WorkflowDocument): void {
  try {
    localStorage.setItem(key(workflowId), JSON.stringify({ document, savedAt: Date.now() }));
  } catch {
    // Storage full or disabled: drafts are a convenience, the editor keeps working without them.
  }
}

export function readDraft(workflowId: string | null): Draft | null {
  try {
    const raw = localStorage.getItem(key(workflowId));
    if (!raw) return null;
    const parsed = JSON.parse(raw) as { document: unknown; savedAt: number };
    return { document: parseWorkflow(parsed.document), savedAt: Number(parsed.savedAt) };
  } catch {
    return null;
  }
}

export function clearDraft(workflowId: string | null): void {
  try {
    localStorage.removeItem(key(workflowId));
  } catch {
    // see writeDraft
  }
}
