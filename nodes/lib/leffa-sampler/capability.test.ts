import { describe, expect, it } from "vitest";
import { capabilityProblem, estimateSamplerMemory, referenceFeatureElements } from "./capability";

const NATIVE = { height: 1024, width: 768 };
const FAST = { height: 512, width: 384 };
const gpu = (bytes: number) => ({
  name: "webgpu" as const,
  detail: "test",
  limits: { maxBufferSize: bytes, maxStorageBufferBindingSize: bytes },
});

describe("estimateSamplerMemory", () => {
  it("counts the reference features of leffa.md §1.3", () => {
    expect(referenceFeatureElements(NATIVE)).toBe(34_652_160);
    expect(referenceFeatureElements(FAST)).toBe(8_663_040);
    // 69.3 MB per element at fp16, the CFG pair doubles it.
    expect(estimateSamplerMemory(NATIVE).referenceFeaturesBytes).toBe(2 * 34_652_160 * 2);
  });

  it("counts one chunk of attention scores, so the VAE's full-size maps are the largest buffer", () => {
    const native = estimateSamplerMemory(NATIVE);
    // Scores of one query chunk (12288 / 64 queries × 24576 keys × 8 heads × 2 images, fp32):
    // 302 MB, where the whole matrix would be 19 GB.
    expect(native.attentionBytes).toBe(2 * 8 * 192 * 24576 * 4);
    expect(native.largestBuffer).toMatch(/VAE's full-resolution activations/);
    expect(native.largestBufferBytes).toBe(2 * 128 * 1024 * 768 * 2);
    expect(estimateSamplerMemory(FAST).largestBufferBytes).toBe(2 * 128 * 512 * 384 * 2);
    // fp32 doubles everything but the attention scores, which are fp32 either way.
    const fast16 = estimateSamplerMemory(FAST);
    const fast32 = estimateSamplerMemory(FAST, "float32");
    expect(fast32.totalBytes - fast32.attentionBytes).toBe(
      2 * (fast16.totalBytes - fast16.attentionBytes),
    );
    expect(fast32.attentionBytes).toBe(fast16.attentionBytes);
    // Weights: ≈1.71 B live parameters.
    expect(native.weightsBytes / 2).toBeCloseTo(1.714e9, -7);
  });
});

describe("capabilityProblem", () => {
  it("accepts a run off the GPU and one that fits", () => {
    expect(capabilityProblem({ name: "wasm", detail: "x" }, NATIVE)).toBeUndefined();
    expect(capabilityProblem(gpu(1024 ** 3), FAST)).toBeUndefined();
  });

  it("refuses 1024×768 on a 256 MB-buffer GPU and suggests 512×384 / fp16", () => {
    expect(capabilityProblem(gpu(2 * 1024 ** 3), NATIVE)).toBeUndefined();
    const problem = capabilityProblem(gpu(256 * 1024 ** 2), NATIVE);
    expect(problem).toMatch(/Leffa at 1024×768 \(fp16\) needs a single GPU buffer of 384 MB/);
    expect(problem).toMatch(/at most 256 MB per buffer/);
    expect(problem).toMatch(/choose 512×384 with fp16 weights/);
  });

  it("says when even the small frame does not fit", () => {
    expect(capabilityProblem(gpu(64 * 1024 ** 2), FAST)).toMatch(/even 512×384/);
  });
});
