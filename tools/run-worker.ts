/**
 * `npm run worker`: a run worker for a deployment with REDIS_URL set. It takes runs from BullMQ
 * and executes them on this machine's headless runtime (onnxruntime-node, models from
 * MODELS_DIR), reading and writing the Run table (DATABASE_URL) and the asset store (ASSETS_DIR
 * or S3_*) that the studio's web process uses. WORKER_CONCURRENCY runs at once (default 1: one
 * per GPU). SIGTERM finishes the runs under way, or hands them back after
 * WORKER_SHUTDOWN_GRACE_MS. docs/deploy.md lists every variable.
 */
import { runBackends } from "../app/_server/runs/queue-provider";
import { runWorkerProcess } from "../workers/queue/worker-process";

const { records, assets } = runBackends();
runWorkerProcess({ records, assets }).catch((err: unknown) => {
  console.error(`worker: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
