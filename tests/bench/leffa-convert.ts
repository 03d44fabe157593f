/**
 * Leffa try-on conversion time and memory (`npx tsx tests/bench/leffa-convert.ts`). Writes a
 * synthetic full-size SD1.5 Leffa checkpoint (all 1,620 keys at their real shapes, 1.8 B params
 * as fp16, ≈3.6 GB) to the temp directory, converts it to the four fp16 store entries in a
 * temporary store, and reports the conversion's wall time and the process's peak resident memory
 * during it (sampled every 50 ms, and the kernel's high-water mark). Files are deleted afterwards.
 *
 * Values are a repeating pseudo-random fp16 pattern: conversion cost does not depend on them.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SD15_UNET, SD15_VAE } from "../../models/leffa/config";
import { convertLeffa, expectedLeffaKeys } from "../../models/leffa/convert";
import { toFloat16Bits } from "../../models/onnx/float16";
import { writeTorchZip, type TorchEntry } from "../helpers/checkpoint-writers";

export interface LeffaConvertBench {
  seconds: number;
  peakRssMB: number;
  params: number;
}

/** Enough half values for the largest tensor (up_blocks conv1: 1280 × 2560 × 3 × 3). */
const PATTERN_LENGTH = 32 * 1024 * 1024;

function pattern(): Uint16Array {
  const period = 65_521; // prime, so tensors do not all start alike
  const cycle = toFloat16Bits(
    Float32Array.from({ length: period }, (_, i) => Math.sin(i * 12.9898) * 0.05),
  );
  const out = new Uint16Array(PATTERN_LENGTH);
  for (let i = 0; i < out.length; i += period)
    out.set(cycle.subarray(0, Math.min(period, out.length - i)), i);
  return out;
}

export async function benchLeffaConvert(): Promise<LeffaConvertBench> {
  const dir = await mkdtemp(path.join(tmpdir(), "bench-leffa-"));
  const savedModelsDir = process.env.MODELS_DIR;
  try {
    const halves = pattern();
    const tensors: Record<string, TorchEntry> = {};
    let params = 0;
    for (const { key, shape } of expectedLeffaKeys(SD15_UNET, SD15_VAE)) {
      const n = shape.reduce((a, b) => a * b, 1);
      params += n;
      tensors[key] = { dtype: "float16", shape, data: () => halves.subarray(0, n) };
    }
    const file = path.join(dir, "virtual_tryon.pth");
    // torch writes zip64 records for checkpoints over 4 GB; this one is ≈3.6 GB.
    await writeTorchZip(file, tensors, { zip64: true });

    process.env.MODELS_DIR = path.join(dir, "store");
    let peak = process.memoryUsage().rss;
    const timer = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 50);
    const start = performance.now();
    try {
      await convertLeffa({ from: file, variant: "hd", dtype: "fp16" });
    } finally {
      clearInterval(timer);
    }
    const seconds = (performance.now() - start) / 1000;
    peak = Math.max(peak, process.memoryUsage().rss);
    return { seconds, peakRssMB: peak / 1024 / 1024, params };
  } finally {
    if (savedModelsDir === undefined) delete process.env.MODELS_DIR;
    else process.env.MODELS_DIR = savedModelsDir;
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = await benchLeffaConvert();
  const highWater = process.resourceUsage().maxRSS / 1024;
  console.log(
    `leffa convert: ${(result.params / 1e9).toFixed(3)} B params (fp16) converted in ` +
      `${result.seconds.toFixed(1)} s, peak RSS ${result.peakRssMB.toFixed(0)} MB during ` +
      `conversion (process high-water ${highWater.toFixed(0)} MB)`,
  );
}
