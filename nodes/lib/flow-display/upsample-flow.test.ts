import { describe, expect, it } from "vitest";
import { bilinearAxis, upsampleBilinear, upsampleConfidence, upsampleFlow } from "./upsample-flow";

const close = (actual: Float32Array, expected: number[]) =>
  expect(Array.from(actual)).toEqual(expected.map((v) => expect.closeTo(v, 6)));

describe("bilinearAxis (torch align_corners=False)", () => {
  it("maps ×2 upsampling to quarter steps with clamped edges", () => {
    // s = (i + 0.5) / 2 − 0.5 → −0.25 (clamped to 0), 0.25, 0.75, 1.25 (upper clamped to 1).
    const t = bilinearAxis(2, 4);
    expect(Array.from(t.lower)).toEqual([0, 0, 0, 1]);
    expect(Array.from(t.upper)).toEqual([1, 1, 1, 1]);
    close(t.fraction, [0, 0.25, 0.75, 0.25]);
  });

  it("is the identity at equal size", () => {
    const t = bilinearAxis(3, 3);
    expect(Array.from(t.lower)).toEqual([0, 1, 2]);
    close(t.fraction, [0, 0, 0]);
  });
});

describe("upsampleBilinear", () => {
  it("matches hand-computed torch values for a 2×1 ramp", () => {
    // torch: F.interpolate(tensor([[[[0., 1.]]]]), size=(1, 4), mode="bilinear") = 0, .25, .75, 1
    close(upsampleConfidence(Float32Array.from([0, 1]), 2, 1, 4, 1), [0, 0.25, 0.75, 1]);
  });

  it("blends both axes for a 2×2 grid to 4×4", () => {
    const out = upsampleConfidence(Float32Array.from([0, 1, 2, 3]), 2, 2, 4, 4);
    close(
      out,
      [
        [0, 0.25, 0.75, 1],
        [0.5, 0.75, 1.25, 1.5],
        [1.5, 1.75, 2.25, 2.5],
        [2, 2.25, 2.75, 3],
      ].flat(),
    );
  });

  it("keeps the flow's x and y channels apart", () => {
    // Token 0 = (−1, 0.5), token 1 = (1, −0.5); a 2×1 grid to 4×1.
    const out = upsampleFlow(Float32Array.from([-1, 0.5, 1, -0.5]), 2, 1, 4, 1);
    close(out, [-1, 0.5, -0.5, 0.25, 0.5, -0.25, 1, -0.5]);
  });

  it("handles non-integer ratios (3 tokens to 4 pixels)", () => {
    // s = (x + 0.5)·0.75 − 0.5 = −0.125 → 0, 0.625, 1.375, 2.125 → upper clamped.
    close(upsampleConfidence(Float32Array.from([0, 10, 20]), 3, 1, 4, 1), [0, 6.25, 13.75, 20]);
  });

  it("rejects a buffer of the wrong length", () => {
    expect(() => upsampleBilinear(new Float32Array(5), 2, 2, 1, 4, 4)).toThrow(
      /expected 2×1×2 = 4/,
    );
  });
});
