import type { FlowStep } from "../../core/flow";

/**
 * "Mean over steps" for the flow visualiser (leffa.md §3.2: the correspondence is meaningful
 * at low noise, so the loss used t < 500 and averaging those steps is reasonable).
 */

/** The loss's θ_timestep (leffa.md §3.1): steps at t < 500 carry a usable correspondence. */
export const LOW_NOISE_TIMESTEP = 500;

export const isLowNoise = (timestep: number): boolean => timestep < LOW_NOISE_TIMESTEP;

/** The steps whose timestep passes `keep` (default t < 500), in their original order. */
export function pickSteps(
  steps: readonly FlowStep[],
  keep: (timestep: number) => boolean = isLowNoise,
): FlowStep[] {
  return steps.filter((step) => keep(step.timestep));
}

export interface AveragedFlow {
  /** [N · 2] interleaved x, y: the element-wise mean of the steps' flows. */
  readonly flow: Float32Array;
  /** [N]: the mean confidence. */
  readonly confidence: Float32Array;
  /** How many steps were averaged. */
  readonly count: number;
}

/**
 * The element-wise mean of the steps' flow and confidence (accumulated in float64). Top-K lists
 * are not averaged: their indices differ per step, a consumer shows one step's.
 */
export function averageFlowSteps(steps: readonly FlowStep[]): AveragedFlow {
  if (steps.length === 0) throw new Error("averageFlowSteps: no steps to average");
  const n = steps[0].confidence.length;
  const flow = new Float64Array(n * 2);
  const confidence = new Float64Array(n);
  for (const step of steps) {
    if (step.confidence.length !== n || step.flow.length !== 2 * n) {
      throw new Error(
        `averageFlowSteps: step at t=${step.timestep} has ${step.confidence.length} tokens ` +
          `(flow ${step.flow.length} values), the first step ${n}`,
      );
    }
    for (let i = 0; i < 2 * n; i++) flow[i] += step.flow[i];
    for (let i = 0; i < n; i++) confidence[i] += step.confidence[i];
  }
  const count = steps.length;
  return {
    flow: Float32Array.from(flow, (v) => v / count),
    confidence: Float32Array.from(confidence, (v) => v / count),
    count,
  };
}
