import { describe, expect, it } from "vitest";
import { applyAffine, invertAffine, schpFitMatrix } from "./affine";

describe("schpFitMatrix", () => {
  it("puts a 384×512 person into 512² with the long side spanning it and 64 px of border each side", () => {
    // box = max(383, 511) = 511, k = 511 / 511, centre (191.5, 255.5) → (255.5, 255.5).
    expect(schpFitMatrix(384, 512, 512)).toEqual([1, 0, 64, 0, 1, 0]);
  });

  it("scales by (S − 1) / (longest side − 1) around the centres", () => {
    // 4×6 into 8: k = 7 / 5 = 1.4; x' = 1.4 x + 3.5 − 1.4·1.5; y' = 1.4 y + 3.5 − 1.4·2.5.
    const m = schpFitMatrix(4, 6, 8);
    const expected = [1.4, 0, 1.4, 0, 1.4, 0];
    m.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 12));
  });

  it("maps the corners of the long side onto 0 and S − 1 for the 473² LIP input", () => {
    const m = schpFitMatrix(384, 512, 473);
    const k = 472 / 511;
    expect(m[0]).toBeCloseTo(k, 12);
    expect(m[2]).toBeCloseTo(236 - k * 191.5, 12);
    expect(applyAffine(m, 0, 0)[1]).toBeCloseTo(0, 9);
    expect(applyAffine(m, 383, 511)[1]).toBeCloseTo(472, 9);
    expect(applyAffine(m, 191.5, 255.5)).toEqual([236, 236]);
  });

  it("centres a wide image vertically", () => {
    const m = schpFitMatrix(9, 3, 9);
    expect(m).toEqual([1, 0, 0, 0, 1, 3]);
  });

  it("refuses images too small to fit", () => {
    expect(() => schpFitMatrix(1, 5, 512)).toThrow(/at least 2×2/);
  });
});

describe("invertAffine", () => {
  it("inverts a scale and shift", () => {
    const inv = invertAffine([2, 0, 4, 0, 4, -8]);
    expect(inv).toEqual([0.5, -0, -2, -0, 0.25, 2]);
  });

  it("round-trips points through a general matrix", () => {
    const m = [1.5, 0.25, -3, -0.5, 2, 7] as const;
    const [x, y] = applyAffine(invertAffine(m), ...applyAffine(m, 12.5, -4));
    expect(x).toBeCloseTo(12.5, 12);
    expect(y).toBeCloseTo(-4, 12);
  });

  it("refuses a singular matrix", () => {
    expect(() => invertAffine([1, 2, 0, 2, 4, 0])).toThrow(/singular/);
  });
});
