import type { WorkflowDocument } from "@/nodes/core/document";
import { sweepSpecSchema, type SweepSpec } from "@/workers/runtime/sweep";

/** Where a grid PNG keeps its sweep: in the embedded workflow's meta, beside the graph. */
export const SWEEP_META_KEY = "sweep";

/** The workflow a grid PNG embeds: the document the cells were made from, with the sweep. */
export function withSweep(doc: WorkflowDocument, spec: SweepSpec): WorkflowDocument {
  return { ...doc, meta: { ...doc.meta, [SWEEP_META_KEY]: spec } };
}

/** The sweep a document carries (a grid PNG opened again), or null when it has none or a bad one. */
export function sweepOf(doc: WorkflowDocument): SweepSpec | null {
  const parsed = sweepSpecSchema.safeParse(doc.meta[SWEEP_META_KEY]);
  return parsed.success ? parsed.data : null;
}
