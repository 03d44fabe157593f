import { describe, expect, it } from "vitest";
import { resnetBlock } from "./resnet";
import { type Param, fromArray, numel } from "./tensor";

const filled = (shape: number[], value: number): Param =>
  fromArray(shape, Array(numel(shape)).fill(value));

/** A resnet whose conv2 is zero, so its output is exactly the shortcut. */
function weights(cin: number, cout: number, extra: Record<string, Param> = {}) {
  return new Map<string, Param>([
    ["r.norm1.weight", filled([cin], 1)],
    ["r.norm1.bias", filled([cin], 0)],
    ["r.conv1.weight", filled([cout, cin, 3, 3], 0.1)],
    ["r.conv1.bias", filled([cout], 0)],
    ["r.norm2.weight", filled([cout], 1)],
    ["r.norm2.bias", filled([cout], 0)],
    ["r.conv2.weight", filled([cout, cout, 3, 3], 0)],
    ["r.conv2.bias", filled([cout], 0)],
    ...Object.entries(extra),
  ]);
}

describe("resnetBlock", () => {
  const x = fromArray([1, 2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
  const options = { groups: 1, eps: 1e-5 };

  it("adds the residual unscaled (output_scale_factor 1)", () => {
    expect(resnetBlock(weights(2, 2), "r", x, null, options)).toEqual(x);
  });

  it("uses the 1×1 conv_shortcut when the channel count changes", () => {
    const w = weights(2, 1, {
      "r.conv_shortcut.weight": fromArray([1, 2, 1, 1], [1, -1]),
      "r.conv_shortcut.bias": fromArray([1], [0.5]),
    });
    const y = resnetBlock(w, "r", x, null, options);
    expect(Array.from(y.data)).toEqual([-3.5, -3.5, -3.5, -3.5]);
  });

  it("adds time_emb_proj(SiLU(temb)) per channel after conv1, before norm2", () => {
    // conv2 = centre tap 1, so the output shows norm2's input; one group of two channels sees the
    // per-channel time offsets, which are otherwise equal everywhere.
    const centre = fromArray([2, 2, 3, 3], Array(36).fill(0));
    centre.data[4] = 1; // out 0 ← in 0
    centre.data[(1 * 2 + 1) * 9 + 4] = 1; // out 1 ← in 1
    const w = weights(2, 2, {
      "r.conv1.weight": filled([2, 2, 3, 3], 0),
      "r.conv2.weight": centre,
      "r.time_emb_proj.weight": fromArray([2, 1], [1, -1]),
      "r.time_emb_proj.bias": fromArray([2], [0, 0]),
    });
    const temb = fromArray([1, 1], [3]);
    const y = resnetBlock(w, "r", x, temb, options);
    // After conv1 (zero): channel 0 = s, channel 1 = −s with s = SiLU(3). norm2 over both
    // channels: mean 0, variance s², so ±s/√(s² + eps); then SiLU; then + x.
    const s = 3 / (1 + Math.exp(-3));
    const n = s / Math.sqrt(s * s + 1e-5);
    const silu = (v: number) => v / (1 + Math.exp(-v));
    y.data.forEach((v, i) => expect(v).toBeCloseTo(x.data[i] + (i < 4 ? silu(n) : silu(-n)), 12));
  });
});
