import type { AssetStore, RunBacklog, RunQueue, RunRecords } from "@/workers/queue/contract";
import { getPrisma, type PrismaClient } from "../db";
import { getAssetStore } from "./asset-store";
import { PrismaRunRecords } from "./run-records";

/**
 * The one place the API gets its run queue from. Execution (the embedded queue, BullMQ on Redis)
 * lives in workers/queue/ and is plugged in here through `setRunQueueFactory`; the API codes only
 * against RunQueue (workers/queue/contract.ts).
 *
 * Until a factory is set, `TableOnlyQueue` stands in: it executes nothing, leaving each run queued
 * in the Run table, which is exactly what the embedded queue reads when it starts (RunBacklog),
 * so no run created meanwhile is lost. Its positions come from the table too.
 */

export interface RunQueueDeps {
  readonly records: RunRecords;
  readonly backlog: RunBacklog;
  readonly assets: AssetStore;
}

export type RunQueueFactory = (deps: RunQueueDeps) => Promise<RunQueue>;

const cache = globalThis as typeof globalThis & {
  __leffaRunQueue?: Promise<RunQueue>;
  __leffaRunQueueFactory?: RunQueueFactory;
};

/** Sets how the queue is made (workers/queue wires its own; tests pass a recording one). */
export function setRunQueueFactory(factory: RunQueueFactory | undefined): void {
  cache.__leffaRunQueueFactory = factory;
  cache.__leffaRunQueue = undefined;
}

/** The process-wide queue, made on first use. */
export function getRunQueue(): Promise<RunQueue> {
  if (!cache.__leffaRunQueue) {
    const prisma = getPrisma();
    const records = new PrismaRunRecords(prisma);
    const deps: RunQueueDeps = { records, backlog: records, assets: getAssetStore() };
    const factory = cache.__leffaRunQueueFactory ?? (async () => new TableOnlyQueue(prisma));
    const made = factory(deps);
    // A failed start is not cached: the next request tries again (Redis may be back).
    made.catch(() => {
      if (cache.__leffaRunQueue === made) cache.__leffaRunQueue = undefined;
    });
    cache.__leffaRunQueue = made;
  }
  return cache.__leffaRunQueue;
}

/** Closes the queue, if one was made (tests, shutdown). */
export async function closeRunQueue(): Promise<void> {
  const made = cache.__leffaRunQueue;
  cache.__leffaRunQueue = undefined;
  if (made) await (await made).close();
}

/** Runs wait in the Run table; nothing here executes them (see the module comment). */
export class TableOnlyQueue implements RunQueue {
  constructor(private readonly prisma: PrismaClient) {}

  async enqueue(): Promise<void> {}

  async cancel(runId: string): Promise<void> {
    await this.prisma.run.updateMany({
      where: { id: runId, status: "queued" },
      data: { status: "cancelled", finishedAt: new Date() },
    });
  }

  async position(runId: string): Promise<number | null> {
    const run = await this.prisma.run.findUnique({
      where: { id: runId },
      select: { status: true, createdAt: true, id: true },
    });
    if (!run || run.status !== "queued") return null;
    const ahead = await this.prisma.run.count({
      where: {
        status: "queued",
        OR: [
          { createdAt: { lt: run.createdAt } },
          { createdAt: run.createdAt, id: { lt: run.id } },
        ],
      },
    });
    return ahead + 1;
  }

  async close(): Promise<void> {}
}
