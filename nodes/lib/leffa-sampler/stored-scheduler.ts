import { NodeError } from "../../core/types";
import type { LeffaFamily } from "./family";
import {
  LEFFA_BASE_SCHEDULERS,
  SCHEDULER_CONFIG_FILE,
  schedulerConfigFromText,
  UnsupportedSchedulerError,
  type SchedulerConfig,
} from "./scheduler-config";

/** Reads one file of an installed model; undefined when the install has no such file. */
export type ModelFileReader = (modelId: string, name: string) => Promise<Uint8Array | undefined>;

export interface SamplerSchedule {
  readonly config: SchedulerConfig;
  /** False for graphs converted before the config was stored: Leffa's defaults are assumed. */
  readonly stored: boolean;
}

/**
 * The scheduler the family's graphs were converted with: the generative UNet's stored
 * `scheduler_config.json`, resolved as Leffa does (zero-SNR from Leffa's code), or — for graphs
 * converted before the file was written, or hosts that cannot read model files — the family's
 * built-in config, today's behaviour. A setting the sampler does not implement is refused here,
 * before any model loads, naming the setting.
 */
export async function samplerSchedule(
  family: LeffaFamily,
  read: ModelFileReader | undefined,
): Promise<SamplerSchedule> {
  const genUnet = family.models[3];
  const bytes = read ? await read(genUnet, SCHEDULER_CONFIG_FILE) : undefined;
  if (!bytes) return { config: family.scheduler, stored: false };
  try {
    const config = schedulerConfigFromText(
      new TextDecoder().decode(bytes),
      `${genUnet}/${SCHEDULER_CONFIG_FILE}`,
      { rescaleBetasZeroSnr: LEFFA_BASE_SCHEDULERS[family.base].rescaleBetasZeroSnr },
    );
    return { config, stored: true };
  } catch (err) {
    if (err instanceof UnsupportedSchedulerError) {
      throw new NodeError(
        `${err.message}. Convert the checkpoint again with a scheduler config the sampler ` +
          `supports (--scheduler-config <file>, or none for Leffa's own)`,
      );
    }
    throw err;
  }
}

/** The settings that differ from Leffa's defaults, for the node's summary; "" when none do. */
export function scheduleSummary(schedule: SamplerSchedule, family: LeffaFamily): string {
  if (!schedule.stored) {
    return " · scheduler: Leffa's defaults (graphs converted without scheduler_config.json)";
  }
  const ours = schedule.config;
  const base = family.scheduler;
  const changed: string[] = [];
  if (ours.clipSample !== base.clipSample || ours.clipSampleRange !== base.clipSampleRange) {
    changed.push(ours.clipSample ? `x̂0 clipped to ±${ours.clipSampleRange}` : "no clipping");
  }
  if (ours.timestepSpacing !== base.timestepSpacing || ours.stepsOffset !== base.stepsOffset) {
    changed.push(`${ours.timestepSpacing} spacing, offset ${ours.stepsOffset}`);
  }
  if (ours.predictionType !== base.predictionType) changed.push(ours.predictionType);
  if (
    ours.betaSchedule !== base.betaSchedule ||
    ours.betaStart !== base.betaStart ||
    ours.betaEnd !== base.betaEnd ||
    ours.trainSteps !== base.trainSteps ||
    ours.trainedBetas !== base.trainedBetas
  ) {
    changed.push(ours.trainedBetas ? "given betas" : `${ours.betaSchedule} betas`);
  }
  if (ours.varianceType !== base.varianceType) changed.push(`${ours.varianceType} variance`);
  return changed.length ? ` · scheduler: ${changed.join(", ")}` : "";
}
