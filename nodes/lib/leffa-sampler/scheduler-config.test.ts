import { describe, expect, it } from "vitest";
import {
  DDPM_DEFAULTS,
  LEFFA_BASE_SCHEDULERS,
  legacySchedulerConfig,
  resolveSchedulerConfig,
  schedulerConfigFromText,
  SD15_INPAINTING_SCHEDULER_JSON,
  SDXL_INPAINTING_SCHEDULER_JSON,
  UnsupportedSchedulerError,
} from "./scheduler-config";

describe("scheduler_config.json as Leffa's DDPMScheduler.from_pretrained reads it", () => {
  it("resolves both base folders' files to what the sampler always assumed", () => {
    for (const [base, { file, rescaleBetasZeroSnr }] of Object.entries(LEFFA_BASE_SCHEDULERS)) {
      const config = resolveSchedulerConfig(file, { rescaleBetasZeroSnr });
      expect(config, base).toEqual(legacySchedulerConfig(base === "SDXL"));
    }
  });

  it("serialises the base files to the byte sizes the hub lists (313 and 479 bytes)", () => {
    // json.dumps(indent=2) plus a newline; Python writes the float 1.0 as "1.0", JSON.stringify "1".
    const size = (json: object) =>
      `${JSON.stringify(json, null, 2).replace('"sample_max_value": 1,', '"sample_max_value": 1.0,')}\n`
        .length;
    expect(size(SD15_INPAINTING_SCHEDULER_JSON)).toBe(313);
    expect(size(SDXL_INPAINTING_SCHEDULER_JSON)).toBe(479);
  });

  it("fills missing keys with DDPMScheduler's defaults: clip_sample true, offset 0, linear", () => {
    const config = resolveSchedulerConfig({});
    expect(config).toEqual({
      trainSteps: 1000,
      betaStart: 0.0001,
      betaEnd: 0.02,
      betaSchedule: "linear",
      trainedBetas: null,
      timestepSpacing: "leading",
      stepsOffset: 0,
      predictionType: "epsilon",
      clipSample: true,
      clipSampleRange: 1,
      varianceType: "fixed_small",
      zeroTerminalSnr: false,
    });
    expect(DDPM_DEFAULTS.clip_sample).toBe(true);
    // The SD1.5 file without its clip_sample line would clip every x̂0.
    const { clip_sample: _dropped, ...withoutClip } = SD15_INPAINTING_SCHEDULER_JSON;
    expect(resolveSchedulerConfig(withoutClip).clipSample).toBe(true);
  });

  it("takes zero-SNR from Leffa's code over the file, and the file's own otherwise", () => {
    const file = { ...SDXL_INPAINTING_SCHEDULER_JSON, rescale_betas_zero_snr: false };
    expect(resolveSchedulerConfig(file, { rescaleBetasZeroSnr: true }).zeroTerminalSnr).toBe(true);
    expect(resolveSchedulerConfig({ rescale_betas_zero_snr: true }).zeroTerminalSnr).toBe(true);
  });

  it("reads the settings it implements", () => {
    const config = resolveSchedulerConfig({
      clip_sample: true,
      clip_sample_range: 2.5,
      timestep_spacing: "trailing",
      prediction_type: "v_prediction",
      beta_schedule: "squaredcos_cap_v2",
      variance_type: "fixed_large",
      use_karras_sigmas: true, // an Euler key: ignored, as DDPMScheduler ignores it
    });
    expect(config).toMatchObject({
      clipSample: true,
      clipSampleRange: 2.5,
      timestepSpacing: "trailing",
      predictionType: "v_prediction",
      betaSchedule: "squaredcos_cap_v2",
      varianceType: "fixed_large",
    });
  });

  it("refuses, naming it, a setting the sampler does not implement", () => {
    const refused = (file: object) => () => resolveSchedulerConfig(file);
    expect(refused({ thresholding: true })).toThrow(/thresholding: true/);
    expect(refused({ variance_type: "learned_range" })).toThrow(
      /variance_type: "learned_range" is not implemented/,
    );
    expect(refused({ beta_schedule: "sigmoid" })).toThrow(/beta_schedule: "sigmoid"/);
    expect(refused({ timestep_spacing: "karras" })).toThrow(/timestep_spacing: "karras"/);
    expect(refused({ trained_betas: [0.1, 0.2] })).toThrow(/trained_betas has 2 values/);
    expect(refused({ thresholding: true })).toThrow(UnsupportedSchedulerError);
  });

  it("names the file and the key for malformed text", () => {
    const where = "leffa-vton-hd-gen-unet/scheduler_config.json";
    expect(() => schedulerConfigFromText("{", where)).toThrow(/scheduler_config.json is not JSON/);
    expect(() => schedulerConfigFromText('{"clip_sample": "yes"}', where)).toThrow(
      /scheduler_config.json: clip_sample: /,
    );
    expect(() => schedulerConfigFromText('{"steps_offset": -1}', where)).toThrow(/steps_offset/);
    expect(() => schedulerConfigFromText('{"thresholding": true}', where)).toThrow(
      /^leffa-vton-hd-gen-unet\/scheduler_config.json: thresholding/,
    );
    expect(schedulerConfigFromText('{"clip_sample": false}', where).clipSample).toBe(false);
  });
});
