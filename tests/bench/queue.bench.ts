/**
 * `npm run bench:queue`: the BullMQ run queue on a real Redis (tools/redis.sh) with real worker
 * processes (`npm run worker`'s code), on a trivial workflow: one node that waits WAIT_MS, as a
 * GPU-bound node keeps its worker busy without using the server's CPU.
 *  1. enqueue→start latency on an idle queue: runs enqueued one at a time, each once the last is done;
 *  2. throughput: RUNS runs enqueued at once, drained by 1 worker, then by 2 (same run, same machine),
 *     and the 2-worker/1-worker ratio (target ≥ 1.8×);
 *  3. the queue's overhead per run: on a busy worker, from the end of one run to the start of its
 *     next (target < 20 ms p50).
 *   RUNS=500 WAIT_MS=20 npm run bench:queue     (the defaults)
 */
import { execFileSync } from "node:child_process";
import { cpus } from "node:os";
import { BullRunQueue } from "../../workers/queue/bull-queue";
import { waitWorkflow } from "../../workers/queue/testing/workflows";
import {
  createLab,
  freshRedisDb,
  removeLab,
  startWorker,
  waitFor,
  type QueueLab,
  type WorkerProcess,
} from "../queue/harness";
import { gapsBetweenRuns, percentile, runSpans } from "./queue-stats";

const RUNS = Number(process.env.RUNS ?? 500);
const WAIT_MS = Number(process.env.WAIT_MS ?? 20);
const IDLE_SAMPLES = 100;

const ms = (v: number) => `${v.toFixed(1)} ms`;

async function drain(
  lab: QueueLab,
  queue: BullRunQueue,
  tag: string,
  count: number,
): Promise<{ seconds: number; ids: string[] }> {
  const doneBefore = lab.records.statusCounts().done ?? 0;
  // Each run's own tag, so no run is served from the worker's result cache.
  const ids = Array.from({ length: count }, (_, i) =>
    lab.records.create({ id: `${tag}-${i}`, document: waitWorkflow(WAIT_MS, 1, `${tag}-${i}`) }),
  );
  const t0 = performance.now();
  await queue.queue.addBulk(
    ids.map((runId) => ({
      name: "run",
      data: { runId },
      opts: { jobId: runId, removeOnComplete: true },
    })),
  );
  // One COUNT per poll: the bench's own CPU must not slow the workers it measures.
  const done = () => (lab.records.statusCounts().done ?? 0) >= doneBefore + count;
  await waitFor(done, 300_000, `${count} runs (${tag})`);
  return { seconds: (performance.now() - t0) / 1000, ids };
}

async function main(): Promise<void> {
  const redis = execFileSync("bash", ["tools/redis.sh"], { encoding: "utf8" })
    .trim()
    .split("\n")
    .pop()!;
  const redisUrl = await freshRedisDb(redis, 6);
  const lab = createLab("leffa-bench-queue-");
  const queue = new BullRunQueue(redisUrl, lab.records);
  const env = { REDIS_URL: redisUrl, WORKER_CONCURRENCY: "1" };
  const workers: WorkerProcess[] = [];
  try {
    console.log(
      `bench:queue — BullMQ on ${redis}, worker processes on ${cpus().length} cores; ${RUNS} runs of one ${WAIT_MS} ms wait node`,
    );
    workers.push(await startWorker(lab, env));

    // 1. Idle queue: the time from enqueue to the worker marking the run running.
    const latencies: number[] = [];
    const addMs: number[] = [];
    for (let i = 0; i < IDLE_SAMPLES; i++) {
      const id = lab.records.create({ id: `idle-${i}`, document: waitWorkflow(0, 1, `idle-${i}`) });
      const enqueuedAt = performance.timeOrigin + performance.now();
      await queue.enqueue(id);
      addMs.push(performance.timeOrigin + performance.now() - enqueuedAt);
      await waitFor(() => lab.records.get(id)!.status === "done", 10_000, `run ${id}`);
      const started = lab.records.events(id).find((e) => e.what === "running")!;
      latencies.push(started.at - enqueuedAt);
    }

    // 2. Throughput with one worker, then two.
    const one = await drain(lab, queue, "one", RUNS);
    workers.push(await startWorker(lab, env));
    const two = await drain(lab, queue, "two", RUNS);

    const rate1 = RUNS / one.seconds;
    const rate2 = RUNS / two.seconds;
    const events = lab.records.events();
    const gaps = (ids: string[]) => {
      const wanted = new Set(ids);
      return gapsBetweenRuns(runSpans(events.filter((e) => wanted.has(e.run_id))));
    };
    const gaps1 = gaps(one.ids);
    const gaps2 = gaps(two.ids);
    const spans = runSpans(events.filter((e) => e.run_id.startsWith("one-")));
    // Throughput while the workers drain (first start to last finish), leaving out enqueueing.
    const drainRate = (tag: string) => {
      const s = [...runSpans(events.filter((e) => e.run_id.startsWith(`${tag}-`))).values()];
      const first = Math.min(...s.map((x) => x.start));
      const last = Math.max(...s.map((x) => x.end));
      return s.length / ((last - first) / 1000);
    };
    const drain1 = drainRate("one");
    const drain2 = drainRate("two");
    const execMs = [...spans.values()].map((s) => s.end - s.start);

    console.log("");
    console.log(
      `enqueue→start, idle queue (${IDLE_SAMPLES} runs): p50 ${ms(percentile(latencies, 50))}, p95 ${ms(percentile(latencies, 95))} (of which the enqueue call itself: p50 ${ms(percentile(addMs, 50))})`,
    );
    console.log(
      `1 worker:  ${RUNS} runs in ${one.seconds.toFixed(2)} s = ${rate1.toFixed(1)} runs/s`,
    );
    console.log(
      `2 workers: ${RUNS} runs in ${two.seconds.toFixed(2)} s = ${rate2.toFixed(1)} runs/s`,
    );
    console.log(`2-worker/1-worker: ${(rate2 / rate1).toFixed(2)}× (target ≥ 1.8×)`);
    console.log(
      `while draining (first start → last finish): 1 worker ${drain1.toFixed(1)} runs/s, 2 workers ${drain2.toFixed(1)} runs/s, ${(drain2 / drain1).toFixed(2)}×`,
    );
    console.log(
      `a run's own time on a worker (load, mark running, ${WAIT_MS} ms node, outputs, finish): p50 ${ms(percentile(execMs, 50))}`,
    );
    console.log(
      `queue overhead per run (end of one run → start of the worker's next), 1 worker: p50 ${ms(percentile(gaps1, 50))}, p95 ${ms(percentile(gaps1, 95))}; 2 workers: p50 ${ms(percentile(gaps2, 50))}, p95 ${ms(percentile(gaps2, 95))} (target < 20 ms p50)`,
    );
    const pass = rate2 / rate1 >= 1.8 && percentile(gaps1, 50) < 20;
    console.log(pass ? "targets met" : "targets NOT met");
  } finally {
    for (const w of workers) w.child.kill("SIGTERM");
    await Promise.all(workers.map((w) => w.exited));
    await queue.close();
    removeLab(lab);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
