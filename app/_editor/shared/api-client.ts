import { parseWorkflow, type WorkflowDocument } from "@/nodes/core/document";

/** Typed calls to the workflow API; an error carries the server's message (which names the field). */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    message: string,
    readonly status: number,
    /** The whole JSON error body, for errors that carry more than a message (409). */
    readonly body: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export async function apiCall<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(path, {
    ...init,
    headers: init?.body ? { "Content-Type": "application/json", ...init.headers } : init?.headers,
  });
  if (res.status === 204) return undefined as T;
  // With accounts on, an expired or missing session: sign in, then come back here.
  if (res.status === 401 && typeof window !== "undefined") {
    const here = window.location.pathname + window.location.search;
    window.location.assign(`/signin?next=${encodeURIComponent(here)}`);
  }
  const body = (await res.json().catch(() => ({}))) as T & { error?: string };
  if (!res.ok) {
    throw new ApiError(
      body.error ?? `HTTP ${res.status}`,
      res.status,
      body as Record<string, unknown>,
    );
  }
  return body;
}

export type Visibility = "private" | "link" | "public";

export interface SavedWorkflow {
  readonly id: string;
  readonly name: string;
  readonly document: WorkflowDocument;
  readonly latestVersion: number;
  readonly updatedAt: string;
  readonly isTemplate: boolean;
  readonly hasThumbnail: boolean;
  readonly visibility: Visibility;
  readonly shareToken: string | null;
  readonly description: string;
  readonly tags: readonly string[];
}

interface WorkflowResponse extends Omit<SavedWorkflow, "document"> {
  readonly document: unknown;
}

function toSaved(r: WorkflowResponse): SavedWorkflow {
  return { ...r, document: parseWorkflow(r.document) };
}

const workflowPath = (id: string) => `/api/workflows/${encodeURIComponent(id)}`;

export async function fetchWorkflow(id: string): Promise<SavedWorkflow> {
  return toSaved(await apiCall<WorkflowResponse>(workflowPath(id)));
}

export async function createWorkflow(
  document: WorkflowDocument,
  thumbnail?: string,
): Promise<SavedWorkflow> {
  // One request, so the new workflow starts at version 1 with its thumbnail.
  return toSaved(
    await apiCall<WorkflowResponse>("/api/workflows", {
      method: "POST",
      body: JSON.stringify({ name: document.name, document, thumbnail }),
    }),
  );
}

/** What the server says about the newer version when a save is refused with 409. */
export interface ConflictInfo {
  readonly baseVersion: number;
  readonly currentVersion: number;
  readonly savedAt: string;
  readonly savedBy: string | null;
  readonly message: string | null;
}

/** A save refused because someone saved a newer version since this one was loaded. */
export class SaveConflictError extends Error {
  override readonly name = "SaveConflictError";
  constructor(readonly conflict: ConflictInfo) {
    super(`version ${conflict.currentVersion} was saved in the meantime`);
  }
}

function toConflict(err: unknown): unknown {
  if (!(err instanceof ApiError) || err.status !== 409) return err;
  const b = err.body;
  if (typeof b.currentVersion !== "number") return err;
  return new SaveConflictError({
    baseVersion: Number(b.baseVersion),
    currentVersion: b.currentVersion,
    savedAt: String(b.savedAt),
    savedBy: typeof b.savedBy === "string" ? b.savedBy : null,
    message: typeof b.message === "string" ? b.message : null,
  });
}

export interface SaveOptions {
  readonly thumbnail?: string;
  /** The version the document was based on; the server refuses the save if it is stale. */
  readonly baseVersion?: number;
  readonly message?: string;
}

/** Saves a new version; a stale `baseVersion` throws SaveConflictError. */
export async function saveWorkflow(
  id: string,
  document: WorkflowDocument,
  options: SaveOptions = {},
): Promise<SavedWorkflow> {
  try {
    return toSaved(
      await apiCall<WorkflowResponse>(workflowPath(id), {
        method: "PUT",
        body: JSON.stringify({ document, ...options }),
      }),
    );
  } catch (err) {
    throw toConflict(err);
  }
}

export interface VersionEntry {
  readonly version: number;
  readonly message: string | null;
  readonly savedBy: string | null;
  readonly createdAt: string;
}

export async function fetchVersions(id: string): Promise<VersionEntry[]> {
  return (await apiCall<{ versions: VersionEntry[] }>(`${workflowPath(id)}/versions`)).versions;
}

export async function fetchVersion(id: string, version: number): Promise<WorkflowDocument> {
  const body = await apiCall<{ document: unknown }>(`${workflowPath(id)}/versions/${version}`);
  return parseWorkflow(body.document);
}

/** Saves `version`'s document as a new version; a stale `baseVersion` throws SaveConflictError. */
export async function restoreVersion(
  id: string,
  version: number,
  baseVersion: number | null,
): Promise<SavedWorkflow> {
  try {
    return toSaved(
      await apiCall<WorkflowResponse>(`${workflowPath(id)}/versions/${version}/restore`, {
        method: "POST",
        body: JSON.stringify(baseVersion === null ? {} : { baseVersion }),
      }),
    );
  } catch (err) {
    throw toConflict(err);
  }
}

/** For the library's "recently opened" sort; failures only cost that ordering. */
export async function markOpened(id: string): Promise<void> {
  await apiCall<void>(`${workflowPath(id)}/opened`, { method: "POST" });
}

export interface ShareState {
  readonly visibility: Visibility;
  readonly shareToken: string | null;
  readonly sharePath: string | null;
}

export async function setVisibility(id: string, visibility: Visibility): Promise<ShareState> {
  return apiCall<ShareState>(`${workflowPath(id)}/share`, {
    method: "PUT",
    body: JSON.stringify({ visibility }),
  });
}

/** Copies a template into the library. */
export async function copyFromTemplate(id: string): Promise<SavedWorkflow> {
  return toSaved(await apiCall<WorkflowResponse>(`${workflowPath(id)}/use`, { method: "POST" }));
}
