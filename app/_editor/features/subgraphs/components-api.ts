import { parseWorkflow, type WorkflowDocument } from "@/nodes/core/document";
import { apiCall, fetchWorkflow, saveWorkflow, type SavedWorkflow } from "../../shared/api-client";
import { COMPONENT_TAG } from "./component-document";

/** A component as the library lists it. */
export interface ComponentSummary {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly updatedAt: string;
}

/** The library's components: its workflows tagged COMPONENT_TAG. */
export async function listComponents(): Promise<ComponentSummary[]> {
  const body = await apiCall<{ workflows: ComponentSummary[] }>(
    `/api/workflows?tag=${COMPONENT_TAG}&sort=name`,
  );
  return body.workflows;
}

/** Saves a new component (version 1), tagged so the components list finds it. */
export async function createComponent(document: WorkflowDocument): Promise<SavedWorkflow> {
  const body = await apiCall<Omit<SavedWorkflow, "document"> & { document: unknown }>(
    "/api/workflows",
    {
      method: "POST",
      body: JSON.stringify({ name: document.name, document, tags: [COMPONENT_TAG] }),
    },
  );
  return { ...body, document: parseWorkflow(body.document) };
}

/**
 * A new version of a component, based on the version the workflow holds: if someone saved a
 * newer one meanwhile, the save is refused (SaveConflictError) rather than overwriting it.
 */
export function saveComponentVersion(
  id: string,
  document: WorkflowDocument,
  baseVersion: number,
): Promise<SavedWorkflow> {
  return saveWorkflow(id, document, { baseVersion, message: "component saved from a workflow" });
}

/** The newest version of a component. */
export function fetchComponent(id: string): Promise<SavedWorkflow> {
  return fetchWorkflow(id);
}
