import { rm } from "node:fs/promises";
import path from "node:path";
import { openCheckpoint } from "../../checkpoints";
import { commitConverted, freshStaging } from "../../install/converted";
import { writeModelFiles, type WrittenModel } from "../../onnx/write-files";
import { modelDir } from "../../store";
import { MODEL_ID } from "./config";
import { buildOpenPoseGraph, type LayerWeights } from "./graph";
import { planKeys, type KeyLayout } from "./keys";

export type Progress = (done: number, total: number, message: string) => void;

export interface ConvertOpenPoseOptions {
  /** The annotator's `body_pose_model.pth` (any checkpoint format openCheckpoint reads). */
  readonly from: string;
  readonly onProgress?: Progress;
}

export interface ConvertOpenPoseResult {
  readonly modelDir: string;
  readonly bytes: number;
  readonly tensors: number;
  readonly layout: KeyLayout;
  readonly ms: number;
}

/** fp32, about 200 MB: one file, well inside protobuf's 2 GB. */
const ONNX_BASE = "model";

/**
 * Converts the CMU OpenPose body model into the `openpose-body` store entry. Every key is checked
 * before anything is written: an unknown, missing or misshapen one stops the conversion with the
 * full list.
 */
export async function convertOpenPoseBody(
  options: ConvertOpenPoseOptions,
): Promise<ConvertOpenPoseResult> {
  const started = performance.now();
  const checkpoint = await openCheckpoint(options.from);
  try {
    const plan = planKeys(checkpoint.tensors);
    const steps = plan.layers.length + 2;
    const layers: LayerWeights[] = [];
    for (const [i, layer] of plan.layers.entries()) {
      const read = async (key: string) => {
        const tensor = checkpoint.get(key);
        if (!tensor) throw new Error(`openpose: ${key} vanished from the checkpoint`);
        return tensor.readFloat32();
      };
      layers.push({
        plan: layer,
        weight: await read(layer.weightKey),
        bias: await read(layer.biasKey),
      });
      options.onProgress?.(i + 1, steps, `read ${layer.name}`);
    }
    const graph = buildOpenPoseGraph(layers);
    const staging = await freshStaging(MODEL_ID);
    let written: WrittenModel;
    try {
      written = await writeModelFiles(graph, staging, ONNX_BASE, {
        externalThreshold: Number.POSITIVE_INFINITY,
      });
      options.onProgress?.(steps - 1, steps, `wrote ${path.basename(written.onnxPath)}`);
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
      tensors: plan.layers.length * 2,
      layout: plan.layout,
      ms: performance.now() - started,
    };
  } finally {
    await checkpoint.close();
  }
}
