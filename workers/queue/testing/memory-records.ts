import type { WorkflowDocument } from "../../../nodes/core/document";
import type {
  NodeRunState,
  RunBacklog,
  RunFinish,
  RunRecords,
  RunSpec,
  RunStatus,
} from "../contract";

/** Everything the Run table keeps about a run, as the tests inspect it. */
export interface RunRow {
  id: string;
  status: RunStatus;
  document: WorkflowDocument;
  inputs: Record<string, string>;
  overrides: Record<string, Record<string, unknown>>;
  timeoutMs: number;
  createdAt: number;
  worker?: string;
  progress: number;
  nodes: Readonly<Record<string, NodeRunState>>;
  cancelRequested: boolean;
  result?: RunFinish;
  /** Every markRunning that succeeded, every requeue and every finish, in order. */
  history: string[];
}

export interface NewRun {
  document: WorkflowDocument;
  inputs?: Record<string, string>;
  overrides?: Record<string, Record<string, unknown>>;
  timeoutMs?: number;
}

/**
 * RunRecords and RunBacklog over a Map, with the same transitions as the Run table: only a queued
 * run starts, only a running one is requeued, a finished one never changes again.
 */
export class MemoryRunRecords implements RunRecords, RunBacklog {
  readonly rows = new Map<string, RunRow>();
  private seq = 0;

  create(run: NewRun): string {
    const id = `run${String(++this.seq).padStart(5, "0")}`;
    this.rows.set(id, {
      id,
      status: "queued",
      document: structuredClone(run.document),
      inputs: { ...run.inputs },
      overrides: structuredClone(run.overrides ?? {}),
      timeoutMs: run.timeoutMs ?? 60_000,
      createdAt: this.seq,
      progress: 0,
      nodes: {},
      cancelRequested: false,
      history: [],
    });
    return id;
  }

  /** What DELETE /api/runs/:id does to the row before telling the queue. */
  requestCancel(id: string): void {
    this.row(id).cancelRequested = true;
  }

  row(id: string): RunRow {
    const row = this.rows.get(id);
    if (!row) throw new Error(`no run ${id}`);
    return row;
  }

  async load(runId: string): Promise<RunSpec | null> {
    const row = this.rows.get(runId);
    if (!row) return null;
    return {
      id: row.id,
      status: row.status,
      document: structuredClone(row.document),
      inputs: { ...row.inputs },
      overrides: structuredClone(row.overrides),
      timeoutMs: row.timeoutMs,
    };
  }

  async markRunning(runId: string, worker: string): Promise<boolean> {
    const row = this.rows.get(runId);
    if (!row || row.status !== "queued" || row.cancelRequested) return false;
    row.status = "running";
    row.worker = worker;
    row.history.push(`running on ${worker}`);
    return true;
  }

  async progress(
    runId: string,
    progress: number,
    nodes: Readonly<Record<string, NodeRunState>>,
  ): Promise<void> {
    const row = this.row(runId);
    if (row.status !== "running") return;
    row.progress = progress;
    row.nodes = { ...nodes };
  }

  async finish(runId: string, result: RunFinish): Promise<void> {
    const row = this.row(runId);
    if (row.status === "done" || row.status === "error" || row.status === "cancelled") return;
    row.status = result.status;
    row.result = result;
    row.progress = result.status === "done" ? 1 : row.progress;
    row.history.push(`finished ${result.status}`);
  }

  async cancelRequested(runId: string): Promise<boolean> {
    return this.rows.get(runId)?.cancelRequested ?? false;
  }

  async requeue(runId: string, reason: string): Promise<void> {
    const row = this.row(runId);
    if (row.status !== "running") return;
    row.status = "queued";
    row.history.push(`requeued: ${reason}`);
  }

  async queuedRunIds(): Promise<string[]> {
    return [...this.rows.values()]
      .filter((r) => r.status === "queued")
      .sort((a, b) => a.createdAt - b.createdAt)
      .map((r) => r.id);
  }

  async runningRunIds(): Promise<string[]> {
    return [...this.rows.values()].filter((r) => r.status === "running").map((r) => r.id);
  }
}
