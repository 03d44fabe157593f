import { legacySchedulerConfig, type SchedulerConfig } from "./scheduler-config";

/**
 * The DDPM scheduler Leffa samples with (leffa.md §2.5 step 5): diffusers' DDPMScheduler under
 * the checkpoint's scheduler config (scheduler-config.ts). For both Leffa bases that is
 * scaled_linear betas 0.00085 → 0.012 over 1000 training steps, "leading" timestep spacing with
 * steps_offset 1, epsilon prediction, fixed_small variance clamped at 1e-20, no clipping; pose
 * transfer (SDXL) rescales the betas to zero terminal SNR. Other configs are followed as
 * DDPMScheduler follows them: linear and squaredcos_cap_v2 betas or given ones, trailing and
 * linspace spacing, v_prediction and sample parameterisations, clip_sample with its range,
 * fixed_large variance.
 *
 * torch builds the tables in float32; every table entry here is rounded to float32 the same way
 * (Math.fround after each operation) so ᾱ matches the original to the last bit or close to it. The
 * per-step coefficients are then computed in double precision, which is at least as exact as
 * torch's float32 arithmetic on the same numbers.
 */

export type { SchedulerConfig } from "./scheduler-config";

/** Leffa's try-on scheduler (SD1.5 inpainting's config), and what older conversions assume. */
export const SD15_INPAINTING_SCHEDULER: SchedulerConfig = legacySchedulerConfig(false);

/** Leffa's pose-transfer scheduler: the same, rescaled to zero terminal SNR by Leffa's code. */
export const SDXL_POSE_TRANSFER_SCHEDULER: SchedulerConfig = legacySchedulerConfig(true);

/** The variance floor diffusers applies to fixed_small (keeps the last step's sqrt finite). */
export const MIN_VARIANCE = 1e-20;
/**
 * With zero terminal SNR, ᾱ at the last training step is exactly 0 and x̂0 would divide by zero;
 * like diffusers' Euler scheduler, that entry is lifted to 2^-24 when it is actually used.
 */
const ZERO_SNR_FLOOR = 2 ** -24;

const f = Math.fround;

/** torch.linspace(start, end, n, dtype=float32): fills from both ends towards the middle. */
function linspaceF32(start: number, end: number, n: number): Float64Array {
  const out = new Float64Array(n);
  const step = f(f(end - start) / (n - 1));
  const half = Math.floor(n / 2);
  for (let i = 0; i < n; i++) {
    out[i] = i < half ? f(start + step * i) : f(end - step * (n - 1 - i));
  }
  return out;
}

/** β_t for t = 0 … trainSteps − 1 (float32 values), as DDPMScheduler.__init__ makes them. */
export function betas(config: SchedulerConfig): Float64Array {
  const n = config.trainSteps;
  if (config.trainedBetas) return Float64Array.from(config.trainedBetas, f);
  switch (config.betaSchedule) {
    case "linear":
      return linspaceF32(f(config.betaStart), f(config.betaEnd), n);
    case "scaled_linear": {
      const roots = linspaceF32(f(Math.sqrt(config.betaStart)), f(Math.sqrt(config.betaEnd)), n);
      return roots.map((root) => f(root * root));
    }
    case "squaredcos_cap_v2": {
      // betas_for_alpha_bar (GLIDE's cosine schedule) in Python floats, then a float32 tensor.
      const alphaBar = (t: number) => Math.cos(((t + 0.008) / 1.008) * (Math.PI / 2)) ** 2;
      return Float64Array.from({ length: n }, (_, i) =>
        f(Math.min(1 - alphaBar((i + 1) / n) / alphaBar(i / n), 0.999)),
      );
    }
  }
}

/** ᾱ_t for t = 0 … trainSteps − 1, float32 values. */
export function alphasCumprod(config: SchedulerConfig): Float64Array {
  const beta = betas(config);
  const cumprod = new Float64Array(beta.length);
  let running = 1;
  for (let t = 0; t < beta.length; t++) {
    running = f(running * f(1 - beta[t]));
    cumprod[t] = running;
  }
  return config.zeroTerminalSnr ? rescaleZeroTerminalSnr(cumprod) : cumprod;
}

/**
 * Shifts and scales √ᾱ so that its last value is 0 and its first is unchanged, then squares it
 * back. diffusers does this on the betas (ᾱ → α_t = ᾱ_t/ᾱ_{t−1} → β → cumprod again); the
 * resulting ᾱ is the same up to rounding, so it is applied to ᾱ directly.
 */
export function rescaleZeroTerminalSnr(cumprod: Float64Array): Float64Array {
  const n = cumprod.length;
  const first = Math.sqrt(cumprod[0]);
  const last = Math.sqrt(cumprod[n - 1]);
  const scale = first / (first - last);
  const out = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    const root = (Math.sqrt(cumprod[t]) - last) * scale;
    out[t] = f(root * root);
  }
  return out;
}

/** numpy's round: halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * DDPMScheduler.set_timesteps(steps), descending (Table 2 of Lin et al. 2023):
 * - "leading": ratio = T // steps; t_i = round(i·ratio) + steps_offset;
 * - "trailing": round(arange(T, 0, −T/steps)) − 1 (ends at T − 1, spaced from the top);
 * - "linspace": round(linspace(0, T − 1, steps)), reversed.
 */
export function inferenceTimesteps(steps: number, config: SchedulerConfig): number[] {
  const T = config.trainSteps;
  if (!Number.isInteger(steps) || steps < 1 || steps > T) {
    throw new Error(`steps must be an integer from 1 to ${T}, got ${steps}`);
  }
  switch (config.timestepSpacing) {
    case "leading": {
      const ratio = Math.floor(T / steps);
      const out: number[] = [];
      for (let i = steps - 1; i >= 0; i--) out.push(i * ratio + config.stepsOffset);
      return out;
    }
    case "trailing": {
      // np.arange(T, 0, -ratio): ceil(T / ratio) values T − i·ratio.
      const ratio = T / steps;
      const count = Math.ceil((0 - T) / -ratio);
      return Array.from({ length: count }, (_, i) => roundHalfEven(T + i * -ratio) - 1);
    }
    case "linspace": {
      // np.linspace(0, T − 1, steps): i·step, the last value exactly T − 1.
      if (steps === 1) return [0];
      const step = (T - 1) / (steps - 1);
      const values = Array.from({ length: steps }, (_, i) =>
        i === steps - 1 ? T - 1 : roundHalfEven(i * step),
      );
      return values.reverse();
    }
  }
}

/** The scalar coefficients of one DDPM step: x_prev = a·x̂0 + b·x + σ·z. */
export interface StepCoefficients {
  readonly timestep: number;
  /** The next scheduled timestep, −1 after the last (ᾱ_prev = 1 there). */
  readonly prevTimestep: number;
  /** √(1 − ᾱ_t) */
  readonly sqrtOneMinusAlphaBar: number;
  /** √ᾱ_t */
  readonly sqrtAlphaBar: number;
  /** √ᾱ_prev · β_t / (1 − ᾱ_t) */
  readonly originalCoeff: number;
  /** √α_t · (1 − ᾱ_prev) / (1 − ᾱ_t) */
  readonly sampleCoeff: number;
  /** √variance; 0 at t = 0, where DDPM adds no noise. */
  readonly noiseStd: number;
}

/** A DDPM scheduler set to a number of inference steps. */
export class DdpmScheduler {
  readonly timesteps: readonly number[];
  private readonly alphaBar: Float64Array;

  constructor(
    readonly steps: number,
    readonly config: SchedulerConfig = SD15_INPAINTING_SCHEDULER,
  ) {
    this.timesteps = inferenceTimesteps(steps, config);
    this.alphaBar = alphasCumprod(config);
  }

  /** Where Leffa's ref_acceleration evaluates the reference UNet once: timesteps[steps // 2]. */
  get accelerationTimestep(): number {
    return this.timesteps[Math.floor(this.steps / 2)];
  }

  /**
   * DDPMScheduler.previous_timestep: the next timestep of the schedule, −1 after the last. For a
   * t the schedule does not hold (tests), the largest scheduled one below it.
   */
  previousTimestep(t: number): number {
    const i = this.timesteps.indexOf(t);
    if (i >= 0) return i + 1 < this.timesteps.length ? this.timesteps[i + 1] : -1;
    return this.timesteps.find((s) => s < t) ?? -1;
  }

  coefficients(t: number): StepCoefficients {
    if (!Number.isInteger(t) || t < 0 || t >= this.config.trainSteps) {
      throw new Error(`timestep ${t} is outside 0…${this.config.trainSteps - 1}`);
    }
    const prev = this.previousTimestep(t);
    const alphaBarT = Math.max(this.alphaBar[t], this.config.zeroTerminalSnr ? ZERO_SNR_FLOOR : 0);
    const alphaBarPrev = prev >= 0 ? this.alphaBar[prev] : 1;
    const alphaT = alphaBarT / alphaBarPrev;
    const betaT = 1 - alphaT;
    // fixed_small(_log): the posterior variance, clamped; fixed_large: β_t itself.
    const variance =
      this.config.varianceType === "fixed_large"
        ? betaT
        : Math.max(((1 - alphaBarPrev) / (1 - alphaBarT)) * betaT, MIN_VARIANCE);
    return {
      timestep: t,
      prevTimestep: prev,
      sqrtOneMinusAlphaBar: Math.sqrt(1 - alphaBarT),
      sqrtAlphaBar: Math.sqrt(alphaBarT),
      originalCoeff: (Math.sqrt(alphaBarPrev) * betaT) / (1 - alphaBarT),
      sampleCoeff: (Math.sqrt(alphaT) * (1 - alphaBarPrev)) / (1 - alphaBarT),
      noiseStd: t > 0 ? Math.sqrt(variance) : 0,
    };
  }

  /**
   * x̂0 from the model's output m, by the config's parameterisation, clipped to ±clip_sample_range
   * when clip_sample is on (DDPMScheduler.step, steps 2 and 3):
   * epsilon (x − √(1−ᾱ)·m)/√ᾱ · v_prediction √ᾱ·x − √(1−ᾱ)·m · sample m.
   */
  originalSample(c: StepCoefficients, x: number, m: number): number {
    let original: number;
    switch (this.config.predictionType) {
      case "epsilon":
        original = (x - c.sqrtOneMinusAlphaBar * m) / c.sqrtAlphaBar;
        break;
      case "v_prediction":
        original = c.sqrtAlphaBar * x - c.sqrtOneMinusAlphaBar * m;
        break;
      case "sample":
        original = m;
        break;
    }
    if (!this.config.clipSample) return original;
    const range = this.config.clipSampleRange;
    return Math.min(range, Math.max(-range, original));
  }

  /** x̂0 for a whole latent (previews), clipped like the step's. */
  predictedOriginal(t: number, sample: Float32Array, output: Float32Array): Float32Array {
    const c = this.coefficients(t);
    const out = new Float32Array(sample.length);
    for (let i = 0; i < out.length; i++) out[i] = this.originalSample(c, sample[i], output[i]);
    return out;
  }

  /**
   * One DDPM step in place on `sample` (x_t → x_{t−1}) from the guided model output (ε for
   * Leffa). `noise` supplies the variance noise (standard normals, one per element) and is only
   * read when t > 0.
   */
  step(t: number, epsilon: Float32Array, sample: Float32Array, noise: () => Float32Array): void {
    if (epsilon.length !== sample.length) {
      throw new Error(`ε has ${epsilon.length} values but the latent has ${sample.length}`);
    }
    const c = this.coefficients(t);
    const z = c.noiseStd > 0 ? noise() : undefined;
    if (z && z.length !== sample.length) {
      throw new Error(`the step noise has ${z.length} values but the latent has ${sample.length}`);
    }
    for (let i = 0; i < sample.length; i++) {
      const x = sample[i];
      const original = this.originalSample(c, x, epsilon[i]);
      let prev = c.originalCoeff * original + c.sampleCoeff * x;
      if (z) prev += c.noiseStd * z[i];
      sample[i] = prev;
    }
  }
}
