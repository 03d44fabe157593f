import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodeCodec } from "../../workers/codec/node-codec";
import { createImage } from "../../nodes/core/image";
import type { WorkflowDocument } from "../../nodes/core/document";
import { BullRunQueue } from "../../workers/queue/bull-queue";
import { outputKey } from "../../workers/queue/output-keys";
import {
  tryOnWorkflow,
  upscaleWorkflow,
  waitWorkflow,
} from "../../workers/queue/testing/workflows";
import { installTinyModels, LEFFA_HD_IDS } from "../helpers/model-store";
import {
  createLab,
  freshRedisDb,
  inputPng,
  redisPid,
  removeLab,
  startWorker,
  storedKeys,
  waitFor,
  type QueueLab,
  type WorkerProcess,
} from "./harness";

/**
 * The queue's fault tests on a real Redis (tools/redis.sh: Debian's redis-server, AOF fsynced on
 * every write) with real worker processes (`npm run worker`'s code on tiny models). tests/run-all.sh
 * starts Redis and runs this file with TEST_REDIS_URL; a failure to start Redis is counted there.
 */
const REDIS = process.env.TEST_REDIS_URL;
if (!REDIS) {
  console.warn(
    "queue fault tests skipped: TEST_REDIS_URL is not set (tests/run-all.sh starts Redis with tools/redis.sh and runs them)",
  );
}

const run = promisify(execFile);

describe.skipIf(!REDIS)("run queue on Redis: faults", { timeout: 240_000 }, () => {
  let lab: QueueLab;
  let redisUrl: string;
  let queue: BullRunQueue;
  let env: Record<string, string>;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    lab = createLab("leffa-queue-faults-");
    const store = `${lab.dir}/models`;
    installTinyModels(store, ["realesrgan-x4fast", ...LEFFA_HD_IDS]);
    redisUrl = await freshRedisDb(REDIS!, 5);
    queue = new BullRunQueue(redisUrl, lab.records, { attempts: 3, backoffMs: 200 });
    env = {
      REDIS_URL: redisUrl,
      MODELS_DIR: store,
      // A dead worker's job is taken over after 3 s (30 s in production).
      WORKER_LOCK_MS: "3000",
      RUN_BACKOFF_MS: "200",
      RUN_PROGRESS_MS: "0",
    };
  });

  afterAll(async () => {
    for (const w of workers) w.child.kill("SIGKILL");
    await Promise.all(workers.map((w) => w.exited));
    await queue?.close();
    if (lab) removeLab(lab);
  });

  const spawnWorker = async (extra: Record<string, string> = {}) => {
    const w = await startWorker(lab, { ...env, ...extra });
    workers.push(w);
    return w;
  };
  const finishes = (runId: string) =>
    lab.records.events(runId).filter((e) => e.what.startsWith("finished"));

  it("200 runs on tiny models through two workers, one SIGKILLed mid-job and Redis restarted mid-batch: each done once, each output once", async () => {
    const slowDoc = (): WorkflowDocument => {
      const doc = upscaleWorkflow();
      const wait = waitWorkflow(2_000, 20).nodes[0];
      return { ...doc, nodes: [...doc.nodes, wait] };
    };
    const ids: string[] = [];
    for (let i = 0; i < 200; i++) {
      await lab.assets.put(`uploads/${i}.png`, await inputPng(i), "image/png");
      // Every 40th run also waits 2 s, so a worker can be caught in the middle of one.
      const id = `batch-${String(i).padStart(3, "0")}`;
      lab.records.create({
        id,
        document: i % 40 === 5 ? slowDoc() : upscaleWorkflow(),
        inputs: { photo: `uploads/${i}.png` },
      });
      ids.push(id);
    }
    const [a, b] = await Promise.all([spawnWorker(), spawnWorker()]);
    for (const id of ids.slice(0, 150)) await queue.enqueue(id);

    // SIGKILL worker A while it runs a slow run.
    let killed = "";
    await waitFor(
      () => {
        const slow = ids.filter((_, i) => i % 40 === 5).map((id) => lab.records.get(id)!);
        const caught = slow.find((r) => r.status === "running" && r.worker?.endsWith(`:${a.pid}`));
        if (caught) killed = caught.id;
        return caught !== undefined;
      },
      60_000,
      "worker A to run a slow run",
    );
    await new Promise((r) => setTimeout(r, 300)); // well inside its 2 s
    a.child.kill("SIGKILL");
    expect(await a.exited).toBe("SIGKILL");
    expect(lab.records.get(killed)!.status).toBe("running");

    // Restart Redis (SIGKILL, then start it on the same data) once 100 runs are done.
    await waitFor(() => (lab.records.statusCounts().done ?? 0) >= 100, 60_000, "100 runs done");
    const port = Number(new URL(redisUrl).port);
    process.kill(redisPid(port), "SIGKILL");
    await new Promise((r) => setTimeout(r, 500));
    await run("bash", ["tools/redis.sh"], {
      env: { ...process.env, LEFFA_REDIS_PORT: String(port) },
    });
    for (const id of ids.slice(150)) await queue.enqueue(id);

    await waitFor(
      () => (lab.records.statusCounts().done ?? 0) === 200,
      180_000,
      "all 200 runs done",
    );
    expect(lab.records.statusCounts()).toEqual({ done: 200 });

    // Each run finished exactly once, with its outputs under its own keys.
    const expected = new Set<string>();
    for (const id of ids) {
      expect(finishes(id)).toHaveLength(1);
      const outputs = lab.records.get(id)!.result!.outputs;
      expect(outputs.map((o) => o.key)).toContain(outputKey(id, "save", "upscaled.png"));
      for (const o of outputs) {
        expect(expected.has(o.key)).toBe(false);
        expected.add(o.key);
      }
    }
    // On disk: exactly those outputs (and the 200 inputs), nothing duplicated or half-written.
    const onDisk = storedKeys(lab).filter((k) => k.startsWith("runs/"));
    expect(onDisk).toEqual([...expected].sort());
    expect(storedKeys(lab).some((k) => k.endsWith(".tmp"))).toBe(false);

    // The killed worker's run was taken over by B and finished there, once.
    const history = lab.records
      .events(killed)
      .map((e) => e.what + (e.worker ? ` ${e.worker.split(":")[1]}` : ""));
    expect(history).toEqual([
      "created",
      `running ${a.pid}`,
      expect.stringMatching(/^requeued: retry 2 of 3/),
      `running ${b.pid}`,
      "finished done",
    ]);
    b.child.kill("SIGTERM");
    expect(await b.exited).toBe(0);
  });

  it("a cancel reaches a running sampler within one step", async () => {
    const w = await spawnWorker();
    const pixels = createImage(48, 64);
    pixels.data.fill(140);
    const png = await nodeCodec.encodePng(pixels);
    for (const name of ["person", "garment", "densepose"]) {
      await lab.assets.put(`uploads/${name}.png`, png, "image/png");
    }
    const id = lab.records.create({
      id: "cancel-sampler",
      document: tryOnWorkflow(60),
      inputs: {
        person: "uploads/person.png",
        garment: "uploads/garment.png",
        densepose: "uploads/densepose.png",
      },
    });
    await queue.enqueue(id);
    const step = () => {
      const m = /^step (\d+) of 60/.exec(lab.records.get(id)!.nodes.leffa?.message ?? "");
      return m ? Number(m[1]) : 0;
    };
    await waitFor(() => step() >= 3, 60_000, "the sampler's third step");
    const atCancel = step();
    const stepAt = lab.records.events(id).find((e) => e.what === "running")!.at;
    const cancelledAt = performance.timeOrigin + performance.now();
    await queue.cancel(id);
    await waitFor(() => lab.records.get(id)!.status !== "running", 10_000, "the run to stop");
    expect(lab.records.get(id)!.status).toBe("cancelled");
    const stoppedAt = lab.records.events(id).find((e) => e.what === "finished cancelled")!.at;
    console.log(
      `cancel at sampler step ${atCancel} of 60 (${((cancelledAt - stepAt) / 1000).toFixed(1)} s into the run): stopped after step ${step()}, ${(stoppedAt - cancelledAt).toFixed(0)} ms after the cancel`,
    );
    // The step under way when the cancel came may finish; no step after it starts.
    expect(lab.records.get(id)!.nodes.leffa?.status).toBe("cancelled");
    expect(step()).toBeGreaterThanOrEqual(atCancel);
    expect(step() - atCancel).toBeLessThanOrEqual(1);
    w.child.kill("SIGTERM");
    expect(await w.exited).toBe(0);
  });

  it("SIGTERM lets the run under way finish; past the grace period the run is handed back whole", async () => {
    const finishing = await spawnWorker({ WORKER_SHUTDOWN_GRACE_MS: "20000" });
    const first = lab.records.create({ id: "graceful", document: waitWorkflow(1_500, 15) });
    await queue.enqueue(first);
    await waitFor(() => lab.records.get(first)!.status === "running", 30_000, "the run to start");
    finishing.child.kill("SIGTERM");
    expect(await finishing.exited).toBe(0);
    expect(lab.records.get(first)!.status).toBe("done");

    const impatient = await spawnWorker({ WORKER_SHUTDOWN_GRACE_MS: "200" });
    const second = lab.records.create({ id: "handed-back", document: waitWorkflow(3_000, 30) });
    await queue.enqueue(second);
    await waitFor(() => lab.records.get(second)!.status === "running", 30_000, "the run to start");
    impatient.child.kill("SIGTERM");
    expect(await impatient.exited).toBe(0);
    expect(lab.records.get(second)!.status).toBe("queued");
    const job = await queue.queue.getJob(second);
    expect(await job!.getState()).toBe("waiting");
    const next = await spawnWorker();
    await waitFor(() => lab.records.get(second)!.status === "done", 30_000, "the other worker");
    expect(finishes(second)).toHaveLength(1);
    next.child.kill("SIGTERM");
    await next.exited;
  });
});
