/**
 * `npm run bench:sessions` (issue 15, item 2): how fast the four Leffa try-on sessions start.
 * Builds the full-size SD1.5 try-on graphs with synthetic fp16 weights (tests/bench/
 * synthetic-leffa.ts), one graph at a time, in both attention modes — "chunked" (before: the
 * query-chunked MatMul/Softmax graphs) and "fused" (after: one MultiHeadAttention per attention) —
 * and measures, per graph: node count, session creation on onnxruntime-node's CPU provider and on
 * onnxruntime-web's WASM in Node at each graph optimisation level, and for the UNets the first
 * run and a second run (the step time) at a small latent (`--latent 16x12` by default: a 128×96
 * image, batch 2 as the sampler runs them; full size is minutes per step on 2 cores).
 *
 * Every measurement runs in a child process (session-timing.ts), so one graph's heap never weighs
 * on the next. The load average is printed beside every figure: other work on the machine skews
 * absolute times, so compare ratios from the same run.
 *
 * Options: --size full|tiny (tiny: the test configs, seconds), --attention fused,chunked,
 * --levels disabled,basic,extended,all, --run-levels basic,all, --graphs vae-encoder,…,
 * --backends node,wasm, --latent HxW, --threads N (WASM).
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ATTENTION_MODES, type AttentionMode } from "../../models/leffa/attention-chunks";
import { SD15_UNET, SD15_VAE, TINY_UNET, TINY_VAE } from "../../models/leffa/config";
import {
  OPTIMIZATION_LEVELS,
  type OptimizationLevel,
  type SessionTiming,
  type SessionTimingJob,
} from "./session-timing";
import {
  feedSpecs,
  graphDir,
  TRYON_GRAPHS,
  writeSyntheticGraph,
  type TryOnConfig,
  type TryOnGraph,
} from "./synthetic-leffa";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const TSX = path.resolve(HERE, "../../node_modules/.bin/tsx");

export interface SessionRow {
  readonly attention: AttentionMode;
  readonly graph: TryOnGraph;
  readonly nodes: number;
  readonly backend: "node" | "wasm";
  readonly level: OptimizationLevel;
  readonly timing: SessionTiming;
  /** 1-minute load average when the measurement started. */
  readonly load: number;
}

/** Runs one SessionTimingJob in a fresh process. */
export function runTimingChild(job: SessionTimingJob, timeoutMs = 20 * 60_000) {
  return new Promise<SessionTiming>((resolve, reject) => {
    const child = spawn(TSX, [path.join(HERE, "session-timing.ts"), JSON.stringify(job)], {
      stdio: ["ignore", "pipe", "pipe"],
      timeout: timeoutMs,
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      const line = out.trim().split("\n").at(-1) ?? "";
      if (code === 0 && line.startsWith("{")) resolve(JSON.parse(line) as SessionTiming);
      else
        reject(
          new Error(
            `session-timing (${job.backend}, ${job.level}, ${path.basename(path.dirname(job.onnxPath))}) ` +
              `exited ${code ?? signal}: ${(err || out).trim().slice(-600)}`,
          ),
        );
    });
  });
}

function parseList<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  name: string,
): T[] {
  if (value === undefined) return [...allowed];
  const items = value.split(",").map((s) => s.trim());
  for (const item of items) {
    if (!allowed.includes(item as T))
      throw new Error(`--${name} takes ${allowed.join(",")}; got "${item}"`);
  }
  return items as T[];
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const fmt = (ms: number | undefined) => (ms === undefined ? "—" : `${(ms / 1000).toFixed(2)} s`);

export function machineLine(): string {
  const cpus = os.cpus();
  return (
    `${cpus.length} × ${cpus[0]?.model ?? "unknown CPU"}, ` +
    `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}`
  );
}

function sum(rows: readonly SessionRow[], pick: (r: SessionRow) => number | undefined): number {
  return rows.reduce((n, r) => n + (pick(r) ?? 0), 0);
}

/** The summary: totals per backend, level and attention mode, and the ratios between them. */
export function summarise(rows: readonly SessionRow[]): string[] {
  const lines: string[] = [];
  const pick = (a: AttentionMode, b: "node" | "wasm", l: OptimizationLevel) =>
    rows.filter((r) => r.attention === a && r.backend === b && r.level === l);
  for (const backend of ["node", "wasm"] as const) {
    for (const attention of ATTENTION_MODES) {
      const parts: string[] = [];
      for (const level of OPTIMIZATION_LEVELS) {
        const set = pick(attention, backend, level);
        if (set.length === 0) continue;
        const create = sum(set, (r) => r.timing.createMs);
        const step = set.filter((r) => r.timing.secondRunMs !== undefined);
        const stepText = step.length
          ? `, UNet steps ${step.map((r) => `${r.graph} ${fmt(r.timing.secondRunMs)}`).join(" + ")}`
          : "";
        parts.push(`${level}: ${set.length} graphs created in ${fmt(create)}${stepText}`);
      }
      if (parts.length)
        lines.push(`${backend.padEnd(4)} ${attention.padEnd(7)} ${parts.join("; ")}`);
    }
    // Ratios within one run: basic vs all (creation and step), fused vs chunked.
    for (const attention of ATTENTION_MODES) {
      const all = pick(attention, backend, "all");
      const basic = pick(attention, backend, "basic");
      if (all.length && basic.length && all.length === basic.length) {
        const createRatio =
          sum(all, (r) => r.timing.createMs) / sum(basic, (r) => r.timing.createMs);
        const allSteps = all.filter((r) => r.timing.secondRunMs !== undefined);
        const basicSteps = basic.filter((r) => r.timing.secondRunMs !== undefined);
        const stepRatio =
          allSteps.length && allSteps.length === basicSteps.length
            ? sum(basicSteps, (r) => r.timing.secondRunMs) /
              sum(allSteps, (r) => r.timing.secondRunMs)
            : undefined;
        lines.push(
          `${backend.padEnd(4)} ${attention.padEnd(7)} creation all/basic ${createRatio.toFixed(2)}×` +
            (stepRatio === undefined ? "" : `; UNet step basic/all ${stepRatio.toFixed(2)}×`),
        );
      }
    }
    for (const level of OPTIMIZATION_LEVELS) {
      const fused = pick("fused", backend, level);
      const chunked = pick("chunked", backend, level);
      if (!fused.length || fused.length !== chunked.length) continue;
      const c = sum(chunked, (r) => r.timing.createMs) / sum(fused, (r) => r.timing.createMs);
      const fSteps = fused.filter((r) => r.timing.secondRunMs !== undefined);
      const cSteps = chunked.filter((r) => r.timing.secondRunMs !== undefined);
      const s =
        fSteps.length && fSteps.length === cSteps.length
          ? sum(cSteps, (r) => r.timing.secondRunMs) / sum(fSteps, (r) => r.timing.secondRunMs)
          : undefined;
      lines.push(
        `${backend.padEnd(4)} ${level.padEnd(8)} creation chunked/fused ${c.toFixed(2)}×` +
          (s === undefined ? "" : `; UNet step chunked/fused ${s.toFixed(2)}×`),
      );
    }
  }
  return lines;
}

async function main(): Promise<void> {
  const size = option("size") ?? "full";
  if (size !== "full" && size !== "tiny") throw new Error(`--size takes full or tiny, got ${size}`);
  const config: TryOnConfig =
    size === "full" ? { unet: SD15_UNET, vae: SD15_VAE } : { unet: TINY_UNET, vae: TINY_VAE };
  const attentions = parseList(option("attention"), ATTENTION_MODES, "attention");
  const levels = parseList(option("levels"), OPTIMIZATION_LEVELS, "levels");
  const runLevels = parseList(
    option("run-levels") ?? "basic,all",
    OPTIMIZATION_LEVELS,
    "run-levels",
  );
  const graphs = parseList(option("graphs"), TRYON_GRAPHS, "graphs");
  const backends = parseList(option("backends"), ["node", "wasm"] as const, "backends");
  const [h, w] = (option("latent") ?? (size === "full" ? "16x12" : "8x8")).split("x").map(Number);
  if (!(h > 0 && w > 0 && h % 8 === 0 && w % 4 === 0))
    throw new Error("--latent takes HxW with H a multiple of 8 and W of 4, e.g. 16x12");
  const threads = Number(option("threads") ?? Math.min(4, os.availableParallelism()));

  console.log(`machine: ${machineLine()}`);
  console.log(
    `size ${size}; UNet runs at latent ${h}×${w} (image ${h * 8}×${w * 8}), batch 2; ` +
      `WASM ${threads} thread(s); onnxruntime-node CPU on every core`,
  );
  const root = await mkdtemp(path.join(os.tmpdir(), "bench-sessions-"));
  const rows: SessionRow[] = [];
  try {
    for (const attention of attentions) {
      for (const graph of graphs) {
        const dir = graphDir(root, graph, attention);
        await mkdir(dir, { recursive: true });
        let started = performance.now();
        const written = await writeSyntheticGraph(graph, config, attention, dir);
        console.log(
          `\n${attention} ${graph}: ${written.nodes} nodes, ${(written.bytes / 2 ** 20).toFixed(0)} MiB ` +
            `(built and written in ${fmt(performance.now() - started)})`,
        );
        const isUNet = graph === "ref-unet" || graph === "gen-unet";
        for (const backend of backends) {
          for (const level of levels) {
            const run = isUNet && runLevels.includes(level);
            const load = os.loadavg()[0];
            started = performance.now();
            const timing = await runTimingChild({
              onnxPath: written.onnxPath,
              dataPath: written.dataPath,
              backend,
              level,
              threads,
              feeds: run ? feedSpecs(graph, config, h, w, 2) : undefined,
              outputs: graph === "gen-unet" ? ["noise_pred"] : undefined,
            });
            rows.push({ attention, graph, nodes: written.nodes, backend, level, timing, load });
            console.log(
              `  ${backend.padEnd(4)} ${level.padEnd(8)} create ${fmt(timing.createMs).padStart(8)}` +
                (run
                  ? `  first run ${fmt(timing.firstRunMs)} (first step at ${fmt(
                      timing.createMs + (timing.firstRunMs ?? 0),
                    )}), step ${fmt(timing.secondRunMs)}`
                  : "") +
                `  · peak RSS ${timing.maxRssMB.toFixed(0)} MB · load ${load.toFixed(2)}`,
            );
          }
        }
        await rm(dir, { recursive: true, force: true });
      }
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  console.log("\nsummary (ratios are within this run):");
  for (const line of summarise(rows)) console.log(`  ${line}`);
  console.log(
    `load average at the end: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(", ")}`,
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
