import { describe, expect, it } from "vitest";
import { computeFlowStep, topKInto, type FlowStepInput } from "./attention-flow";
import { coordinateGrid } from "./coordinate-grid";

const W = 4;
const H = 3;
const N = W * H;
/** One head of width N lets every token own an orthogonal direction (a one-hot). */
const D = N;

/** A fixed permutation of the N tokens. */
const PI = [7, 2, 11, 0, 5, 9, 1, 4, 10, 3, 8, 6];
const SIGMA = [3, 10, 6, 8, 0, 1, 11, 9, 2, 5, 7, 4];

/**
 * q, k for `heads` heads of width D: in head h, target token i's query is `qScale`·e_{maps[h][i]},
 * reference key j is `refScale`·e_j, own key j is `ownScale`·e_j. So in head h token i's real
 * logits are qScale·refScale/√D on reference key maps[h][i], qScale·ownScale/√D on own key
 * maps[h][i], and 0 on every other key.
 */
function oneHotAttention(
  maps: readonly (readonly number[])[],
  scales: { q: number; ref: number; own: number },
): { q: Float32Array; k: Float32Array } {
  const heads = maps.length;
  const c = heads * D;
  const q = new Float32Array(N * c);
  const k = new Float32Array(2 * N * c);
  maps.forEach((map, h) => {
    for (let i = 0; i < N; i++) {
      q[i * c + h * D + map[i]] = scales.q;
      k[i * c + h * D + i] = scales.own;
      k[(N + i) * c + h * D + i] = scales.ref;
    }
  });
  return { q, k };
}

function input(q: Float32Array, k: Float32Array, heads: number, more: Partial<FlowStepInput> = {}) {
  return {
    q,
    k,
    heads,
    gridWidth: W,
    gridHeight: H,
    temperature: 1,
    topK: 3,
    timestep: 250,
    ...more,
  };
}

/** √D·logit spread over q and key scales, so a scale product of `logit`·√D gives that logit. */
const scaleFor = (logit: number) => Math.sqrt(logit * Math.sqrt(D));

describe("computeFlowStep", () => {
  const grid = coordinateGrid(W, H);

  it("a permutation attention yields the permuted coordinates and top-1 indices", () => {
    const s = scaleFor(40);
    const { q, k } = oneHotAttention([PI], { q: s, ref: s, own: 0 });
    const step = computeFlowStep(input(q, k, 1, { temperature: 2 }));
    expect(step.timestep).toBe(250);
    for (let i = 0; i < N; i++) {
      expect(step.flow[2 * i]).toBeCloseTo(grid[2 * PI[i]], 4);
      expect(step.flow[2 * i + 1]).toBeCloseTo(grid[2 * PI[i] + 1], 4);
      expect(step.topIndices[3 * i]).toBe(PI[i]);
      expect(step.topWeights[3 * i]).toBeCloseTo(1, 5);
      // The remaining weights are tied (all ≈ 0): ties go to the lowest indices other than π(i).
      const rest = [0, 1, 2].filter((j) => j !== PI[i]).slice(0, 2);
      expect(Array.from(step.topIndices.slice(3 * i + 1, 3 * i + 3))).toEqual(rest);
    }
  });

  it("averages heads: two heads looking at π(i) and σ(i) give the mid-point", () => {
    const s = scaleFor(40);
    const { q, k } = oneHotAttention([PI, SIGMA], { q: s, ref: s, own: 0 });
    const step = computeFlowStep(input(q, k, 2, { topK: 2 }));
    for (let i = 0; i < N; i++) {
      expect(step.flow[2 * i]).toBeCloseTo((grid[2 * PI[i]] + grid[2 * SIGMA[i]]) / 2, 4);
      expect(step.flow[2 * i + 1]).toBeCloseTo(
        (grid[2 * PI[i] + 1] + grid[2 * SIGMA[i] + 1]) / 2,
        4,
      );
      // Two weights of 0.5 each, tied: the lower index comes first.
      const pair = [PI[i], SIGMA[i]].sort((a, b) => a - b);
      expect(Array.from(step.topIndices.slice(2 * i, 2 * i + 2))).toEqual(pair);
      expect(step.topWeights[2 * i]).toBeCloseTo(0.5, 5);
      expect(step.topWeights[2 * i + 1]).toBeCloseTo(0.5, 5);
    }
  });

  it("confidence is the real attention's mass on the reference keys", () => {
    // Reference logit A, own logit B on the matching keys, 0 on the other 2(N − 1) keys.
    const share = (a: number, b: number) =>
      (Math.exp(a) + N - 1) / (Math.exp(a) + Math.exp(b) + 2 * (N - 1));
    const cases: [number, number][] = [
      [12, 0], // strong reference, orthogonal (zero) own keys → ≈ 1
      [3, 3], // equal → 0.5
      [0.5, 9], // own keys much stronger → ≈ 0
      [2, 1],
    ];
    for (const [a, b] of cases) {
      const qs = 2;
      const { q, k } = oneHotAttention([PI], {
        q: qs,
        ref: (a * Math.sqrt(D)) / qs,
        own: (b * Math.sqrt(D)) / qs,
      });
      // τ must not change the confidence: it always uses the real attention (τ = 1).
      const step = computeFlowStep(input(q, k, 1, { temperature: 5 }));
      for (let i = 0; i < N; i++) expect(step.confidence[i]).toBeCloseTo(share(a, b), 5);
    }
  });

  it("a larger temperature smooths the flow toward the mean coordinate", () => {
    const s = scaleFor(3);
    const { q, k } = oneHotAttention([PI], { q: s, ref: s, own: 0 });
    // The grid's mean coordinate is (0, 0): measure the flow's distance from it.
    const spread = (temperature: number) => {
      const { flow } = computeFlowStep(input(q, k, 1, { temperature }));
      return flow.reduce((sum, v) => sum + v * v, 0);
    };
    const spreads = [0.5, 1, 2, 4, 1000].map(spread);
    for (let t = 1; t < spreads.length; t++) expect(spreads[t]).toBeLessThan(spreads[t - 1]);
    expect(spreads[spreads.length - 1]).toBeLessThan(1e-4);
  });

  it("matches a naive dense computation on random inputs", () => {
    const heads = 2;
    const c = 6;
    const q = Float32Array.from({ length: N * c }, (_, i) => Math.sin(i * 1.3) * 2);
    const k = Float32Array.from({ length: 2 * N * c }, (_, i) => Math.cos(i * 0.7 + 1) * 2);
    const tau = 1.7;
    const d = c / heads;
    const dot = (i: number, j: number, h: number) => {
      let s = 0;
      for (let x = 0; x < d; x++) s += q[i * c + h * d + x] * k[j * c + h * d + x];
      return s / Math.sqrt(d);
    };
    const softmax = (v: number[]) => {
      const e = v.map((x) => Math.exp(x - Math.max(...v)));
      const z = e.reduce((a, b) => a + b, 0);
      return e.map((x) => x / z);
    };
    const step = computeFlowStep(input(q, k, heads, { temperature: tau, topK: 4 }));
    for (let i = 0; i < N; i++) {
      const mean = new Array<number>(N).fill(0);
      let conf = 0;
      for (let h = 0; h < heads; h++) {
        const real = softmax(Array.from({ length: 2 * N }, (_, j) => dot(i, j, h)));
        conf += real.slice(N).reduce((a, b) => a + b, 0) / heads;
        const a = softmax(Array.from({ length: N }, (_, j) => dot(i, N + j, h) / tau));
        a.forEach((p, j) => (mean[j] += p / heads));
      }
      const fx = mean.reduce((s, p, j) => s + p * grid[2 * j], 0);
      const fy = mean.reduce((s, p, j) => s + p * grid[2 * j + 1], 0);
      expect(step.flow[2 * i]).toBeCloseTo(fx, 5);
      expect(step.flow[2 * i + 1]).toBeCloseTo(fy, 5);
      expect(step.confidence[i]).toBeCloseTo(conf, 5);
      const order = mean.map((p, j) => [p, j]).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
      expect(Array.from(step.topIndices.slice(4 * i, 4 * i + 4))).toEqual(
        order.slice(0, 4).map(([, j]) => j),
      );
      order.slice(0, 4).forEach(([p], r) => expect(step.topWeights[4 * i + r]).toBeCloseTo(p, 6));
    }
  });

  it("rejects inconsistent shapes and options with clear messages", () => {
    const q = new Float32Array(N * 4);
    const k = new Float32Array(2 * N * 4);
    expect(() => computeFlowStep(input(q.subarray(1), k, 1))).toThrow(/q has 47 values/);
    expect(() => computeFlowStep(input(q, k.subarray(4), 1))).toThrow(/k has 92 values.*2N·C/);
    expect(() => computeFlowStep(input(q, k, 3))).toThrow(/4 channels.*3 heads/);
    expect(() => computeFlowStep(input(q, k, 1, { topK: N + 1 }))).toThrow(/topK/);
    expect(() => computeFlowStep(input(q, k, 1, { temperature: 0 }))).toThrow(/temperature/);
    expect(() => computeFlowStep(input(q, k, 1, { gridWidth: 0 }))).toThrow(/gridWidth/);
  });
});

describe("topKInto", () => {
  it("orders largest first and breaks ties toward the lower index", () => {
    const indices = new Int32Array(4);
    const weights = new Float32Array(4);
    topKInto(Float64Array.from([0.1, 0.4, 0.2, 0.4, 0.05, 0.2]), 4, indices, weights, 0);
    expect(Array.from(indices)).toEqual([1, 3, 2, 5]);
    expect(Array.from(weights)).toEqual([0.4, 0.4, 0.2, 0.2].map(Math.fround));
  });
});
