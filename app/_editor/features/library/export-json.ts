import type { WorkflowDocument } from "@/nodes/core/document";

function download(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Saves the document as a JSON file named after the workflow. */
export function downloadWorkflowJson(doc: WorkflowDocument): void {
  download(
    `${doc.name.replace(/[^\w.-]+/g, "_")}.json`,
    new Blob([JSON.stringify(doc, null, 2)], { type: "application/json" }),
  );
}
