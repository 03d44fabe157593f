import { LEFFA_CHECKPOINTS, type LeffaVariant } from "../manifest/entries";
import type { ModelEntry } from "../manifest/schema";
import type { UNetConfig, VaeConfig } from "../leffa/config";
import { InstallError } from "./errors";

/**
 * The studio's converters, by the checkpoint they read: the manifest's `convert` sources name a
 * checkpoint file, and one conversion installs every entry made from it (the four Leffa graphs at
 * once). Loaded on demand: they pull in the checkpoint readers and the graph builders.
 */

export interface ConverterOptions {
  /** Called with a step count and a message (`[done/total] message`). */
  onProgress?: (done: number, total: number, message: string) => void;
  /** Stops the conversion at its next step. */
  signal?: AbortSignal;
  /** The Leffa configs to convert with, instead of detecting them from shapes (tiny test checkpoints). */
  leffaConfig?: { unet: UNetConfig; vae: VaeConfig };
}

type ConvertSource = Extract<ModelEntry["source"], { kind: "convert" }>;

const DENSEPOSE_CHECKPOINT = "model_final_162be9.pkl";
const OPENPOSE_CHECKPOINT = "body_pose_model.pth";

function leffaVariantOf(checkpoint: string): LeffaVariant | undefined {
  return (Object.keys(LEFFA_CHECKPOINTS) as LeffaVariant[]).find(
    (v) => LEFFA_CHECKPOINTS[v].checkpoint === checkpoint,
  );
}

/** Converts `file` (the checkpoint `source` names) and installs what it makes into the store. */
export async function runConverter(
  source: ConvertSource,
  file: string,
  opts: ConverterOptions = {},
): Promise<{ models: string[]; bytes: number }> {
  // A throw from progress ends the conversion; what it staged is never committed.
  const onProgress = (done: number, total: number, message: string) => {
    if (opts.signal?.aborted) {
      throw new InstallError(
        "cancelled",
        `conversion of ${source.checkpoint} cancelled; the downloaded checkpoint is kept, run the ` +
          `install again to convert it without downloading it again`,
      );
    }
    opts.onProgress?.(done, total, message);
  };
  const leffa = leffaVariantOf(source.checkpoint);
  if (leffa) {
    const { convertLeffa } = await import("../leffa/convert");
    const result = await convertLeffa({
      from: file,
      variant: leffa,
      config: opts.leffaConfig,
      onProgress,
    });
    return { models: result.models, bytes: result.bytes };
  }
  if (source.checkpoint === DENSEPOSE_CHECKPOINT) {
    const { convertDensePose } = await import("../convert/densepose");
    const { MODEL_ID } = await import("../convert/densepose/config");
    const result = await convertDensePose({ from: file, onProgress });
    return { models: [MODEL_ID], bytes: result.bytes };
  }
  if (source.checkpoint === OPENPOSE_CHECKPOINT) {
    const { convertOpenPoseBody } = await import("../convert/openpose");
    const { MODEL_ID } = await import("../convert/openpose/config");
    const result = await convertOpenPoseBody({ from: file, onProgress });
    return { models: [MODEL_ID], bytes: result.bytes };
  }
  throw new InstallError("needs-conversion", `no converter reads ${source.checkpoint}`);
}
