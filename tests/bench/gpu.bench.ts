/**
 * `npm run bench:gpu` (issue 15, item 4): the try-on on a real GPU, ready for the first machine
 * that has one.
 *
 * 1. Probe (gpu-probe.ts, under a minute): nvidia-smi, vulkaninfo, Chromium's WebGPU adapter with
 *    Vulkan flags, Dawn's Node binding and onnxruntime-node's WebGPU EP. Exits 2 with the reason
 *    when every adapter is software (SwiftShader, llvmpipe) unless `--allow-software`.
 * 2. The four full-size SD1.5 try-on graphs with synthetic fp16 weights (fused attention, as
 *    converted), at 512×384 and 1024×768, 30 steps, on the best path the probe found: the native
 *    WebGPU EP of onnxruntime-node (the same C++ WebGPU EP onnxruntime-web compiles to WASM) —
 *    session creation per graph, time per step split into reference UNet, generative UNet and
 *    step graph, total per image with and without ref acceleration, peak GPU memory from
 *    nvidia-smi (sampled every 250 ms) where it answers.
 * 3. Whether onnxruntime-web on WebGPU (in Chromium) takes a model's external data of more than
 *    4 GB as one buffer or needs it split into several files (external-data-check.ts).
 *
 * `--tiny` runs all of it at the test configs' size (2 steps, 64×64 and 128×128 images, a
 * 16 MiB external-data check), on the software adapter with `--allow-software`; the vitest test
 * beside it (gpu.bench.test.ts) does that in `npm test`, so the script cannot rot.
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SD15_UNET, SD15_VAE, TINY_UNET, TINY_VAE } from "../../models/leffa/config";
import { refFeatureLayout } from "../../models/leffa/features";
import { refName } from "../../models/leffa/unet-graph";
import { checkExternalData } from "./external-data-check";
import { softwareOnlyProblem } from "./gpu-adapter";
import {
  describeProbe,
  isSoftwareNode,
  nvidiaMemoryUsedMiB,
  probeGpu,
  type NodePathReport,
} from "./gpu-probe";
import type { GpuRunJob, GpuRunResult } from "./gpu-run";
import { machineLine } from "./sessions.bench";
import { graphDir, TRYON_GRAPHS, writeSyntheticGraph, type TryOnConfig } from "./synthetic-leffa";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const TSX = path.resolve(HERE, "../../node_modules/.bin/tsx");

/** Issue 15's targets per image, 30 steps, H100-class GPU. */
export const TARGET_SECONDS: Record<string, number> = { "512×384": 4, "1024×768": 12 };

export interface GpuBenchOptions {
  readonly tiny: boolean;
  readonly allowSoftware: boolean;
  readonly steps?: number;
  /** Forces the execution provider (the tiny test: "cpu", SwiftShader takes minutes). */
  readonly provider?: "webgpu" | "cpu";
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** Runs gpu-run.ts in a child with the probe's Vulkan environment, sampling GPU memory. */
function runChild(job: GpuRunJob, env: Readonly<Record<string, string>>) {
  return new Promise<{ result: GpuRunResult; peakGpuMiB?: number }>((resolve, reject) => {
    const baseline = nvidiaMemoryUsedMiB();
    let peak: number | undefined;
    const timer = baseline
      ? setInterval(() => {
          const used = nvidiaMemoryUsedMiB();
          if (used) peak = Math.max(peak ?? 0, ...used);
        }, 250)
      : undefined;
    const child = spawn(TSX, [path.join(HERE, "gpu-run.ts"), JSON.stringify(job)], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      if (timer) clearInterval(timer);
      const line = out.trim().split("\n").at(-1) ?? "";
      if (code === 0 && line.startsWith("{"))
        resolve({ result: JSON.parse(line) as GpuRunResult, peakGpuMiB: peak });
      else reject(new Error(`gpu-run exited ${code}: ${(err || out).trim().slice(-800)}`));
    });
  });
}

/** Returns the process exit code: 0, 1 (a run failed) or 2 (no hardware adapter). */
export async function benchGpu(options: GpuBenchOptions): Promise<number> {
  console.log(`machine: ${machineLine()}; load ${os.loadavg()[0].toFixed(2)}`);
  const probe = await probeGpu(options.allowSoftware);
  for (const line of describeProbe(probe)) console.log(line);
  const problem = softwareOnlyProblem(probe.adapters, options.allowSoftware);
  if (problem) {
    console.error(`bench:gpu: ${problem}`);
    return 2;
  }

  // The path: onnxruntime-node's WebGPU EP where it runs; on a software-only machine (allowed),
  // the CPU provider when the WebGPU one cannot run at all.
  const path_: NodePathReport | undefined = probe.nodeWebgpu;
  const software = !path_ || isSoftwareNode(path_);
  if (!options.allowSoftware && software) {
    console.error(
      "bench:gpu: a hardware adapter exists but onnxruntime-node's WebGPU EP reaches none " +
        "(see the Node lines above); Chromium alone sees it, and this script runs the full-size " +
        "graphs through Node",
    );
    return 2;
  }
  if (options.provider === "webgpu" && !path_) {
    console.error(
      "bench:gpu: --provider webgpu, but onnxruntime-node's WebGPU EP runs nowhere here",
    );
    return 2;
  }
  const provider = options.provider ?? (path_ ? "webgpu" : "cpu");
  const shaderF16 = path_ && "name" in path_.dawn ? path_.dawn.shaderF16 : true;
  // fp16 graphs need shader-f16 on WebGPU (SwiftShader has none): fp32 there, said below.
  const dtype = provider === "webgpu" && !shaderF16 ? "fp32" : "fp16";
  const config: TryOnConfig = options.tiny
    ? { unet: TINY_UNET, vae: TINY_VAE, dtype }
    : { unet: SD15_UNET, vae: SD15_VAE, dtype };
  const steps = options.steps ?? (options.tiny ? 2 : 30);
  const sizes = options.tiny
    ? [
        { label: "64×64", h: 8, w: 8 },
        { label: "128×128", h: 16, w: 16 },
      ]
    : [
        { label: "512×384", h: 64, w: 48 },
        { label: "1024×768", h: 128, w: 96 },
      ];
  console.log(
    `\npath: ${provider === "webgpu" ? `onnxruntime-node WebGPU EP (${path_?.vulkan.label})` : "onnxruntime-node CPU (software run)"}; ` +
      `${options.tiny ? "tiny" : "full-size SD1.5"} try-on graphs, synthetic ${dtype} weights, fused attention, ` +
      `${steps} steps, graph optimisation "all"`,
  );

  let failures = 0;
  const root = await mkdtemp(path.join(os.tmpdir(), "bench-gpu-"));
  try {
    const graphs = {} as GpuRunJob["graphs"];
    for (const graph of TRYON_GRAPHS) {
      const dir = graphDir(root, graph, "fused");
      await mkdir(dir, { recursive: true });
      graphs[graph] = (await writeSyntheticGraph(graph, config, "fused", dir)).onnxPath;
    }
    const refNames = refFeatureLayout({ ...config.unet, in_channels: 12 }).map((f) =>
      refName(f.index),
    );
    for (const size of sizes) {
      try {
        const { result, peakGpuMiB } = await runChild(
          {
            graphs,
            provider,
            level: "all",
            dtype,
            h: size.h,
            w: size.w,
            steps,
            refNames,
            latentChannels: config.vae.latent_channels,
            imageChannels: config.vae.in_channels,
          },
          provider === "webgpu" ? (path_?.vulkan.env ?? {}) : {},
        );
        const create = Object.entries(result.createMs);
        console.log(
          `\n${size.label}: sessions created in ${seconds(create.reduce((n, [, ms]) => n + ms, 0))} ` +
            `(${create.map(([g, ms]) => `${g} ${seconds(ms)}`).join(", ")}); warm-up step ${seconds(result.warmupMs)}`,
        );
        for (const image of result.images) {
          const target = TARGET_SECONDS[size.label];
          const verdict =
            target === undefined || options.tiny || software || provider !== "webgpu"
              ? ""
              : ` (target ≤ ${target} s: ${image.totalMs / 1000 <= target ? "met" : "NOT met"})`;
          console.log(
            `  ref acceleration ${image.refAcceleration ? "on " : "off"}: ${seconds(image.totalMs)} per image${verdict} — ` +
              `per step: gen UNet ${seconds(image.genUnetMsPerStep)}, step graph ${seconds(image.stepGraphMsPerStep)}; ` +
              `ref UNet ${seconds(image.refUnetMs)} in all; VAE encode ${seconds(image.vaeEncodeMs)}, decode ${seconds(image.vaeDecodeMs)}`,
          );
        }
        console.log(
          `  peak GPU memory: ${peakGpuMiB === undefined ? "not readable (no nvidia-smi)" : `${peakGpuMiB} MiB (nvidia-smi, whole GPU)`}`,
        );
      } catch (err) {
        failures++;
        console.error(`${size.label}: FAILED ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }

  // onnxruntime-web in Chromium: one external-data buffer over 4 GB, or several files.
  const check = await checkExternalData({
    totalBytes: options.tiny ? 16 * 2 ** 20 : 4.5 * 2 ** 30,
    allowSoftware: options.allowSoftware,
  });
  for (const line of check.lines) console.log(line);
  if (!check.ok) failures++;
  return failures ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const stepsArg = process.argv.indexOf("--steps");
  const providerArg = process.argv.indexOf("--provider");
  const provider = providerArg >= 0 ? process.argv[providerArg + 1] : undefined;
  if (provider !== undefined && provider !== "webgpu" && provider !== "cpu") {
    console.error(`--provider takes webgpu or cpu, got ${provider}`);
    process.exit(1);
  }
  benchGpu({
    provider,
    tiny: process.argv.includes("--tiny"),
    allowSoftware: process.argv.includes("--allow-software"),
    steps: stepsArg >= 0 ? Number(process.argv[stepsArg + 1]) : undefined,
  }).then(
    (code) => process.exit(code),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
