import { parseWorkflow, type WorkflowDocument } from "../../nodes/core/document";

/** Typed calls to the workflow API; an error carries the server's message (which names the field). */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export async function apiCall<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(path, {
    ...init,
    headers: init?.body ? { "Content-Type": "application/json", ...init.headers } : init?.headers,
  });
  const body = (await res.json().catch(() => ({}))) as T & { error?: string };
  if (!res.ok) throw new ApiError(body.error ?? `HTTP ${res.status}`, res.status);
  return body;
}

export interface SavedWorkflow {
  readonly id: string;
  readonly name: string;
  readonly document: WorkflowDocument;
  readonly latestVersion: number;
  readonly updatedAt: string;
}

interface WorkflowResponse {
  readonly id: string;
  readonly name: string;
  readonly document: unknown;
  readonly latestVersion: number;
  readonly updatedAt: string;
}

function toSaved(r: WorkflowResponse): SavedWorkflow {
  return { ...r, document: parseWorkflow(r.document) };
}

export async function fetchWorkflow(id: string): Promise<SavedWorkflow> {
  return toSaved(await apiCall<WorkflowResponse>(`/api/workflows/${encodeURIComponent(id)}`));
}

export async function createWorkflow(
  document: WorkflowDocument,
  thumbnail?: string,
): Promise<SavedWorkflow> {
  const created = toSaved(
    await apiCall<WorkflowResponse>("/api/workflows", {
      method: "POST",
      body: JSON.stringify({ name: document.name, document }),
    }),
  );
  return thumbnail ? saveWorkflow(created.id, document, thumbnail) : created;
}

export async function saveWorkflow(
  id: string,
  document: WorkflowDocument,
  thumbnail?: string,
): Promise<SavedWorkflow> {
  return toSaved(
    await apiCall<WorkflowResponse>(`/api/workflows/${encodeURIComponent(id)}`, {
      method: "PUT",
      body: JSON.stringify({ document, ...(thumbnail ? { thumbnail } : {}) }),
    }),
  );
}
