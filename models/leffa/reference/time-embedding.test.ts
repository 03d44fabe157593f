import { describe, expect, it } from "vitest";
import { timeEmbedding, timestepSinusoid } from "./time-embedding";
import { fromArray } from "./tensor";

describe("timestepSinusoid", () => {
  it("puts cos first with flip_sin_to_cos, frequencies exp(−ln(1e4)·i/half)", () => {
    // dim 4 → half 2, frequencies 1 and 10000^(−1/2) = 0.01; t = 100 gives arguments 100 and 1.
    const e = timestepSinusoid([100], 4, true, 0);
    const expected = [Math.cos(100), Math.cos(1), Math.sin(100), Math.sin(1)];
    // 1e-6: the arguments are float32 values, as in diffusers (t·freq computed in float32).
    e.data.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
  });

  it("keeps sin first without the flip and honours the frequency shift", () => {
    // freq_shift 1: exponent divides by half − 1 = 1, so the second frequency is 1e-4.
    const e = timestepSinusoid([1000, 0], 4, false, 1);
    const expected = [Math.sin(1000), Math.sin(0.1), Math.cos(1000), Math.cos(0.1), 0, 0, 1, 1];
    e.data.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
  });

  it("rounds t·freq to float32 like torch does", () => {
    const half = 160;
    const freq = Math.fround(Math.exp(Math.fround(Math.fround(-Math.log(10000)) * 3) / half));
    const arg = Math.fround(999 * freq);
    expect(timestepSinusoid([999], 320, true, 0).data[3]).toBe(Math.cos(arg));
  });
});

describe("timeEmbedding", () => {
  it("is linear_1 → SiLU → linear_2 on the sinusoid", () => {
    // dim 2 at t = 0: sinusoid [cos 0, sin 0] = [1, 0].
    const w = new Map([
      ["time_embedding.linear_1.weight", fromArray([1, 2], [2, 5])],
      ["time_embedding.linear_1.bias", fromArray([1], [0.5])],
      ["time_embedding.linear_2.weight", fromArray([2, 1], [1, -3])],
      ["time_embedding.linear_2.bias", fromArray([2], [0, 1])],
    ]);
    const e = timeEmbedding(w, [0], 2, true, 0);
    const hidden = 2.5 / (1 + Math.exp(-2.5)); // SiLU(2·1 + 5·0 + 0.5)
    expect(e.shape).toEqual([1, 2]);
    expect(e.data[0]).toBeCloseTo(hidden, 14);
    expect(e.data[1]).toBeCloseTo(-3 * hidden + 1, 14);
  });
});
