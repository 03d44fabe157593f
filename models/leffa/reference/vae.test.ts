import { describe, expect, it } from "vitest";
import { TINY_VAE } from "../config";
import { vaeKeyShapes } from "./keys";
import { randomVaeWeights, seededNormal } from "./random-weights";
import type { F64Tensor, Param, Weights } from "./tensor";
import { referenceVaeDecode, referenceVaeEncode } from "./vae";

function randomTensor(shape: number[], seed: number, scale = 1): F64Tensor {
  const normal = seededNormal(seed);
  const count = shape.reduce((a, b) => a * b);
  return { shape, data: Float64Array.from({ length: count }, () => scale * normal()) };
}

describe("reference VAE", () => {
  const w = randomVaeWeights(TINY_VAE, 3);
  const image = randomTensor([2, 3, 16, 16], 1, 0.5);
  const latent = randomTensor([2, 4, 8, 8], 2);

  it("encodes H×W to H/2×W/2 latents (two levels, one downsampler) and decodes back", () => {
    expect(referenceVaeEncode(TINY_VAE, w, image).shape).toEqual([2, 4, 8, 8]);
    const decoded = referenceVaeDecode(TINY_VAE, w, latent);
    expect(decoded.shape).toEqual([2, 3, 16, 16]);
    expect(decoded.data.every((v) => v >= 0 && v <= 1)).toBe(true);
  });

  it("reads every VAE key", () => {
    const read = new Set<string>();
    const recording = { get: (k: string) => (read.add(k), w.get(k)) } as unknown as Weights;
    referenceVaeEncode(TINY_VAE, recording, image);
    referenceVaeDecode(TINY_VAE, recording, latent);
    expect([...read].sort()).toEqual(
      vaeKeyShapes(TINY_VAE)
        .map((k) => k.key)
        .sort(),
    );
  });

  it("returns the posterior mean × scaling_factor: the log-variance half is ignored", () => {
    const scaled = referenceVaeEncode({ ...TINY_VAE, scaling_factor: 0.5 }, w, image);
    const unit = referenceVaeEncode({ ...TINY_VAE, scaling_factor: 1 }, w, image);
    scaled.data.forEach((v, i) => expect(v).toBeCloseTo(0.5 * unit.data[i], 14));
    // Rows 4–7 of quant_conv produce the log-variance: changing them changes nothing.
    const q = w.get("quant_conv.weight") as Param;
    const changed = new Map(w);
    changed.set("quant_conv.weight", {
      shape: q.shape,
      data: q.data.map((v, i) => (i >= 32 ? v + 1 : v)),
    });
    expect(referenceVaeEncode({ ...TINY_VAE, scaling_factor: 1 }, changed, image)).toEqual(unit);
  });

  it("divides the latent by scaling_factor before decoding", () => {
    const a = referenceVaeDecode({ ...TINY_VAE, scaling_factor: 0.25 }, w, latent);
    const unscaled = { shape: latent.shape, data: latent.data.map((v) => v / 0.25) };
    const b = referenceVaeDecode({ ...TINY_VAE, scaling_factor: 1 }, w, unscaled);
    a.data.forEach((v, i) => expect(v).toBeCloseTo(b.data[i], 12));
  });
});
