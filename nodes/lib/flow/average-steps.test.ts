import { describe, expect, it } from "vitest";
import { averageFlowSteps, pickSteps } from "./average-steps";
import type { FlowStep } from "../../core/flow";

function step(timestep: number, flow: number[], confidence: number[]): FlowStep {
  return {
    timestep,
    flow: Float32Array.from(flow),
    confidence: Float32Array.from(confidence),
    topIndices: new Int32Array(confidence.length),
    topWeights: new Float32Array(confidence.length),
  };
}

describe("pickSteps", () => {
  const steps = [step(999, [0, 0], [0]), step(500, [0, 0], [0]), step(499, [0, 0], [0])];

  it("keeps t < 500 by default, in order", () => {
    expect(pickSteps(steps).map((s) => s.timestep)).toEqual([499]);
  });

  it("takes any timestep predicate", () => {
    expect(pickSteps(steps, (t) => t >= 500).map((s) => s.timestep)).toEqual([999, 500]);
  });
});

describe("averageFlowSteps", () => {
  it("averages flow and confidence element-wise", () => {
    const avg = averageFlowSteps([
      step(400, [1, -1, 0.5, 0], [1, 0.2]),
      step(300, [0, 1, -0.5, 0.25], [0, 0.4]),
      step(200, [-0.4, 0.3, 0, 0.5], [0.5, 0.6]),
    ]);
    expect(avg.count).toBe(3);
    const expected = [0.6 / 3, 0.3 / 3, 0, 0.75 / 3];
    avg.flow.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
    expect(avg.confidence[0]).toBeCloseTo(0.5, 6);
    expect(avg.confidence[1]).toBeCloseTo(0.4, 6);
  });

  it("rejects an empty list and steps of different grids", () => {
    expect(() => averageFlowSteps([])).toThrow(/no steps/);
    expect(() => averageFlowSteps([step(1, [0, 0], [0]), step(2, [0, 0, 0, 0], [0, 0])])).toThrow(
      /t=2 has 2 tokens/,
    );
  });
});
