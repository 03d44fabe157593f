/**
 * Leffa conversion time and memory. Writes a synthetic full-size Leffa checkpoint to the temp
 * directory — try-on (`npx tsx tests/bench/leffa-convert.ts`, the default: SD1.5, all 1,620 keys
 * at their real shapes, 1.8 B params as fp16, ≈3.6 GB) or pose transfer (`npm run
 * bench:convert-pose`: SDXL, 3,608 keys, 5.2 B params, ≈10.4 GB; needs ≈20 GB of free disk) —
 * converts it to the four fp16 store entries in a temporary store, and reports the conversion's
 * wall time and the process's peak resident memory during it (sampled every 50 ms, and the
 * kernel's high-water mark). Files are deleted afterwards.
 *
 * Values are a repeating pseudo-random fp16 pattern: conversion cost does not depend on them.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SD15_UNET, SD15_VAE, SDXL_UNET, SDXL_VAE } from "../../models/leffa/config";
import { convertLeffa, expectedLeffaKeys } from "../../models/leffa/convert";
import { toFloat16Bits } from "../../models/onnx/float16";
import { writeTorchZip, type TorchEntry } from "../helpers/checkpoint-writers";

export interface LeffaConvertBench {
  seconds: number;
  peakRssMB: number;
  params: number;
}

/**
 * Enough half values for the largest tensor (up_blocks conv1: 1280 × 2560 × 3 × 3, in SD1.5 and
 * SDXL alike).
 */
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

const CHECKPOINTS = {
  hd: { unet: SD15_UNET, vae: SD15_VAE, file: "virtual_tryon.pth" },
  pose: { unet: SDXL_UNET, vae: SDXL_VAE, file: "pose_transfer.pth" },
} as const;

/**
 * Writes the synthetic full-size checkpoint of `variant` (every key at its real shape, fp16) to
 * `file`; also used by `npm run bench:install`.
 */
export async function writeSyntheticLeffaCheckpoint(
  file: string,
  variant: keyof typeof CHECKPOINTS = "hd",
): Promise<{ params: number }> {
  const checkpoint = CHECKPOINTS[variant];
  const halves = pattern();
  const tensors: Record<string, TorchEntry> = {};
  let params = 0;
  for (const { key, shape } of expectedLeffaKeys(checkpoint.unet, checkpoint.vae)) {
    const n = shape.reduce((a, b) => a * b, 1);
    params += n;
    tensors[key] = { dtype: "float16", shape, data: () => halves.subarray(0, n) };
  }
  // torch writes zip64 records for checkpoints over 4 GB (pose transfer), and so does this.
  await writeTorchZip(file, tensors, { zip64: true });
  return { params };
}

export async function benchLeffaConvert(
  variant: keyof typeof CHECKPOINTS = "hd",
): Promise<LeffaConvertBench> {
  const checkpoint = CHECKPOINTS[variant];
  const dir = await mkdtemp(path.join(tmpdir(), "bench-leffa-"));
  const savedModelsDir = process.env.MODELS_DIR;
  try {
    const file = path.join(dir, checkpoint.file);
    const { params } = await writeSyntheticLeffaCheckpoint(file, variant);

    process.env.MODELS_DIR = path.join(dir, "store");
    let peak = process.memoryUsage().rss;
    const timer = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 50);
    const start = performance.now();
    try {
      await convertLeffa({ from: file, variant, dtype: "fp16" });
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
  const variant = process.argv[2] === "pose" ? "pose" : "hd";
  const result = await benchLeffaConvert(variant);
  const highWater = process.resourceUsage().maxRSS / 1024;
  console.log(
    `leffa convert (${CHECKPOINTS[variant].file}): ${(result.params / 1e9).toFixed(3)} B params (fp16) converted in ` +
      `${result.seconds.toFixed(1)} s, peak RSS ${result.peakRssMB.toFixed(0)} MB during ` +
      `conversion (process high-water ${highWater.toFixed(0)} MB; target < 4096 MB: ` +
      `${result.peakRssMB < 4096 ? "met" : "NOT met"})`,
  );
}
