import { describe, expect, it } from "vitest";
import { latentPreview } from "./preview";

describe("latentPreview", () => {
  it("maps a zero latent to mid-grey and follows the linear map", () => {
    const zero = latentPreview(new Float32Array(4 * 6), 3, 2);
    expect([zero.width, zero.height]).toEqual([3, 2]);
    expect(Array.from(zero.data.subarray(0, 4))).toEqual([128, 128, 128, 255]);
    // Channel 0 alone at 1: RGB = (1 + [0.3512, 0.2297, 0.3227]) · 127.5.
    const one = new Float32Array(4);
    one[0] = 1;
    const px = latentPreview(one, 1, 1).data;
    expect(Array.from(px.subarray(0, 3))).toEqual([172, 157, 169]);
  });

  it("checks the latent size", () => {
    expect(() => latentPreview(new Float32Array(5), 1, 1)).toThrow(/4×1×1/);
  });
});
