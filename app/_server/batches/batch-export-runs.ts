import type { RunOutput } from "@/workers/queue/contract";
import type { BatchExportRun } from "@/workers/batch/batch-export";
import { leffaLossFromText } from "@/workers/batch/leffa-loss-text";
import type { Actor } from "../actor";
import type { PrismaClient } from "../db";

/**
 * A batch's runs as its ZIP lists them (workers/batch/batch-export.ts), oldest first (the order
 * they were queued, which is the grid's), and the content types of their input images. Only the
 * actor's own runs in accounts mode, as GET /api/runs shows them.
 */

/** Most runs one export reads: the largest batch crossBatch makes. */
const EXPORT_LIMIT = 1000;

function parse<T>(text: string | null, fallback: T): T {
  if (text === null) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

/** The Leffa loss a run's nodes reported in their text outputs (the Flow Field's), if any. */
async function runLeffaLoss(
  outputs: readonly RunOutput[],
  readText: (key: string) => Promise<string | null>,
): Promise<number | null> {
  for (const output of outputs) {
    if (output.name !== "text.txt") continue;
    const loss = leffaLossFromText((await readText(output.key)) ?? undefined);
    if (loss !== null) return loss;
  }
  return null;
}

export async function batchExportRuns(
  prisma: PrismaClient,
  batchId: string,
  actor: Actor,
  readText: (key: string) => Promise<string | null>,
): Promise<{ runs: BatchExportRun[]; inputTypes: Map<string, string> }> {
  const rows = await prisma.run.findMany({
    where: { batchId, ...(actor.userId === null ? {} : { userId: actor.userId }) },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    take: EXPORT_LIMIT,
    select: {
      id: true,
      status: true,
      inputs: true,
      overrides: true,
      outputs: true,
      errorMessage: true,
      worker: true,
      timings: true,
    },
  });
  const runs: BatchExportRun[] = [];
  for (const row of rows) {
    const timings = parse<{ totalMs?: number } | null>(row.timings, null);
    const outputs = parse<RunOutput[]>(row.outputs, []);
    runs.push({
      id: row.id,
      status: row.status,
      inputs: parse<Record<string, string>>(row.inputs, {}),
      overrides: parse<Record<string, Record<string, unknown>>>(row.overrides, {}),
      outputs,
      leffaLoss: await runLeffaLoss(outputs, readText),
      error: row.errorMessage,
      worker: row.worker,
      seconds: typeof timings?.totalMs === "number" ? Math.round(timings.totalMs) / 1000 : null,
    });
  }
  // Uploaded inputs are keyed uploads/<asset id>; the Asset table knows their type.
  const ids = new Set<string>();
  for (const run of runs) {
    for (const key of Object.values(run.inputs)) {
      if (key.startsWith("uploads/")) ids.add(key.slice("uploads/".length));
    }
  }
  const assets = await prisma.asset.findMany({
    where: { id: { in: [...ids] } },
    select: { id: true, mime: true },
  });
  return { runs, inputTypes: new Map(assets.map((a) => [`uploads/${a.id}`, a.mime])) };
}
