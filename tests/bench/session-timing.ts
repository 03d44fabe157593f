/**
 * One measurement of `npm run bench:sessions`, in a process of its own so that no WASM heap or
 * native arena left by an earlier graph weighs on the next: create a session for a model on disk
 * with one backend and graph optimisation level, optionally run it (first run, then a second one:
 * the step time), release it. The runtime is warmed up first with a one-op model, so the figure is
 * the session's own creation, not onnxruntime's start-up.
 *
 * `tsx tests/bench/session-timing.ts '<SessionTimingJob as JSON>'` prints one JSON line, a
 * SessionTiming.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { selfTestModel, SELF_TEST_INPUT } from "../../models/onnx/self-test";
import type { OrtModule } from "../../workers/models/session-pool";
import { feedData, type FeedSpec } from "./synthetic-leffa";

export const OPTIMIZATION_LEVELS = ["disabled", "basic", "extended", "all"] as const;
export type OptimizationLevel = (typeof OPTIMIZATION_LEVELS)[number];

const feedSpec = z.object({
  type: z.enum(["float16", "float32"]),
  dims: z.array(z.number().int().positive()).readonly(),
});

export const sessionTimingJob = z.object({
  onnxPath: z.string(),
  dataPath: z.string().optional(),
  /** "node": onnxruntime-node's CPU provider (reads the files itself); "wasm": onnxruntime-web. */
  backend: z.enum(["node", "wasm"]),
  level: z.enum(OPTIMIZATION_LEVELS),
  /** WASM threads (onnxruntime-node uses every core). */
  threads: z.number().int().positive().default(1),
  /** Feeds of one run; no run when absent. */
  feeds: z.record(z.string(), feedSpec).optional(),
  /** Outputs to fetch (e.g. only noise_pred); all when absent. */
  outputs: z.array(z.string()).optional(),
});
export type SessionTimingJob = z.input<typeof sessionTimingJob>;

export interface SessionTiming {
  readonly createMs: number;
  readonly firstRunMs?: number;
  readonly secondRunMs?: number;
  /** The process's resident-memory high-water mark (MB). */
  readonly maxRssMB: number;
}

async function loadOrt(backend: "node" | "wasm", threads: number): Promise<OrtModule> {
  if (backend === "node") return (await import("onnxruntime-node")) as unknown as OrtModule;
  const web = await import("onnxruntime-web");
  web.env.wasm.numThreads = threads;
  return web;
}

export async function timeSession(input: SessionTimingJob): Promise<SessionTiming> {
  const job = sessionTimingJob.parse(input);
  const ort = await loadOrt(job.backend, job.threads);
  const executionProviders = [job.backend === "node" ? "cpu" : "wasm"];
  // Warm-up: the runtime's own start (WASM instantiation, thread pool) is not the model's cost.
  const warm = await ort.InferenceSession.create(selfTestModel(), { executionProviders });
  await warm.run({ x: new ort.Tensor("float32", SELF_TEST_INPUT, [SELF_TEST_INPUT.length]) });
  await warm.release();

  const options = { executionProviders, graphOptimizationLevel: job.level } as const;
  // WASM is handed bytes (the browser cache's part, read before the clock starts); onnxruntime-node
  // reads the files itself, as the headless runtime lets it.
  const bytes =
    job.backend === "wasm"
      ? {
          model: new Uint8Array(await readFile(job.onnxPath)),
          externalData: job.dataPath
            ? [
                {
                  path: path.basename(job.dataPath),
                  data: new Uint8Array(await readFile(job.dataPath)),
                },
              ]
            : [],
        }
      : undefined;
  let started = performance.now();
  const session = bytes
    ? await ort.InferenceSession.create(bytes.model, {
        ...options,
        externalData: bytes.externalData,
      })
    : await ort.InferenceSession.create(job.onnxPath, options);
  const createMs = performance.now() - started;
  const result: { createMs: number; firstRunMs?: number; secondRunMs?: number } = { createMs };
  if (job.feeds) {
    const feeds = Object.fromEntries(
      Object.entries(job.feeds).map(([name, spec]: [string, FeedSpec]) => [
        name,
        new ort.Tensor(spec.type, feedData(name, spec) as never, [...spec.dims]),
      ]),
    );
    const outputs = job.outputs ?? [...session.outputNames];
    started = performance.now();
    await session.run(feeds, outputs);
    result.firstRunMs = performance.now() - started;
    started = performance.now();
    await session.run(feeds, outputs);
    result.secondRunMs = performance.now() - started;
  }
  await session.release();
  return { ...result, maxRssMB: process.resourceUsage().maxRSS / 1024 };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const timing = await timeSession(JSON.parse(process.argv[2] ?? "{}"));
  console.log(JSON.stringify(timing));
  process.exit(0);
}
