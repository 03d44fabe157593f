import { describe, expect, it } from "vitest";
import {
  capabilityProblem,
  estimateSamplerMemory,
  liveParameters,
  modelMemoryProblem,
  weightBytes,
} from "./capability";
import { LEFFA_FAMILIES } from "./family";
import { refFeatureElements } from "../../../models/leffa/features";

const NATIVE = { height: 1024, width: 768 };
const FAST = { height: 512, width: 384 };
const gpu = (bytes: number) => ({
  name: "webgpu" as const,
  detail: "test",
  limits: { maxBufferSize: bytes, maxStorageBufferBindingSize: bytes },
});

describe("estimateSamplerMemory", () => {
  it("counts the reference features of leffa.md §1.3", () => {
    const sd15 = LEFFA_FAMILIES.viton_hd.unet;
    expect(refFeatureElements(sd15, NATIVE.height / 8, NATIVE.width / 8)).toBe(34_652_160);
    expect(refFeatureElements(sd15, FAST.height / 8, FAST.width / 8)).toBe(8_663_040);
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

describe("pose transfer (SDXL) estimates", () => {
  const pose = LEFFA_FAMILIES.pose_transfer;

  it("counts 4.0 B live UNet parameters and an fp32 VAE: 7.8 GB of weights in fp16", () => {
    // leffa-keys.md's key lists: ref 1.995 B (the tail after up_blocks.1 is small), gen 2.017 B.
    expect(liveParameters(pose).unets).toBe(1_994_704_000 + 2_016_570_884);
    expect(weightBytes(pose, "float16")).toBe(4_011_274_884 * 2 + 83_653_863 * 4);
    // Try-on: 1.71 B in all, the VAE in the UNets' dtype.
    expect(weightBytes(LEFFA_FAMILIES.viton_hd, "float16")).toBe(
      (813_800_640 + 815_581_444 + 83_653_863) * 2,
    );
  });

  it("sizes 70 features, and attention at level 1 (SDXL has none at level 0)", () => {
    const native = estimateSamplerMemory(NATIVE, "float16", pose);
    const n = 128 * 96;
    // 4 + 6 features of 640 channels at h·w/4, 60 of 1280 at h·w/16; two images, fp16.
    expect(native.referenceFeaturesBytes).toBe(2 * ((n / 4) * 10 * 640 + (n / 16) * 60 * 1280) * 2);
    // Level 1: 3072 queries in 16 chunks of 192 × 6144 keys × 10 heads × 2 images, fp32.
    expect(native.attentionBytes).toBe(2 * 10 * 192 * 6144 * 4);
    // The fp32 VAE's full-resolution maps are the largest single buffer.
    expect(native.largestBufferBytes).toBe(2 * 128 * 1024 * 768 * 4);
  });

  it("refuses the WASM heap (and a Node runtime on it), never a GPU or native CPU", () => {
    expect(modelMemoryProblem({ name: "wasm", detail: "x" }, pose)).toMatch(
      /^Leffa pose transfer holds 7\.8 GB of weights \(SDXL, 4\.0 B UNet parameters\), but WebAssembly can hold at most 4\.0 GB/,
    );
    const nodeWasm = { name: "cpu" as const, detail: "x", modelBytesLimit: 4 * 1024 ** 3 };
    expect(modelMemoryProblem(nodeWasm, pose)).toMatch(/this runtime can hold at most 4\.0 GB/);
    expect(modelMemoryProblem(gpu(4 * 1024 ** 3), pose)).toBeUndefined();
    expect(modelMemoryProblem({ name: "cpu", detail: "native" }, pose)).toBeUndefined();
    // Try-on's 3.2 GB fits the heap.
    expect(
      modelMemoryProblem({ name: "wasm", detail: "x" }, LEFFA_FAMILIES.viton_hd),
    ).toBeUndefined();
  });

  it("names pose transfer and the headless command when no frame fits the GPU's buffers", () => {
    // At 512×384 the fp32 VAE maps take 192 MB in one buffer.
    expect(capabilityProblem(gpu(256 * 1024 ** 2), FAST, "float16", pose)).toBeUndefined();
    const problem = capabilityProblem(gpu(128 * 1024 ** 2), FAST, "float16", pose);
    expect(problem).toMatch(/^Leffa pose transfer at 512×384 \(fp16\) needs a single GPU buffer/);
    expect(problem).toMatch(/headless: npm run studio -- run/);
  });
});
