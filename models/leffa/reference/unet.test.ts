import { describe, expect, it } from "vitest";
import { SD15_UNET, SDXL_UNET, TINY_UNET } from "../config";
import { unetKeyShapes } from "./keys";
import { randomUNetWeights, seededNormal } from "./random-weights";
import type { F64Tensor, Param, Weights } from "./tensor";
import { referenceFeatureCount, referenceGenUNet, referenceRefUNet } from "./unet";

function randomTensor(shape: number[], seed: number): F64Tensor {
  const normal = seededNormal(seed);
  return { shape, data: Float64Array.from({ length: shape.reduce((a, b) => a * b) }, normal) };
}

/** A weight map that records which keys were read. */
function recording(w: Map<string, Param>): { weights: Weights; read: Set<string> } {
  const read = new Set<string>();
  const weights = {
    get: (key: string) => {
      read.add(key);
      return w.get(key);
    },
    has: (key: string) => w.has(key),
  } as unknown as Weights;
  return { weights, read };
}

const liveKeys = (role: "ref" | "gen") =>
  unetKeyShapes(TINY_UNET, role)
    .filter((k) => k.live)
    .map((k) => k.key)
    .sort();

const genInputs = (h: number, w: number) => ({
  noisy: randomTensor([2, 4, h, w], 2),
  mask: randomTensor([2, 1, h, w], 3),
  masked: randomTensor([2, 4, h, w], 4),
  densepose: randomTensor([2, 3, h, w], 5),
});

describe("reference UNets", () => {
  it("count one reference feature per transformer block: SD1.5 16, SDXL 70, tiny 4", () => {
    expect(referenceFeatureCount(SD15_UNET)).toBe(16);
    expect(referenceFeatureCount(SDXL_UNET)).toBe(70);
    expect(referenceFeatureCount(TINY_UNET)).toBe(4);
  });

  it("the reference UNet returns norm1 features down → mid → up and reads only live keys", () => {
    const all = randomUNetWeights(TINY_UNET, "ref", 1, { includeDead: true });
    const { weights, read } = recording(all);
    const features = referenceRefUNet(TINY_UNET, weights, randomTensor([2, 4, 8, 8], 1), [10, 500]);
    // down level 0 (32 ch, 8·8 tokens), mid at level 1 (64 ch, 4·4), up level 0 twice.
    expect(features.map((f) => f.shape)).toEqual([
      [2, 64, 32],
      [2, 16, 64],
      [2, 64, 32],
      [2, 64, 32],
    ]);
    expect([...read].sort()).toEqual(liveKeys("ref"));
  });

  it("the generative UNet predicts ε of the latent's shape, reading exactly its live keys", () => {
    const refs = referenceRefUNet(
      TINY_UNET,
      randomUNetWeights(TINY_UNET, "ref", 1),
      randomTensor([2, 4, 8, 8], 1),
      [10, 500],
    );
    const { weights, read } = recording(
      randomUNetWeights(TINY_UNET, "gen", 2, { includeDead: true }),
    );
    const eps = referenceGenUNet(TINY_UNET, weights, genInputs(8, 8), [10, 500], refs);
    expect(eps.shape).toEqual([2, 4, 8, 8]);
    expect(eps.data.every(Number.isFinite)).toBe(true);
    expect([...read].sort()).toEqual(liveKeys("gen"));
  });

  it("the generative UNet depends on the reference features and on the timestep", () => {
    const w = randomUNetWeights(TINY_UNET, "gen", 2);
    const refW = randomUNetWeights(TINY_UNET, "ref", 1);
    const refsA = referenceRefUNet(TINY_UNET, refW, randomTensor([2, 4, 4, 4], 1), [10, 10]);
    const refsB = referenceRefUNet(TINY_UNET, refW, randomTensor([2, 4, 4, 4], 9), [10, 10]);
    const x = genInputs(4, 4);
    const a = referenceGenUNet(TINY_UNET, w, x, [10, 10], refsA);
    const b = referenceGenUNet(TINY_UNET, w, x, [10, 10], refsB);
    const c = referenceGenUNet(TINY_UNET, w, x, [900, 10], refsA);
    const maxDiff = (p: F64Tensor, q: F64Tensor) =>
      Math.max(...p.data.map((v, i) => Math.abs(v - q.data[i])));
    expect(maxDiff(a, b)).toBeGreaterThan(1e-3);
    expect(maxDiff(a, c)).toBeGreaterThan(1e-3);
    // The timestep of sample 1 did not change, and samples do not mix.
    const half = a.data.length / 2;
    expect(Array.from(c.data.subarray(half))).toEqual(Array.from(a.data.subarray(half)));
  });

  it("refuses the wrong number of reference features or mismatched inputs", () => {
    const w = randomUNetWeights(TINY_UNET, "gen", 2);
    expect(() => referenceGenUNet(TINY_UNET, w, genInputs(4, 4), [1, 2], [])).toThrow(
      /0 reference features, the UNet has 4/,
    );
    const bad = { ...genInputs(4, 4), mask: randomTensor([2, 2, 4, 4], 1) };
    expect(() => referenceGenUNet(TINY_UNET, w, bad, [1, 2], [])).toThrow(/mask latent/);
  });
});
