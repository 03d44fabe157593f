import { z } from "zod";

/**
 * The scheduler settings a Leffa checkpoint samples with. Leffa builds its scheduler as
 * `DDPMScheduler.from_pretrained(<base>, subfolder="scheduler", rescale_betas_zero_snr=…)`
 * (leffa/model.py): the base folder's `scheduler_config.json`, every key it lacks taking
 * DDPMScheduler's own default, zero-SNR rescaling set by Leffa's code (False for SD1.5, True for
 * SDXL) whatever the file says, and keys DDPMScheduler does not know (PNDM's `skip_prk_steps`,
 * Euler's `use_karras_sigmas`, `_class_name`…) ignored. The converter stores that file beside the
 * generative UNet (`scheduler_config.json`); the sampler reads it here.
 */

/** The file's name in the generative UNet's store folder. */
export const SCHEDULER_CONFIG_FILE = "scheduler_config.json";

/**
 * DDPMScheduler.__init__'s defaults (diffusers src/diffusers/schedulers/scheduling_ddpm.py,
 * `@register_to_config def __init__`): what a key missing from the file means. Note
 * clip_sample = True and steps_offset = 0: a config that does not say otherwise clips x̂0 to
 * [−1, 1] at every step and does not shift the timesteps.
 */
export const DDPM_DEFAULTS = {
  num_train_timesteps: 1000,
  beta_start: 0.0001,
  beta_end: 0.02,
  beta_schedule: "linear",
  trained_betas: null,
  variance_type: "fixed_small",
  clip_sample: true,
  prediction_type: "epsilon",
  thresholding: false,
  dynamic_thresholding_ratio: 0.995,
  clip_sample_range: 1.0,
  sample_max_value: 1.0,
  timestep_spacing: "leading",
  steps_offset: 0,
  rescale_betas_zero_snr: false,
} as const;

/**
 * `stable-diffusion-inpainting/scheduler/scheduler_config.json` in Leffa's Hugging Face repository
 * (huggingface.co/franciszzj/Leffa, 313 bytes, commit 77a9978 "change dir"): the copy of
 * runwayml/stable-diffusion-inpainting's scheduler config (also 313 bytes, last changed in its
 * commit 33b6c60 "Update scheduler/scheduler_config.json", diffusers' campaign that added
 * `"clip_sample": false` to the SD 1.x repositories for DDIM). The hub's search index lists both
 * files but not their text; the keys below are the SD 1.x PNDM config as that campaign left it
 * (the same keys, `"clip_sample": false` appended last, in e.g. hf-internal-testing/
 * tiny-stable-diffusion-torch, 313 bytes, and stable-diffusion-v1-5 copies, 308 bytes with a
 * 5-character version), and they serialise to exactly 313 bytes with json.dumps(indent=2) and a
 * trailing newline — without `clip_sample` the file would be 289 bytes. (`_diffusers_version`
 * is a 10-character stand-in; DDPMScheduler ignores it.) Missing keys, filled by DDPMScheduler's
 * defaults:
 * timestep_spacing "leading", prediction_type "epsilon", variance_type "fixed_small",
 * thresholding false.
 */
export const SD15_INPAINTING_SCHEDULER_JSON = {
  _class_name: "PNDMScheduler",
  _diffusers_version: "0.6.0.dev0",
  beta_end: 0.012,
  beta_schedule: "scaled_linear",
  beta_start: 0.00085,
  num_train_timesteps: 1000,
  set_alpha_to_one: false,
  skip_prk_steps: true,
  steps_offset: 1,
  trained_betas: null,
  clip_sample: false,
} as const;

/**
 * `stable-diffusion-xl-1.0-inpainting-0.1/scheduler/scheduler_config.json` in Leffa's repository
 * (its folder holds scheduler/, unet/, vae/): the copy of
 * diffusers/stable-diffusion-xl-1.0-inpainting-0.1's scheduler config (479 bytes, commit 530d9a1
 * "add model"), whose text the search index does not hold either. It is the size of
 * stabilityai/stable-diffusion-xl-base-1.0's EulerDiscreteScheduler config, whose text it does
 * hold (refs/pr/94 and its duplicates) and whose keys, below, serialise to exactly 479 bytes.
 * Every key DDPMScheduler reads is explicit; Leffa adds rescale_betas_zero_snr=True in code.
 */
export const SDXL_INPAINTING_SCHEDULER_JSON = {
  _class_name: "EulerDiscreteScheduler",
  _diffusers_version: "0.19.0.dev0",
  beta_end: 0.012,
  beta_schedule: "scaled_linear",
  beta_start: 0.00085,
  clip_sample: false,
  interpolation_type: "linear",
  num_train_timesteps: 1000,
  prediction_type: "epsilon",
  sample_max_value: 1.0,
  set_alpha_to_one: false,
  skip_prk_steps: true,
  steps_offset: 1,
  timestep_spacing: "leading",
  trained_betas: null,
  use_karras_sigmas: false,
} as const;

/**
 * Each Leffa base: the file its folder holds (what the converter stores when given none) and the
 * zero-SNR setting Leffa's code passes over it (leffa/model.py: `rescale_betas_zero_snr=False if
 * diffusion_model_type == "sd15" else True`).
 */
export const LEFFA_BASE_SCHEDULERS = {
  "SD1.5": { file: SD15_INPAINTING_SCHEDULER_JSON, rescaleBetasZeroSnr: false },
  SDXL: { file: SDXL_INPAINTING_SCHEDULER_JSON, rescaleBetasZeroSnr: true },
} as const;

/**
 * The keys DDPMScheduler reads, as a `scheduler_config.json` may hold them (null where diffusers
 * accepts it). Other keys are dropped, as from_pretrained drops them.
 */
export const schedulerConfigFileSchema = z.object({
  num_train_timesteps: z.number().int().min(2).max(100_000).optional(),
  beta_start: z.number().positive().lt(1).optional(),
  beta_end: z.number().positive().lt(1).optional(),
  beta_schedule: z.string().min(1).optional(),
  trained_betas: z.array(z.number().gt(0).lt(1)).nullable().optional(),
  variance_type: z.string().min(1).nullable().optional(),
  clip_sample: z.boolean().optional(),
  prediction_type: z.string().min(1).optional(),
  thresholding: z.boolean().optional(),
  dynamic_thresholding_ratio: z.number().optional(),
  clip_sample_range: z.number().positive().optional(),
  sample_max_value: z.number().optional(),
  timestep_spacing: z.string().min(1).optional(),
  steps_offset: z.number().int().min(0).optional(),
  rescale_betas_zero_snr: z.boolean().optional(),
});
export type SchedulerConfigFile = z.infer<typeof schedulerConfigFileSchema>;

const BETA_SCHEDULES = ["linear", "scaled_linear", "squaredcos_cap_v2"] as const;
const SPACINGS = ["leading", "trailing", "linspace"] as const;
const PREDICTIONS = ["epsilon", "v_prediction", "sample"] as const;
/** fixed_small_log draws the same noise as fixed_small (exp(½·log v) = √v). */
const VARIANCES = ["fixed_small", "fixed_small_log", "fixed_large"] as const;

/** What the sampler's DDPM implements, with diffusers' defaults applied. */
export interface SchedulerConfig {
  readonly trainSteps: number;
  readonly betaStart: number;
  readonly betaEnd: number;
  readonly betaSchedule: (typeof BETA_SCHEDULES)[number];
  /** Given betas, used instead of the schedule (diffusers' `trained_betas`). */
  readonly trainedBetas: readonly number[] | null;
  readonly timestepSpacing: (typeof SPACINGS)[number];
  readonly stepsOffset: number;
  readonly predictionType: (typeof PREDICTIONS)[number];
  /** Clamp x̂0 to ±clipSampleRange before the posterior mean. */
  readonly clipSample: boolean;
  readonly clipSampleRange: number;
  readonly varianceType: (typeof VARIANCES)[number];
  /** Zero terminal SNR (Lin et al. 2023, Algorithm 1): the SDXL pose-transfer scheduler. */
  readonly zeroTerminalSnr: boolean;
}

/** A setting the file holds that the sampler does not implement: the run is refused. */
export class UnsupportedSchedulerError extends Error {
  override readonly name = "UnsupportedSchedulerError";
}

function oneOf<T extends string>(
  key: string,
  value: string,
  allowed: readonly T[],
  why: string,
): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UnsupportedSchedulerError(
    `${key}: "${value}" is not implemented by the Leffa sampler (it implements ${allowed
      .map((a) => `"${a}"`)
      .join(", ")})${why}`,
  );
}

/**
 * The scheduler a `scheduler_config.json` describes, as Leffa builds it: the file's values over
 * DDPMScheduler's defaults, then `rescale_betas_zero_snr` from Leffa's code when given. Throws a
 * zod error for a malformed file and UnsupportedSchedulerError naming a setting the sampler does
 * not implement (thresholding, learned variances, another beta schedule or spacing).
 */
export function resolveSchedulerConfig(
  file: unknown,
  leffa: { readonly rescaleBetasZeroSnr?: boolean } = {},
): SchedulerConfig {
  const parsed = schedulerConfigFileSchema.parse(file);
  const c = { ...DDPM_DEFAULTS, ...definedOnly(parsed) };
  if (c.thresholding) {
    throw new UnsupportedSchedulerError(
      "thresholding: true (dynamic thresholding of x̂0) is not implemented by the Leffa sampler",
    );
  }
  const trainSteps = c.num_train_timesteps;
  if (c.trained_betas && c.trained_betas.length !== trainSteps) {
    throw new UnsupportedSchedulerError(
      `trained_betas has ${c.trained_betas.length} values but num_train_timesteps is ${trainSteps}`,
    );
  }
  return {
    trainSteps,
    betaStart: c.beta_start,
    betaEnd: c.beta_end,
    // Only read without trained_betas, as diffusers does.
    betaSchedule: c.trained_betas
      ? "linear"
      : oneOf("beta_schedule", c.beta_schedule, BETA_SCHEDULES, ""),
    trainedBetas: c.trained_betas ?? null,
    timestepSpacing: oneOf("timestep_spacing", c.timestep_spacing, SPACINGS, ""),
    stepsOffset: c.steps_offset,
    predictionType: oneOf("prediction_type", c.prediction_type, PREDICTIONS, ""),
    clipSample: c.clip_sample,
    clipSampleRange: c.clip_sample_range,
    varianceType: oneOf(
      "variance_type",
      c.variance_type ?? "fixed_small",
      VARIANCES,
      "; learned variances need a UNet that predicts them",
    ),
    zeroTerminalSnr: leffa.rescaleBetasZeroSnr ?? c.rescale_betas_zero_snr,
  };
}

/** Drops keys the file does not have (zod gives `undefined` for them), so defaults apply. */
function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * What the sampler assumed before checkpoints carried their scheduler config: Leffa's SD1.5 base
 * config as above (scaled_linear 0.00085 → 0.012, leading spacing, steps_offset 1, epsilon,
 * fixed_small, no clipping), zero-SNR for SDXL. Graphs converted before `scheduler_config.json`
 * was stored keep exactly this behaviour; the values match what both base folders resolve to.
 */
export function legacySchedulerConfig(zeroTerminalSnr: boolean): SchedulerConfig {
  return {
    trainSteps: 1000,
    betaStart: 0.00085,
    betaEnd: 0.012,
    betaSchedule: "scaled_linear",
    trainedBetas: null,
    timestepSpacing: "leading",
    stepsOffset: 1,
    predictionType: "epsilon",
    clipSample: false,
    clipSampleRange: 1,
    varianceType: "fixed_small",
    zeroTerminalSnr,
  };
}

/**
 * The stored file's text, read and resolved: a clear message naming the file on malformed JSON,
 * a wrong type, or a setting the sampler does not implement.
 */
export function schedulerConfigFromText(
  text: string,
  where: string,
  leffa: { readonly rescaleBetasZeroSnr?: boolean } = {},
): SchedulerConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UnsupportedSchedulerError(`${where} is not JSON: ${(err as Error).message}`);
  }
  try {
    return resolveSchedulerConfig(json, leffa);
  } catch (err) {
    if (err instanceof z.ZodError) {
      const issue = err.issues[0];
      throw new UnsupportedSchedulerError(
        `${where}: ${issue.path.join(".") || "the file"}: ${issue.message}`,
      );
    }
    if (err instanceof UnsupportedSchedulerError) {
      throw new UnsupportedSchedulerError(`${where}: ${err.message}`);
    }
    throw err;
  }
}
