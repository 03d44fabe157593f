import { parseWorkflow } from "@/nodes/core/document";
import type {
  NodeRunState,
  RunBacklog,
  RunFinish,
  RunRecords,
  RunSpec,
  RunStatus,
} from "@/workers/queue/contract";
import type { PrismaClient } from "../db";

/**
 * The Run table as the executor and the embedded queue see it (workers/queue/contract.ts). Every
 * state change is a conditional update on the row's status, so two workers racing for one run,
 * or a cancel racing a start, cannot both win: the loser's update matches no row.
 */

const STATUSES: readonly RunStatus[] = ["queued", "running", "done", "error", "cancelled"];

export function toRunStatus(value: string): RunStatus {
  return (STATUSES as readonly string[]).includes(value) ? (value as RunStatus) : "error";
}

export class PrismaRunRecords implements RunRecords, RunBacklog {
  constructor(private readonly prisma: PrismaClient) {}

  async load(runId: string): Promise<RunSpec | null> {
    const row = await this.prisma.run.findUnique({
      where: { id: runId },
      select: {
        id: true,
        status: true,
        document: true,
        inputs: true,
        overrides: true,
        timeoutMs: true,
      },
    });
    if (!row) return null;
    return {
      id: row.id,
      status: toRunStatus(row.status),
      // Parsed as every stored document is, so one written by an older studio comes back migrated.
      document: parseWorkflow(JSON.parse(row.document)),
      inputs: JSON.parse(row.inputs) as Record<string, string>,
      overrides: JSON.parse(row.overrides) as Record<string, Record<string, unknown>>,
      timeoutMs: row.timeoutMs,
    };
  }

  async markRunning(runId: string, worker: string): Promise<boolean> {
    const { count } = await this.prisma.run.updateMany({
      where: { id: runId, status: "queued", cancelRequested: false },
      data: {
        status: "running",
        worker,
        startedAt: new Date(),
        attempts: { increment: 1 },
      },
    });
    return count === 1;
  }

  async progress(
    runId: string,
    progress: number,
    nodes: Readonly<Record<string, NodeRunState>>,
  ): Promise<void> {
    await this.prisma.run.updateMany({
      where: { id: runId, status: "running" },
      data: { progress: clamp01(progress), nodeStates: JSON.stringify(nodes) },
    });
  }

  async finish(runId: string, result: RunFinish): Promise<void> {
    await this.prisma.run.updateMany({
      // A finished run never changes again (FINISHED_RUN_STATUSES).
      where: { id: runId, status: { in: ["queued", "running"] } },
      data: {
        status: result.status,
        outputs: JSON.stringify(result.outputs),
        errorMessage: result.error?.message ?? null,
        errorNodeId: result.error?.nodeId ?? null,
        timings: JSON.stringify(result.timings),
        finishedAt: new Date(),
        ...(result.status === "done" ? { progress: 1 } : {}),
      },
    });
  }

  async cancelRequested(runId: string): Promise<boolean> {
    const row = await this.prisma.run.findUnique({
      where: { id: runId },
      select: { cancelRequested: true },
    });
    // A run that is gone (its workflow deleted) is as good as cancelled.
    return row?.cancelRequested ?? true;
  }

  async requeue(runId: string, reason: string): Promise<void> {
    await this.prisma.run.updateMany({
      where: { id: runId, status: "running" },
      data: {
        status: "queued",
        worker: null,
        startedAt: null,
        progress: 0,
        nodeStates: "{}",
        // Kept for the run's page until it finishes; finish() replaces it.
        errorMessage: `retrying: ${reason.slice(0, 1000)}`,
      },
    });
  }

  async queuedRunIds(): Promise<string[]> {
    return this.idsWithStatus("queued");
  }

  async runningRunIds(): Promise<string[]> {
    return this.idsWithStatus("running");
  }

  private async idsWithStatus(status: RunStatus): Promise<string[]> {
    const rows = await this.prisma.run.findMany({
      where: { status },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      select: { id: true },
    });
    return rows.map((r) => r.id);
  }
}

function clamp01(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}
