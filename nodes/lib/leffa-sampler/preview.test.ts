import { describe, expect, it } from "vitest";
import { latentPreview } from "./preview";

describe("latentPreview", () => {
  it("maps a zero latent to mid-grey and follows the linear map", () => {
    const zero = latentPreview(new Float32Array(4 * 6), 3, 2, "SD1.5");
    expect([zero.width, zero.height]).toEqual([3, 2]);
    expect(Array.from(zero.data.subarray(0, 4))).toEqual([128, 128, 128, 255]);
    // Channel 0 alone at 1: RGB = (1 + [0.3512, 0.2297, 0.3227]) · 127.5.
    const one = new Float32Array(4);
    one[0] = 1;
    const px = latentPreview(one, 1, 1, "SD1.5").data;
    expect(Array.from(px.subarray(0, 3))).toEqual([172, 157, 169]);
  });

  it("uses SDXL's own fit, with its offset, for the pose-transfer latents", () => {
    const zero = latentPreview(new Float32Array(4), 1, 1, "SDXL").data;
    // (1 + [0.1084, −0.0175, −0.0011]) · 127.5
    expect(Array.from(zero.subarray(0, 3))).toEqual([141, 125, 127]);
    const one = new Float32Array(4);
    one[0] = 1;
    // (1 + 0.1084 + 0.3651, 1 − 0.0175 + 0.4232, 1 − 0.0011 + 0.4341) · 127.5
    expect(Array.from(latentPreview(one, 1, 1, "SDXL").data.subarray(0, 3))).toEqual([
      188, 179, 183,
    ]);
  });

  it("checks the latent size", () => {
    expect(() => latentPreview(new Float32Array(5), 1, 1, "SD1.5")).toThrow(/4×1×1/);
  });
});
