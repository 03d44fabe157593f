import { parseWorkflow, type WorkflowDocument } from "@/nodes/core/document";
import type { NodeRunState, RunStatus } from "@/workers/queue/contract";
import { apiCall } from "../../shared/api-client";

/**
 * The run API as the editor calls it (app/api/runs, app/api/workflows/:id/runs, app/api/batches):
 * start a run of the saved workflow, follow it over server-sent events, cancel it, list the
 * workflow's or a batch's runs.
 */

export type { RunStatus };

export interface ServerRunOutput {
  readonly nodeId: string;
  readonly name: string;
  readonly contentType: string;
  readonly bytes: number;
  /** GET streams it from the asset store. */
  readonly url: string;
}

/** GET /api/runs/:id (app/_server/runs/runs.ts RunView). */
export interface ServerRun {
  readonly id: string;
  readonly workflowId: string;
  readonly workflowVersion: number;
  readonly status: RunStatus;
  readonly progress: number;
  readonly position: number | null;
  readonly nodes: Readonly<Record<string, NodeRunState>>;
  readonly outputs: readonly ServerRunOutput[];
  readonly error: { readonly message: string; readonly nodeId: string | null } | null;
  readonly timings: { readonly totalMs: number; readonly nodes: Record<string, number> } | null;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly worker: string | null;
  readonly batchId: string | null;
  readonly cancelRequested: boolean;
  readonly attempts: number;
}

export const FINISHED: readonly RunStatus[] = ["done", "error", "cancelled"];

export function isFinished(status: RunStatus): boolean {
  return FINISHED.includes(status);
}

export interface RunRequest {
  /** Load Image node id → asset id (POST /api/assets). */
  readonly inputs?: Readonly<Record<string, string>>;
  readonly overrides?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly batchId?: string;
}

/** Queues a run of the workflow's latest saved version; resolves with its id. */
export async function startServerRun(workflowId: string, request: RunRequest = {}) {
  const { id } = await apiCall<{ id: string }>(
    `/api/workflows/${encodeURIComponent(workflowId)}/runs`,
    { method: "POST", body: JSON.stringify(request) },
  );
  return id;
}

export function fetchServerRun(id: string): Promise<ServerRun> {
  return apiCall<ServerRun>(`/api/runs/${encodeURIComponent(id)}`);
}

/** The exact document the run ran (its workflow's version at the time). */
export async function fetchRunDocument(id: string): Promise<WorkflowDocument> {
  const body = await apiCall<{ document: unknown }>(`/api/runs/${encodeURIComponent(id)}`);
  if (body.document === null) throw new Error("the run's document is not available");
  return parseWorkflow(body.document);
}

export function cancelServerRun(id: string): Promise<ServerRun> {
  return apiCall<ServerRun>(`/api/runs/${encodeURIComponent(id)}`, { method: "DELETE" });
}

/** Every run of a workflow or a batch, newest first, following the pages up to `max`. */
export async function listServerRuns(
  filter: { readonly workflow?: string; readonly batch?: string },
  max = 100,
): Promise<ServerRun[]> {
  const runs: ServerRun[] = [];
  let offset: number | null = 0;
  while (offset !== null && runs.length < max) {
    const query = new URLSearchParams({
      ...(filter.workflow ? { workflow: filter.workflow } : {}),
      ...(filter.batch ? { batch: filter.batch } : {}),
      offset: String(offset),
      limit: String(Math.min(100, max - runs.length)),
    });
    const page: { runs: ServerRun[]; nextOffset: number | null } = await apiCall(
      `/api/runs?${query.toString()}`,
    );
    runs.push(...page.runs);
    offset = page.nextOffset;
  }
  return runs;
}

/** Uploads an image to the server's asset store only (a batch's images never reach this tab's worker). */
export async function uploadServerAsset(file: Blob): Promise<string> {
  const res = await fetch("/api/assets", {
    method: "POST",
    headers: { "Content-Type": file.type },
    body: await file.arrayBuffer(),
  });
  const body = (await res.json().catch(() => ({}))) as { id?: string; error?: string };
  if (!res.ok || !body.id) throw new Error(body.error ?? `upload failed (HTTP ${res.status})`);
  return body.id;
}

export function batchZipUrl(batchId: string): string {
  return `/api/batches/${encodeURIComponent(batchId)}/zip`;
}

export interface RunEventHandlers {
  queued(position: number | null): void;
  progress(update: {
    status: RunStatus;
    progress: number;
    nodes: Record<string, NodeRunState>;
  }): void;
  done(run: ServerRun): void;
  failed(message: string): void;
}

/**
 * Follows GET /api/runs/:id/events until the run finishes; returns a function that stops. The
 * browser's EventSource reconnects by itself after a dropped connection; the stream restarts
 * from the run's current state, so nothing is missed.
 */
export function followServerRun(id: string, on: RunEventHandlers): () => void {
  const source = new EventSource(`/api/runs/${encodeURIComponent(id)}/events`);
  let over = false;
  const end = () => {
    over = true;
    source.close();
  };
  const data = (e: Event) => JSON.parse((e as MessageEvent<string>).data) as unknown;
  source.addEventListener("queued", (e) => on.queued((data(e) as { position: number }).position));
  source.addEventListener("progress", (e) => on.progress(data(e) as never));
  source.addEventListener("done", (e) => {
    end();
    on.done(data(e) as ServerRun);
  });
  source.addEventListener("gone", () => {
    end();
    on.failed("the run is gone (its workflow was deleted)");
  });
  source.addEventListener("error", (e) => {
    // A named "error" event carries the server's message; a bare one is a dropped connection.
    if (e instanceof MessageEvent && typeof e.data === "string") {
      end();
      on.failed((JSON.parse(e.data) as { error?: string }).error ?? "the event stream failed");
    } else if (source.readyState === EventSource.CLOSED && !over) {
      over = true;
      on.failed("lost the connection to the server");
    }
  });
  return end;
}
