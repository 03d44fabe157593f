/**
 * The seam between server runs' data (app/_server/runs/: the Run table, the asset store, the API)
 * and their execution (workers/queue/: the embedded queue, BullMQ on Redis, `npm run worker`).
 * Both sides code against these types only, so a run queued through the API executes the same way
 * in the studio's own process and on a worker machine.
 */
import type { WorkflowDocument } from "../../nodes/core/document";
import type { NodeStatus } from "../runtime/events";

export type RunStatus = "queued" | "running" | "done" | "error" | "cancelled";

/** Terminal statuses: a run in one of these never changes again. */
export const FINISHED_RUN_STATUSES: readonly RunStatus[] = ["done", "error", "cancelled"];

/** What an executor needs to run a queued run: the exact document, inputs and overrides. */
export interface RunSpec {
  readonly id: string;
  readonly status: RunStatus;
  /** The document as it was when the run was created (overrides not yet applied). */
  readonly document: WorkflowDocument;
  /** Load Image node id → asset key in the asset store. */
  readonly inputs: Readonly<Record<string, string>>;
  /** Node id → param name → value, validated against the node's params when the run was created. */
  readonly overrides: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Milliseconds the run may take once started; the executor cancels it past this. */
  readonly timeoutMs: number;
}

export interface NodeRunState {
  readonly status: NodeStatus;
  readonly message?: string;
  readonly elapsedMs?: number;
  /** 0–1 within the node (sampler steps, tiles). */
  readonly progress?: number;
}

/** One output the run produced: an image or file a node made, stored in the asset store. */
export interface RunOutput {
  readonly nodeId: string;
  /** The output port or file name within the node. */
  readonly name: string;
  /** Asset-store key; derived from run id and node id so a retried job overwrites, never duplicates. */
  readonly key: string;
  readonly contentType: string;
  readonly bytes: number;
}

export interface RunFinish {
  readonly status: "done" | "error" | "cancelled";
  readonly outputs: readonly RunOutput[];
  readonly error?: { readonly message: string; readonly nodeId?: string };
  readonly timings: { readonly totalMs: number; readonly nodes: Readonly<Record<string, number>> };
}

/** The Run table as the executor sees it (implemented over Prisma in app/_server/runs/). */
export interface RunRecords {
  load(runId: string): Promise<RunSpec | null>;
  /**
   * queued → running, recording where it runs; resolves false when the run is no longer queued
   * (cancelled meanwhile, or already finished by an earlier attempt), so the job does nothing.
   */
  markRunning(runId: string, worker: string): Promise<boolean>;
  /** Overall progress 0–1 and the per-node states; cheap enough to call a few times a second. */
  progress(
    runId: string,
    progress: number,
    nodes: Readonly<Record<string, NodeRunState>>,
  ): Promise<void>;
  finish(runId: string, result: RunFinish): Promise<void>;
  /** True once DELETE /api/runs/:id asked for it; the executor polls this between sampler steps. */
  cancelRequested(runId: string): Promise<boolean>;
  /** A retried job: running → queued again (infrastructure failure, stalled worker). */
  requeue(runId: string, reason: string): Promise<void>;
}

/** Where inputs and outputs live: the filesystem (ASSETS_DIR) or S3-compatible object storage. */
export interface AssetStore {
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  get(key: string): Promise<{ bytes: Uint8Array; contentType: string } | null>;
  delete(key: string): Promise<void>;
  /** Which store this is, for logs and the run record ("fs:/path" or "s3://bucket"). */
  readonly description: string;
}

/** The queue the API hands runs to: embedded (in-process, one at a time) or BullMQ on Redis. */
export interface RunQueue {
  /** The Run row exists with status "queued"; make sure it will be executed exactly once. */
  enqueue(runId: string): Promise<void>;
  /** Queued: dropped. Running: stopped within one sampler step (through RunRecords.cancelRequested or a signal). */
  cancel(runId: string): Promise<void>;
  /** 1-based place among waiting runs; null when it is not waiting. */
  position(runId: string): Promise<number | null>;
  close(): Promise<void>;
}

/**
 * The Run table as the embedded queue reads it: the queued rows ARE its queue, so a restart of
 * the studio loses nothing (implemented over Prisma in app/_server/runs/, beside RunRecords).
 */
export interface RunBacklog {
  /** Ids of the runs with status "queued", oldest (creation order) first. */
  queuedRunIds(): Promise<string[]>;
  /** Ids of the runs with status "running": after a restart these were left by a crash. */
  runningRunIds(): Promise<string[]>;
}
