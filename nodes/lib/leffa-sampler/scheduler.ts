/**
 * The DDPM scheduler Leffa samples with (leffa.md §2.5 step 5): diffusers' DDPMScheduler under the
 * SD1.5-inpainting scheduler config — scaled_linear betas 0.00085 → 0.012 over 1000 training
 * steps, "leading" timestep spacing with steps_offset 1, epsilon prediction, fixed_small variance
 * clamped at 1e-20, no clipping or thresholding. Pose transfer (SDXL) uses the same scheduler with
 * the betas rescaled to zero terminal SNR.
 *
 * torch builds the tables in float32; every table entry here is rounded to float32 the same way
 * (Math.fround after each operation) so ᾱ matches the original to the last bit or close to it. The
 * per-step coefficients are then computed in double precision, which is at least as exact as
 * torch's float32 arithmetic on the same numbers.
 */

export interface SchedulerConfig {
  readonly trainSteps: number;
  readonly betaStart: number;
  readonly betaEnd: number;
  readonly stepsOffset: number;
  /** Zero terminal SNR (Lin et al. 2023, Algorithm 1): the SDXL pose-transfer scheduler. */
  readonly zeroTerminalSnr: boolean;
}

export const SD15_INPAINTING_SCHEDULER: SchedulerConfig = {
  trainSteps: 1000,
  betaStart: 0.00085,
  betaEnd: 0.012,
  stepsOffset: 1,
  zeroTerminalSnr: false,
};

export const SDXL_POSE_TRANSFER_SCHEDULER: SchedulerConfig = {
  ...SD15_INPAINTING_SCHEDULER,
  zeroTerminalSnr: true,
};

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

/** ᾱ_t for t = 0 … trainSteps − 1, float32 values. */
export function alphasCumprod(config: SchedulerConfig): Float64Array {
  const n = config.trainSteps;
  const roots = linspaceF32(f(Math.sqrt(config.betaStart)), f(Math.sqrt(config.betaEnd)), n);
  const cumprod = new Float64Array(n);
  let running = 1;
  for (let t = 0; t < n; t++) {
    const beta = f(roots[t] * roots[t]);
    running = f(running * f(1 - beta));
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

/** "leading" spacing: step_ratio = T // steps; t_i = i·ratio + offset, in descending order. */
export function leadingTimesteps(steps: number, config: SchedulerConfig): number[] {
  if (!Number.isInteger(steps) || steps < 1 || steps > config.trainSteps) {
    throw new Error(`steps must be an integer from 1 to ${config.trainSteps}, got ${steps}`);
  }
  const ratio = Math.floor(config.trainSteps / steps);
  const out: number[] = [];
  for (let i = steps - 1; i >= 0; i--) out.push(i * ratio + config.stepsOffset);
  return out;
}

/** The scalar coefficients of one DDPM step: x_prev = a·x̂0 + b·x + σ·z, x̂0 = (x − c·ε)/d. */
export interface StepCoefficients {
  readonly timestep: number;
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
  private readonly ratio: number;

  constructor(
    readonly steps: number,
    readonly config: SchedulerConfig = SD15_INPAINTING_SCHEDULER,
  ) {
    this.timesteps = leadingTimesteps(steps, config);
    this.alphaBar = alphasCumprod(config);
    this.ratio = Math.floor(config.trainSteps / steps);
  }

  /** Where Leffa's ref_acceleration evaluates the reference UNet once: timesteps[steps // 2]. */
  get accelerationTimestep(): number {
    return this.timesteps[Math.floor(this.steps / 2)];
  }

  coefficients(t: number): StepCoefficients {
    if (!Number.isInteger(t) || t < 0 || t >= this.config.trainSteps) {
      throw new Error(`timestep ${t} is outside 0…${this.config.trainSteps - 1}`);
    }
    const prev = t - this.ratio;
    const alphaBarT = Math.max(this.alphaBar[t], this.config.zeroTerminalSnr ? ZERO_SNR_FLOOR : 0);
    const alphaBarPrev = prev >= 0 ? this.alphaBar[prev] : 1;
    const alphaT = alphaBarT / alphaBarPrev;
    const betaT = 1 - alphaT;
    const variance = Math.max(((1 - alphaBarPrev) / (1 - alphaBarT)) * betaT, MIN_VARIANCE);
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
   * One DDPM step in place on `sample` (x_t → x_{t−1}) from the guided ε. `noise` supplies the
   * variance noise (standard normals, one per element) and is only read when t > 0.
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
      const original = (x - c.sqrtOneMinusAlphaBar * epsilon[i]) / c.sqrtAlphaBar;
      let prev = c.originalCoeff * original + c.sampleCoeff * x;
      if (z) prev += c.noiseStd * z[i];
      sample[i] = prev;
    }
  }
}
