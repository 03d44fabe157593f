import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { z } from "zod";
import type { RunFinish, RunQueue, RunRecords } from "./contract";
import { DEFAULT_RETRY, type RetryPolicy } from "./retry";

/** The BullMQ queue every studio server and worker shares. */
export const RUN_QUEUE_NAME = "leffa-runs";
/** Redis pub/sub channel a cancel is announced on, so the worker running it stops at once. */
export const CANCEL_CHANNEL = "leffa-runs:cancel";

export const runJobSchema = z.strictObject({ runId: z.string().min(1).max(200) });
export type RunJob = z.infer<typeof runJobSchema>;

/**
 * A Redis connection as BullMQ wants it: commands wait through a Redis restart, never fail. A
 * lost connection is said once (not at every reconnect attempt) and again once it is back.
 */
export function redisConnection(url: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  let down = false;
  redis.on("error", (err: Error) => {
    if (down) return;
    down = true;
    console.warn(`redis ${redis.options.host}:${redis.options.port}: ${err.message}; reconnecting`);
  });
  redis.on("ready", () => {
    if (down) console.warn(`redis ${redis.options.host}:${redis.options.port}: connected again`);
    down = false;
  });
  return redis;
}

const CANCELLED: RunFinish = {
  status: "cancelled",
  outputs: [],
  timings: { totalMs: 0, nodes: {} },
};

/**
 * The API's side of the BullMQ queue: one job per run with the run id as job id, so a run
 * enqueued twice is one job. Retries (infrastructure errors only) and their backoff are set on
 * the job; the worker decides what counts as one (bull-worker.ts).
 */
export class BullRunQueue implements RunQueue {
  readonly queue: Queue<RunJob>;
  private readonly publisher: Redis;

  constructor(
    redisUrl: string,
    private readonly records: RunRecords,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {
    this.queue = new Queue<RunJob>(RUN_QUEUE_NAME, { connection: redisConnection(redisUrl) });
    this.publisher = redisConnection(redisUrl);
  }

  async enqueue(runId: string): Promise<void> {
    await this.queue.add("run", runJobSchema.parse({ runId }), {
      jobId: runId,
      attempts: this.retry.attempts,
      backoff: { type: "exponential", delay: this.retry.backoffMs },
      // Finished jobs are kept a while so a late duplicate enqueue stays a no-op; the Run row
      // is the record that lasts.
      removeOnComplete: { age: 24 * 3600 },
      removeOnFail: { age: 7 * 24 * 3600 },
    });
  }

  async cancel(runId: string): Promise<void> {
    const job = await this.queue.getJob(runId);
    const state = job ? await job.getState() : "unknown";
    if (job && (state === "waiting" || state === "delayed" || state === "prioritized")) {
      // A worker may take it meanwhile: then removal fails and the announcement below stops it.
      await job.remove().catch(() => {});
    }
    await this.publisher.publish(CANCEL_CHANNEL, runId);
    const spec = await this.records.load(runId);
    if (spec?.status === "queued" && !(await this.queue.getJob(runId))) {
      await this.records.finish(runId, CANCELLED);
    }
  }

  async position(runId: string): Promise<number | null> {
    const job = await this.queue.getJob(runId);
    if (!job || (await job.getState()) !== "waiting") return null;
    const waiting = await this.queue.getJobs(["waiting"], 0, -1, true);
    const at = waiting.findIndex((j) => j.id === runId);
    return at < 0 ? null : at + 1;
  }

  async close(): Promise<void> {
    await this.queue.close();
    this.publisher.disconnect();
  }
}
