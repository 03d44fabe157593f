import Database from "better-sqlite3";
import type {
  NodeRunState,
  RunBacklog,
  RunFinish,
  RunRecords,
  RunSpec,
  RunStatus,
} from "../contract";
import type { NewRun } from "./memory-records";

interface Row {
  id: string;
  status: RunStatus;
  document: string;
  inputs: string;
  overrides: string;
  timeout_ms: number;
  worker: string | null;
  progress: number;
  nodes: string;
  cancel_requested: number;
  result: string | null;
}

/**
 * RunRecords and RunBacklog in one SQLite file, so several worker processes share them as they
 * share the Run table in production: the same guarded transitions (only a queued run starts, only
 * a running one is requeued, a finished one never changes) as single UPDATE … WHERE statements.
 * Every transition is also logged in `events`, which the fault tests count.
 */
export class SqliteRunRecords implements RunRecords, RunBacklog {
  private readonly db: Database.Database;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("busy_timeout = 10000");
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS runs (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        status TEXT NOT NULL,
        document TEXT NOT NULL,
        inputs TEXT NOT NULL,
        overrides TEXT NOT NULL,
        timeout_ms INTEGER NOT NULL,
        worker TEXT,
        progress REAL NOT NULL DEFAULT 0,
        nodes TEXT NOT NULL DEFAULT '{}',
        cancel_requested INTEGER NOT NULL DEFAULT 0,
        result TEXT
      );
      CREATE TABLE IF NOT EXISTS events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id TEXT NOT NULL,
        what TEXT NOT NULL,
        worker TEXT,
        -- Wall-clock milliseconds with a fraction (comparable across processes on one machine).
        at REAL NOT NULL
      );`);
  }

  create(run: NewRun & { id: string }): string {
    this.db
      .prepare(
        "INSERT INTO runs (id, status, document, inputs, overrides, timeout_ms) VALUES (?, 'queued', ?, ?, ?, ?)",
      )
      .run(
        run.id,
        JSON.stringify(run.document),
        JSON.stringify(run.inputs ?? {}),
        JSON.stringify(run.overrides ?? {}),
        run.timeoutMs ?? 60_000,
      );
    this.log(run.id, "created");
    return run.id;
  }

  requestCancel(runId: string): void {
    this.db.prepare("UPDATE runs SET cancel_requested = 1 WHERE id = ?").run(runId);
  }

  /** The run as stored, parsed. */
  get(runId: string) {
    const row = this.db.prepare("SELECT * FROM runs WHERE id = ?").get(runId) as Row | undefined;
    if (!row) return null;
    return {
      id: row.id,
      status: row.status,
      worker: row.worker,
      progress: row.progress,
      nodes: JSON.parse(row.nodes) as Record<string, NodeRunState>,
      result: row.result ? (JSON.parse(row.result) as RunFinish) : null,
    };
  }

  statusCounts(): Record<string, number> {
    const rows = this.db
      .prepare("SELECT status, COUNT(*) AS n FROM runs GROUP BY status")
      .all() as { status: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  events(runId?: string): { run_id: string; what: string; worker: string | null; at: number }[] {
    return (
      runId
        ? this.db.prepare("SELECT * FROM events WHERE run_id = ? ORDER BY seq").all(runId)
        : this.db.prepare("SELECT * FROM events ORDER BY seq").all()
    ) as { run_id: string; what: string; worker: string | null; at: number }[];
  }

  close(): void {
    this.db.close();
  }

  async load(runId: string): Promise<RunSpec | null> {
    const row = this.db.prepare("SELECT * FROM runs WHERE id = ?").get(runId) as Row | undefined;
    if (!row) return null;
    return {
      id: row.id,
      status: row.status,
      document: JSON.parse(row.document),
      inputs: JSON.parse(row.inputs),
      overrides: JSON.parse(row.overrides),
      timeoutMs: row.timeout_ms,
    };
  }

  async markRunning(runId: string, worker: string): Promise<boolean> {
    const changed = this.db
      .prepare(
        "UPDATE runs SET status = 'running', worker = ? WHERE id = ? AND status = 'queued' AND cancel_requested = 0",
      )
      .run(worker, runId).changes;
    if (changed) this.log(runId, "running", worker);
    return changed === 1;
  }

  async progress(
    runId: string,
    progress: number,
    nodes: Readonly<Record<string, NodeRunState>>,
  ): Promise<void> {
    this.db
      .prepare("UPDATE runs SET progress = ?, nodes = ? WHERE id = ? AND status = 'running'")
      .run(progress, JSON.stringify(nodes), runId);
  }

  async finish(runId: string, result: RunFinish): Promise<void> {
    const changed = this.db
      .prepare(
        "UPDATE runs SET status = ?, result = ?, progress = CASE WHEN ? = 'done' THEN 1 ELSE progress END WHERE id = ? AND status IN ('queued', 'running')",
      )
      .run(result.status, JSON.stringify(result), result.status, runId).changes;
    if (changed) this.log(runId, `finished ${result.status}`);
  }

  async cancelRequested(runId: string): Promise<boolean> {
    const row = this.db.prepare("SELECT cancel_requested FROM runs WHERE id = ?").get(runId) as
      { cancel_requested: number } | undefined;
    return row?.cancel_requested === 1;
  }

  async requeue(runId: string, reason: string): Promise<void> {
    const changed = this.db
      .prepare("UPDATE runs SET status = 'queued' WHERE id = ? AND status = 'running'")
      .run(runId).changes;
    if (changed) this.log(runId, `requeued: ${reason}`);
  }

  async queuedRunIds(): Promise<string[]> {
    return (
      this.db.prepare("SELECT id FROM runs WHERE status = 'queued' ORDER BY seq").all() as {
        id: string;
      }[]
    ).map((r) => r.id);
  }

  async runningRunIds(): Promise<string[]> {
    return (
      this.db.prepare("SELECT id FROM runs WHERE status = 'running' ORDER BY seq").all() as {
        id: string;
      }[]
    ).map((r) => r.id);
  }

  private log(runId: string, what: string, worker: string | null = null): void {
    this.db
      .prepare("INSERT INTO events (run_id, what, worker, at) VALUES (?, ?, ?, ?)")
      .run(runId, what, worker, performance.timeOrigin + performance.now());
  }
}
