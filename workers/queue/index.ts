/**
 * Server runs' execution, for the API (app/_server/runs/) and `npm run worker`:
 * getRunQueue() is the queue a created run is handed to — embedded in this process by default,
 * BullMQ on Redis when REDIS_URL is set (then `npm run worker` processes execute the runs).
 */
import { createNodeHost } from "../node-host";
import { BullRunQueue } from "./bull-queue";
import { queueConfig } from "./config";
import type { AssetStore, RunBacklog, RunQueue, RunRecords } from "./contract";
import { EmbeddedRunQueue } from "./embedded-queue";
import { RunExecutor } from "./execute-run";
import { workerName } from "./worker-name";

export type { RunQueue } from "./contract";

/** What a queue needs from the data side: the Run table and the asset store. */
export interface RunBackends {
  readonly records: RunRecords;
  readonly backlog: RunBacklog;
  readonly assets: AssetStore;
}

/** An executor with this machine's headless runtime (onnxruntime-node by default). */
export function createRunExecutor(
  backends: Pick<RunBackends, "records" | "assets">,
  env: Readonly<Record<string, string | undefined>> = process.env,
): RunExecutor {
  const config = queueConfig(env);
  return new RunExecutor({
    records: backends.records,
    assets: backends.assets,
    host: createNodeHost({ runtime: config.runtime }),
    worker: workerName(),
    progressIntervalMs: config.progressIntervalMs,
  });
}

/** Builds the queue `env` asks for; the embedded one takes up what the database holds queued. */
export async function createRunQueue(
  backends: RunBackends,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<RunQueue> {
  const config = queueConfig(env);
  if (config.redisUrl) return new BullRunQueue(config.redisUrl, backends.records, config.retry);
  return EmbeddedRunQueue.start({
    records: backends.records,
    backlog: backends.backlog,
    executor: createRunExecutor(backends, env),
    retry: config.retry,
    shutdownGraceMs: config.shutdownGraceMs,
  });
}

// One queue per server process, kept on globalThis so Next's dev reloads do not start a second
// embedded queue beside the first.
const holder = globalThis as { __leffaRunQueue?: Promise<RunQueue> };

/** The process's run queue, created on first use from `backends` and the environment. */
export function getRunQueue(backends: RunBackends): Promise<RunQueue> {
  holder.__leffaRunQueue ??= createRunQueue(backends).catch((err: unknown) => {
    holder.__leffaRunQueue = undefined;
    throw err;
  });
  return holder.__leffaRunQueue;
}

/** Closes the process's queue (tests, shutdown); the next getRunQueue builds a fresh one. */
export async function closeRunQueue(): Promise<void> {
  const queue = holder.__leffaRunQueue;
  holder.__leffaRunQueue = undefined;
  if (queue) await (await queue).close();
}
