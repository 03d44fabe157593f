import { rm } from "node:fs/promises";
import path from "node:path";
import { openCheckpoint } from "../../checkpoints";
import { writeModelFiles, type WrittenModel } from "../../onnx/write-files";
import { modelDir } from "../../store";
import { MODEL_ID } from "./config";
import { buildDensePoseGraph } from "./graph";
import { detectron2Tensors, planKeys } from "./keys";
import { commitConverted, freshStaging } from "../../install/converted";
import { loadFoldedLayers, type Progress } from "./weights";

export interface ConvertDensePoseOptions {
  /** detectron2's `model_final_162be9.pkl` (any checkpoint format openCheckpoint reads). */
  readonly from: string;
  readonly onProgress?: Progress;
}

export interface ConvertDensePoseResult {
  readonly modelDir: string;
  readonly bytes: number;
  readonly keysUsed: number;
  readonly keysDropped: number;
  readonly ms: number;
}

/** The manifest entry's one file: fp32 R50-FPN with its DensePose head is about 200 MB, inside protobuf's 2 GB. */
const ONNX_BASE = "model";

/**
 * Converts the detectron2 DensePose R50-FPN checkpoint into the `densepose-r50-fpn` store entry.
 * Every key is checked before anything is written: an unknown, missing or misshapen one stops the
 * conversion with the full list.
 */
export async function convertDensePose(
  options: ConvertDensePoseOptions,
): Promise<ConvertDensePoseResult> {
  const started = performance.now();
  const checkpoint = await openCheckpoint(options.from);
  try {
    const tensors = detectron2Tensors(checkpoint.tensors);
    const plan = planKeys(tensors);
    const steps = plan.used.length + 2;
    const layers = await loadFoldedLayers(
      new Map(tensors.map((t) => [t.name, t])),
      plan,
      (done, _total, key) => options.onProgress?.(done, steps, `read ${key}`),
    );
    const graph = buildDensePoseGraph(layers);
    const staging = await freshStaging(MODEL_ID);
    let written: WrittenModel;
    try {
      written = await writeModelFiles(graph, staging, ONNX_BASE, {
        externalThreshold: Number.POSITIVE_INFINITY,
      });
      options.onProgress?.(plan.used.length + 1, steps, `wrote ${path.basename(written.onnxPath)}`);
      const source = `convert:${path.basename(options.from)}`;
      await commitConverted(MODEL_ID, staging, [`${ONNX_BASE}.onnx`], source);
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      throw error;
    }
    options.onProgress?.(steps, steps, `installed ${MODEL_ID}`);
    return {
      modelDir: modelDir(MODEL_ID),
      bytes: written.bytes,
      keysUsed: plan.used.length,
      keysDropped: plan.dropped.length,
      ms: performance.now() - started,
    };
  } finally {
    await checkpoint.close();
  }
}
