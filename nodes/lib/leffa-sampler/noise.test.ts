import { describe, expect, it } from "vitest";
import { NormalNoise, portableLn } from "./noise";

// Computed independently with a Python transcription of the documented algorithm (SplitMix32 →
// xoshiro128** → 53-bit uniforms → Marsaglia polar method with math.log).
const SEED_42_WORDS = [660444221, 3652823732, 77672526, 910233633];
const SEED_42_NORMALS = [
  0.26752683279886763, 1.7424408507579792, 0.5813902645846303, -1.6928022796929545,
  0.8153199153614247, -0.4575232453291946,
];

describe("NormalNoise", () => {
  it("produces the documented xoshiro128** words for seed 42", () => {
    const noise = new NormalNoise(42);
    expect(SEED_42_WORDS.map(() => noise.nextUint32())).toEqual(SEED_42_WORDS);
  });

  it("produces fixed first normals for seed 42", () => {
    const noise = new NormalNoise(42);
    const values = SEED_42_NORMALS.map(() => noise.nextNormal());
    values.forEach((v, i) => expect(v).toBeCloseTo(SEED_42_NORMALS[i], 14));
    // Stored as float32 in tensors.
    expect(Array.from(new NormalNoise(42).normals(3))).toEqual(
      SEED_42_NORMALS.slice(0, 3).map(Math.fround),
    );
  });

  it("repeats for the same seed, differs for another, and wraps seeds to 32 bits", () => {
    const a = new NormalNoise(7).normals(1000);
    expect(new NormalNoise(7).normals(1000)).toEqual(a);
    expect(new NormalNoise(8).normals(1000)).not.toEqual(a);
    expect(new NormalNoise(-1).normals(4)).toEqual(new NormalNoise(2 ** 32 - 1).normals(4));
  });

  it("has the moments of a standard normal", () => {
    const values = new NormalNoise(123).normals(200_000);
    let mean = 0;
    for (const v of values) mean += v;
    mean /= values.length;
    let variance = 0;
    let beyond2 = 0;
    for (const v of values) {
      variance += (v - mean) ** 2;
      if (Math.abs(v) > 2) beyond2++;
    }
    variance /= values.length - 1;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(variance - 1)).toBeLessThan(0.015);
    // P(|z| > 2) = 4.55 %.
    expect(beyond2 / values.length).toBeCloseTo(0.0455, 2);
  });

  it("fills a reused buffer with the same stream", () => {
    const buffer = new Float32Array(5);
    const noise = new NormalNoise(9);
    expect(noise.fill(buffer)).toBe(buffer);
    const next = Array.from(noise.fill(buffer));
    expect(next).toEqual(Array.from(new NormalNoise(9).normals(10).subarray(5)));
  });

  it("rejects a seed that is not an integer", () => {
    expect(() => new NormalNoise(1.5)).toThrow(/integer/);
  });
});

describe("portableLn", () => {
  it("matches Math.log to within an ulp or two over many magnitudes", () => {
    for (const x of [1e-300, 1e-20, 3e-9, 0.001, 0.1, 0.5, 0.7071, 0.9999, 1, 1.5, 2, 10, 1e10]) {
      const expected = Math.log(x);
      expect(Math.abs(portableLn(x) - expected)).toBeLessThanOrEqual(
        Math.max(4e-16 * Math.abs(expected), 2e-16),
      );
    }
  });

  it("refuses non-positive input", () => {
    expect(() => portableLn(0)).toThrow();
    expect(() => portableLn(-1)).toThrow();
  });
});
