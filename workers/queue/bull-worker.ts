import { QueueEvents, WaitingError, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import type { RunRecords } from "./contract";
import { describeError } from "./errors";
import type { RunExecutor } from "./execute-run";
import {
  CANCEL_CHANNEL,
  redisConnection,
  RUN_QUEUE_NAME,
  runJobSchema,
  type RunJob,
} from "./bull-queue";
import { DEFAULT_RETRY, gaveUpMessage, type RetryPolicy } from "./retry";

export interface BullWorkerOptions {
  readonly redisUrl: string;
  readonly records: RunRecords;
  readonly executor: RunExecutor;
  /** Runs at once in this process (WORKER_CONCURRENCY; one per GPU). */
  readonly concurrency?: number;
  readonly retry?: RetryPolicy;
  /**
   * How long a job's lock lasts without renewal: a worker that dies (SIGKILL, power) has its job
   * taken over by another once this has passed (BullMQ's stalled-job check runs as often).
   */
  readonly lockMs?: number;
  /** How long close() lets running jobs finish before handing them back (default 30 s). */
  readonly shutdownGraceMs?: number;
}

export interface RunningWorker {
  readonly worker: Worker<RunJob>;
  /** Finish or hand back the jobs under way, then disconnect. */
  close(): Promise<void>;
}

/**
 * A BullMQ worker executing runs. A run's job is retried (with the queue's exponential backoff)
 * only for infrastructure errors; a node's error finishes the run and the job succeeds. A job
 * whose worker died is taken over once its lock expires; a cancel announced on CANCEL_CHANNEL
 * aborts the run here within one sampler step.
 */
export async function startBullWorker(options: BullWorkerOptions): Promise<RunningWorker> {
  const { records, executor } = options;
  const retry = options.retry ?? DEFAULT_RETRY;
  const running = new Map<string, AbortController>();
  let closing = false;

  const subscriber: Redis = redisConnection(options.redisUrl);
  subscriber.on("message", (channel: string, runId: string) => {
    if (channel === CANCEL_CHANNEL) running.get(runId)?.abort("cancelled");
  });
  await subscriber.subscribe(CANCEL_CHANNEL);

  const processJob = async (job: Job<RunJob>, token?: string): Promise<string> => {
    const { runId } = runJobSchema.parse(job.data);
    if (job.attemptsStarted > 1) {
      // Started before: the last try failed or its worker died, leaving the row running.
      await records.requeue(runId, `retry ${job.attemptsStarted} of ${retry.attempts}`);
    }
    const abort = new AbortController();
    running.set(runId, abort);
    try {
      const result = await executor.execute(runId, abort.signal);
      return result.status;
    } catch (err) {
      const message = describeError(err);
      if (closing && token) {
        // Handed back whole: to the waiting list, without spending one of its tries.
        await records.requeue(runId, "the worker shut down");
        await job.moveToWait(token);
        throw new WaitingError();
      }
      if (job.attemptsMade + 1 >= retry.attempts) {
        await records.finish(runId, {
          status: "error",
          outputs: [],
          error: { message: gaveUpMessage(retry, message) },
          timings: { totalMs: 0, nodes: {} },
        });
        return "error";
      }
      await records.requeue(runId, message);
      throw err;
    } finally {
      running.delete(runId);
    }
  };

  const lockMs = options.lockMs ?? 30_000;
  const worker = new Worker<RunJob>(RUN_QUEUE_NAME, processJob, {
    connection: redisConnection(options.redisUrl),
    concurrency: options.concurrency ?? 1,
    lockDuration: lockMs,
    stalledInterval: lockMs,
    // A job whose workers die this often is failed (and its run ended, below) rather than
    // handed on forever.
    maxStalledCount: 3,
  });
  worker.on("error", (err) => console.error(`run worker: ${describeError(err)}`));

  // A job failed by BullMQ itself (stalled too often) never reached the catch above: its run
  // would stay "running" for good, so it is ended here.
  const events = new QueueEvents(RUN_QUEUE_NAME, { connection: redisConnection(options.redisUrl) });
  events.on("failed", ({ jobId, failedReason }) => {
    void (async () => {
      const spec = await records.load(jobId);
      if (spec?.status !== "running" && spec?.status !== "queued") return;
      if (/stalled/i.test(failedReason)) {
        await records.finish(jobId, {
          status: "error",
          outputs: [],
          error: { message: `its workers stopped while running it: ${failedReason}` },
          timings: { totalMs: 0, nodes: {} },
        });
      }
    })().catch((err: unknown) => console.error(`run ${jobId}: ${describeError(err)}`));
  });

  return {
    worker,
    async close() {
      closing = true;
      const grace = setTimeout(() => {
        for (const abort of running.values()) abort.abort("shutdown");
      }, options.shutdownGraceMs ?? 30_000);
      await worker.close();
      clearTimeout(grace);
      await events.close();
      subscriber.disconnect();
    },
  };
}
