import type { UNetConfig } from "../../../models/leffa/config";
import { refFeatureLayout } from "../../../models/leffa/features";
import {
  LEFFA_CHECKPOINTS,
  LEFFA_PARTS,
  type LeffaVariant,
} from "../../../models/manifest/entries";
import { SD15_INPAINTING_SCHEDULER, SDXL_POSE_TRANSFER_SCHEDULER } from "./scheduler";
import type { SchedulerConfig } from "./scheduler-config";

/**
 * What the sampler needs to know about one Leffa checkpoint (leffa.md §1.1): its four converted
 * graphs, the UNet layout they were built from (reference features, attention sizes), the
 * scheduler, and the VAE's float type (the SDXL VAE is fp32).
 */
export interface LeffaFamily {
  readonly variant: LeffaVariant;
  readonly task: "try-on" | "pose transfer";
  readonly base: "SD1.5" | "SDXL";
  readonly unet: UNetConfig;
  /**
   * The scheduler of graphs converted without a stored scheduler_config.json (Leffa's base config
   * as the sampler has always assumed it); the node replaces it with the stored one when there is.
   */
  readonly scheduler: SchedulerConfig;
  readonly vaeFloat: "float16" | "float32";
  /** Store ids in LEFFA_PARTS order: VAE encoder, VAE decoder, reference UNet, generative UNet. */
  readonly models: readonly string[];
  /** `ref_00` … in the order the reference UNet produces them. */
  readonly refNames: readonly string[];
}

function family(variant: LeffaVariant): LeffaFamily {
  const c = LEFFA_CHECKPOINTS[variant];
  return {
    variant,
    task: variant === "pose" ? "pose transfer" : "try-on",
    base: c.base.name,
    unet: c.base.unet,
    scheduler: c.base.name === "SDXL" ? SDXL_POSE_TRANSFER_SCHEDULER : SD15_INPAINTING_SCHEDULER,
    vaeFloat: c.base.vae,
    models: LEFFA_PARTS.map((part) => `${c.prefix}-${part}`),
    refNames: refFeatureLayout(c.base.unet).map((f) => `ref_${String(f.index).padStart(2, "0")}`),
  };
}

/** The node's `model` param values and the checkpoint each one runs. */
export const LEFFA_FAMILIES = {
  viton_hd: family("hd"),
  dress_code: family("dc"),
  pose_transfer: family("pose"),
} as const satisfies Record<string, LeffaFamily>;

export type LeffaModelChoice = keyof typeof LEFFA_FAMILIES;
