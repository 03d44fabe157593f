import type { RunQueue } from "@/workers/queue/contract";
import type { RunBackends } from "@/workers/queue";
import { getPrisma } from "../db";
import { getAssetStore } from "./asset-store";
import { PrismaRunRecords } from "./run-records";

/**
 * The one place the API gets its run queue from. Execution lives in workers/queue/ (the embedded
 * queue in this process by default, BullMQ on Redis with REDIS_URL): this module hands it the data
 * side (the Run table over Prisma, the asset store) and the API codes only against RunQueue
 * (workers/queue/contract.ts). Tests swap the queue with `setRunQueueFactory`.
 */

export type RunQueueFactory = (backends: RunBackends) => Promise<RunQueue>;

const cache = globalThis as typeof globalThis & {
  __leffaRunQueueOverride?: { factory: RunQueueFactory; made?: Promise<RunQueue> };
};

/** The Run table over Prisma and the configured asset store: what a queue runs against. */
export function runBackends(): RunBackends {
  const records = new PrismaRunRecords(getPrisma());
  return { records, backlog: records, assets: getAssetStore() };
}

/** Replaces the queue for this process (tests); undefined restores the real one. */
export function setRunQueueFactory(factory: RunQueueFactory | undefined): void {
  cache.__leffaRunQueueOverride = factory ? { factory } : undefined;
}

/** The process-wide queue, made on first use (workers/queue keeps one per process). */
export async function getRunQueue(): Promise<RunQueue> {
  const override = cache.__leffaRunQueueOverride;
  if (override) {
    override.made ??= override.factory(runBackends());
    return override.made;
  }
  // Loaded on first use: route modules that never queue do not start BullMQ or the runtime.
  const queue = await import("@/workers/queue");
  return queue.getRunQueue(runBackends());
}
