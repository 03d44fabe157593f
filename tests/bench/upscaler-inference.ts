/**
 * Real-ESRGAN x4fast on one 256×256 tile: onnxruntime-web's WASM backend (the browser's fallback,
 * here under Node) against onnxruntime-node's native CPU backend on the same file and input.
 * WASM's thread count is fixed when its runtime starts, so each WASM figure comes from a child
 * process: `tsx tests/bench/upscaler-inference.ts wasm <threads>` prints one JSON line.
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { modelDir } from "../../models/store";

export const TILE = 256;
const WARMUP = 1;
const RUNS = 3;

export interface InferenceFigure {
  readonly runtime: string;
  readonly threads: number;
  /** Median milliseconds per 256×256 tile after warm-up. */
  readonly ms: number;
}

async function modelBytes(): Promise<Uint8Array> {
  const file = path.join(modelDir("realesrgan-x4fast"), "model.onnx");
  try {
    return new Uint8Array(await readFile(file));
  } catch {
    throw new Error(`${file} is missing: run npm run setup (it installs the Real-ESRGAN models)`);
  }
}

function tileInput(): Float32Array {
  // A smooth pattern with detail; content does not change a CNN's cost.
  const data = new Float32Array(3 * TILE * TILE);
  for (let i = 0; i < data.length; i++) data[i] = 0.5 + 0.4 * Math.sin(i * 0.013);
  return data;
}

interface SessionLike {
  run(feeds: Record<string, unknown>): Promise<unknown>;
}

async function time(session: SessionLike, makeFeeds: () => Record<string, unknown>) {
  for (let i = 0; i < WARMUP; i++) await session.run(makeFeeds());
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await session.run(makeFeeds());
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

export async function measureWasm(threads: number): Promise<InferenceFigure> {
  const ort = await import("onnxruntime-web");
  ort.env.wasm.numThreads = threads;
  const session = await ort.InferenceSession.create(await modelBytes(), {
    executionProviders: ["wasm"],
    graphOptimizationLevel: "all",
  });
  const input = tileInput();
  const ms = await time(session, () => ({
    input: new ort.Tensor("float32", input, [1, 3, TILE, TILE]),
  }));
  await session.release();
  return { runtime: "onnxruntime-web WASM", threads, ms };
}

export async function measureNative(threads: number): Promise<InferenceFigure> {
  const ort = await import("onnxruntime-node");
  const session = await ort.InferenceSession.create(await modelBytes(), {
    executionProviders: ["cpu"],
    graphOptimizationLevel: "all",
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
  });
  const input = tileInput();
  const ms = await time(session, () => ({
    input: new ort.Tensor("float32", input, [1, 3, TILE, TILE]),
  }));
  await session.release();
  return { runtime: "onnxruntime-node CPU", threads, ms };
}

/** Runs the WASM measurement in a fresh process, so its thread count takes effect. */
export async function measureWasmInChild(threads: number): Promise<InferenceFigure> {
  const tsx = path.join(process.cwd(), "node_modules", ".bin", "tsx");
  const { stdout } = await promisify(execFile)(tsx, [
    path.join(process.cwd(), "tests", "bench", "upscaler-inference.ts"),
    "wasm",
    String(threads),
  ]);
  return JSON.parse(stdout.trim().split("\n").pop()!) as InferenceFigure;
}

if (process.argv[2] === "wasm" && process.argv[1]?.endsWith("upscaler-inference.ts")) {
  const figure = await measureWasm(Number(process.argv[3] ?? 1));
  console.log(JSON.stringify(figure));
  // onnxruntime-web keeps its worker threads alive; the figure is out, so end the process.
  process.exit(0);
}
