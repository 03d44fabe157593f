import type { RuntimeHost } from "../runtime/execute";
import { createNodeHost } from "../node-host";
import { startBullWorker } from "./bull-worker";
import { queueConfig } from "./config";
import type { AssetStore, RunRecords } from "./contract";
import { describeError } from "./errors";
import { RunExecutor } from "./execute-run";
import { workerName } from "./worker-name";

/**
 * A worker process (`npm run worker`): takes runs from BullMQ on REDIS_URL and executes them on
 * this machine's headless runtime until SIGTERM or SIGINT, which lets the runs under way finish
 * (or hands them back after WORKER_SHUTDOWN_GRACE_MS) before it exits.
 */
export async function runWorkerProcess(
  backends: { records: RunRecords; assets: AssetStore },
  env: Readonly<Record<string, string | undefined>> = process.env,
  host?: RuntimeHost,
): Promise<void> {
  const config = queueConfig(env);
  if (!config.redisUrl) {
    throw new Error(
      "REDIS_URL is not set: workers take runs from Redis (without it the studio runs them itself)",
    );
  }
  // Status lines go to stdout, where a process manager's log expects them.
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const name = workerName();
  const executor = new RunExecutor({
    ...backends,
    host: host ?? createNodeHost({ runtime: config.runtime }),
    worker: name,
    progressIntervalMs: config.progressIntervalMs,
  });
  const worker = await startBullWorker({
    redisUrl: config.redisUrl,
    records: backends.records,
    executor,
    concurrency: config.concurrency,
    retry: config.retry,
    lockMs: config.lockMs,
    shutdownGraceMs: config.shutdownGraceMs,
  });
  const redis = new URL(config.redisUrl);
  log(
    `worker ${name}: ${config.concurrency} at a time from redis://${redis.host}, models on ${config.runtime}, assets in ${backends.assets.description}`,
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`worker ${name}: ${signal}, finishing the runs under way`);
    worker.close().then(
      () => {
        log(`worker ${name}: stopped`);
        process.exit(0);
      },
      (err: unknown) => {
        console.error(`worker ${name}: ${describeError(err)}`);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}
