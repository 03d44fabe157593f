import { describe, expect, it } from "vitest";
import { TINY_UNET } from "../config";
import { unetKeyShapes } from "./keys";
import { randomUNetWeights, randomWeights } from "./random-weights";

describe("random weights", () => {
  it("are reproducible from the seed and differ between seeds", () => {
    const first = (seed: number) =>
      randomUNetWeights(TINY_UNET, "ref", seed).get("conv_in.weight")!;
    expect(first(7).data).toEqual(first(7).data);
    expect(first(8).data).not.toEqual(first(7).data);
  });

  it("cover every live key with its shape, float32-exact values and O(1)-preserving scales", () => {
    const w = randomUNetWeights(TINY_UNET, "ref", 1);
    const live = unetKeyShapes(TINY_UNET, "ref").filter((k) => k.live);
    expect([...w.keys()]).toEqual(live.map((k) => k.key));
    for (const { key, shape } of live) {
      const p = w.get(key);
      expect(p?.shape).toEqual(shape);
      expect(p?.data.every((v) => Math.fround(v) === v)).toBe(true);
    }
    const std = (data: Float64Array, mean = 0) =>
      Math.sqrt(data.reduce((s, v) => s + (v - mean) ** 2, 0) / data.length);
    // ff.net.0.proj.weight is [256, 32]: std 1/√32.
    const proj = w.get("down_blocks.0.attentions.0.transformer_blocks.0.ff.net.0.proj.weight");
    expect(std(proj?.data ?? new Float64Array())).toBeCloseTo(1 / Math.sqrt(32), 2);
    const scale = w.get("conv_in.bias");
    expect(std(scale?.data ?? new Float64Array())).toBeLessThan(0.2);
    const norm = w.get("down_blocks.0.resnets.0.norm1.weight")?.data ?? new Float64Array();
    expect(norm.every((v) => v > 0.5 && v < 1.5)).toBe(true);
  });

  it("include dead keys only when asked, leaving the live keys' values unchanged", () => {
    const keys = unetKeyShapes(TINY_UNET, "gen");
    const complete = randomWeights(keys, 1, { includeDead: true });
    expect(complete.size).toBe(keys.length);
    const same = [...randomWeights(keys, 1)].every(([key, p]) => {
      const q = complete.get(key)?.data;
      return q !== undefined && q.length === p.data.length && q.every((v, i) => v === p.data[i]);
    });
    expect(same).toBe(true);
    expect(
      randomWeights(keys, 1).has(
        "down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_q.weight",
      ),
    ).toBe(false);
  });
});
