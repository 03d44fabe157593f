import { describe, expect, it } from "vitest";
import { fromFloat16Bits, toFloat16Bits } from "../../../models/onnx/float16";
import { CpuTensor } from "../../../workers/models/cpu-tensor";
import { CancelledError, type ModelSession, type ModelTensor } from "../../core/types";
import { ReferenceFeatureCache } from "./feature-cache";
import { SessionPool } from "../../../workers/models/session-pool";
import type { RgbaImage } from "../../core/image";
import { LEFFA_FAMILIES } from "./family";
import { runLeffaSampler, type SamplerHooks, type SamplerSessions } from "./loop";

const FRAME = { width: 64, height: 64 };
const PIXELS = 64 * 64;
const LATENT = 4 * 8 * 8;

const half = (t: ModelTensor) => fromFloat16Bits((t as CpuTensor).data as Uint16Array);
const out16 = (values: Float32Array, dims: number[]) =>
  new CpuTensor("float16", toFloat16Bits(values), dims);

interface Calls {
  ref: { batch: number; t: number; firstLatent: number[] }[];
  gen: number;
}

/** Small arithmetic stand-ins with the real tensor names and shapes. */
function fakeSessions(calls: Calls): SamplerSessions {
  const session = (
    modelId: string,
    run: (feeds: Readonly<Record<string, ModelTensor>>) => Record<string, ModelTensor>,
  ): ModelSession => ({
    modelId,
    timings: { filesMs: 0, createMs: 0 },
    backend: { name: "cpu", detail: "fake" },
    run: async (feeds) => run(feeds),
  });
  return {
    vaeEncoder: session("enc", (f) => {
      const image = half(f.image);
      const latent = new Float32Array(2 * LATENT);
      for (let b = 0; b < 2; b++)
        for (let i = 0; i < LATENT; i++)
          latent[b * LATENT + i] = image[b * 3 * PIXELS + i * 8] * 0.5;
      return { latent: out16(latent, [2, 4, 8, 8]) };
    }),
    refUnet: session("ref", (f) => {
      const latent = half(f.ref_latent);
      const batch = f.ref_latent.dims[0];
      const t = ((f.timestep as CpuTensor).data as Float32Array)[0];
      calls.ref.push({ batch, t, firstLatent: Array.from(latent.subarray(0, 2)) });
      const outputs: Record<string, ModelTensor> = {};
      for (let k = 0; k < 16; k++) {
        const values = new Float32Array(batch * 4);
        for (let b = 0; b < batch; b++)
          for (let i = 0; i < 4; i++)
            values[b * 4 + i] = latent[b * LATENT + i] + t / 1000 + k / 100;
        outputs[`ref_${String(k).padStart(2, "0")}`] = out16(values, [batch, 2, 2]);
      }
      return outputs;
    }),
    genUnet: session("gen", (f) => {
      calls.gen++;
      const noisy = half(f.noisy_latent);
      const ref = half(f.ref_03);
      const eps = new Float32Array(2 * LATENT);
      for (let b = 0; b < 2; b++)
        for (let i = 0; i < LATENT; i++)
          eps[b * LATENT + i] = 0.2 * noisy[b * LATENT + i] + ref[b * 4 + (i % 4)] * (b + 1);
      return { noise_pred: out16(eps, [2, 4, 8, 8]) };
    }),
    vaeDecoder: session("dec", (f) => {
      const latent = half(f.latent);
      const image = new Float32Array(3 * PIXELS);
      for (let i = 0; i < image.length; i++) image[i] = latent[i % LATENT];
      return { image: new CpuTensor("float32", image, [1, 3, 64, 64]) };
    }),
  };
}

const conditions = {
  frame: FRAME,
  maskedPerson: Float32Array.from({ length: 3 * PIXELS }, (_, i) => Math.sin(i * 0.01)),
  reference: Float32Array.from({ length: 3 * PIXELS }, (_, i) => Math.cos(i * 0.02)),
  mask: new Float32Array(PIXELS).fill(1),
  densepose: new Float32Array(3 * PIXELS).fill(-1),
};

function hooks(overrides: Partial<SamplerHooks> = {}): SamplerHooks {
  return {
    signal: new AbortController().signal,
    tensor: (type, data, dims) => new CpuTensor(type, data, dims),
    progress: () => {},
    ...overrides,
  };
}

const settings = {
  steps: 4,
  guidance: 2.5,
  seed: 42,
  refAcceleration: false,
  family: LEFFA_FAMILIES.viton_hd,
};

describe("runLeffaSampler", () => {
  it("runs the reference UNet on [zeros, garment] at each timestep, then the generative UNet", async () => {
    const calls: Calls = { ref: [], gen: 0 };
    const steps: number[] = [];
    const result = await runLeffaSampler(
      fakeSessions(calls),
      conditions,
      settings,
      hooks({
        progress: (step) => steps.push(step),
      }),
    );
    expect(calls.ref.map((c) => [c.batch, c.t])).toEqual([
      [2, 751],
      [2, 501],
      [2, 251],
      [2, 1],
    ]);
    // The unconditional half is a zero latent.
    expect(calls.ref[0].firstLatent).toEqual([0, 0]);
    expect(calls.gen).toBe(4);
    expect(steps).toEqual([1, 2, 3, 4]);
    expect(result.image).toHaveLength(3 * PIXELS);
    expect(result.steps.map((s) => s.timestep)).toEqual([751, 501, 251, 1]);
    expect(result.steps.every((s) => s.unetMs >= 0 && s.restMs >= 0)).toBe(true);
  });

  it("is deterministic per seed and changes with the seed", async () => {
    const run = (seed: number) =>
      runLeffaSampler(
        fakeSessions({ ref: [], gen: 0 }),
        conditions,
        { ...settings, seed },
        hooks(),
      );
    const a = await run(1);
    expect((await run(1)).image).toEqual(a.image);
    expect((await run(2)).image).not.toEqual(a.image);
  });

  it("with ref acceleration runs the reference UNet once, at timesteps[steps // 2]", async () => {
    const calls: Calls = { ref: [], gen: 0 };
    await runLeffaSampler(
      fakeSessions(calls),
      conditions,
      { ...settings, refAcceleration: true },
      hooks(),
    );
    expect(calls.ref.map((c) => [c.batch, c.t])).toEqual([[2, 251]]);
    expect(calls.gen).toBe(4);
  });

  it("reuses cached unconditional features: the next run feeds the garment alone, same result", async () => {
    const cache = new ReferenceFeatureCache();
    const first: Calls = { ref: [], gen: 0 };
    const a = await runLeffaSampler(
      fakeSessions(first),
      conditions,
      settings,
      hooks({ cache, cacheKey: "m" }),
    );
    expect(cache.size).toBe(4);
    const second: Calls = { ref: [], gen: 0 };
    const b = await runLeffaSampler(
      fakeSessions(second),
      conditions,
      settings,
      hooks({ cache, cacheKey: "m" }),
    );
    expect(second.ref.map((c) => c.batch)).toEqual([1, 1, 1, 1]);
    expect(b.cacheHits).toBe(4);
    expect(b.image).toEqual(a.image);
  });

  it("does not cache when the budget cannot hold the whole run, nor with ref acceleration", async () => {
    // The estimate uses the real feature sizes of a 64×64 frame (fp16) per timestep.
    const perStep = 2 * (64 * 5 * 320 + 16 * 5 * 640 + 4 * 5 * 1280 + 1 * 1280);
    const small = new ReferenceFeatureCache(perStep * 4 - 1);
    await runLeffaSampler(
      fakeSessions({ ref: [], gen: 0 }),
      conditions,
      settings,
      hooks({ cache: small, cacheKey: "m" }),
    );
    expect(small.size).toBe(0);
    // Ref acceleration keeps its one batch-2 pass on the GPU instead.
    const large = new ReferenceFeatureCache();
    const calls: Calls = { ref: [], gen: 0 };
    await runLeffaSampler(
      fakeSessions(calls),
      conditions,
      { ...settings, refAcceleration: true },
      hooks({ cache: large, cacheKey: "m" }),
    );
    expect(large.size).toBe(0);
    expect(calls.ref.map((c) => c.batch)).toEqual([2]);
  });

  it("stops within one step when cancelled from a progress callback", async () => {
    const controller = new AbortController();
    const calls: Calls = { ref: [], gen: 0 };
    const run = runLeffaSampler(
      fakeSessions(calls),
      conditions,
      { ...settings, steps: 10 },
      hooks({
        signal: controller.signal,
        progress: (step) => {
          if (step === 2) controller.abort();
        },
      }),
    );
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    expect(calls.gen).toBe(2);
  });

  it("previews the predicted image every few steps", async () => {
    const previews: number[] = [];
    await runLeffaSampler(
      fakeSessions({ ref: [], gen: 0 }),
      conditions,
      { ...settings, steps: 6 },
      hooks({
        previewEvery: 2,
        preview: (image, step) => {
          expect([image.width, image.height]).toEqual([8, 8]);
          previews.push(step);
        },
      }),
    );
    expect(previews).toEqual([2, 4, 6]);
  });

  it("names a model that returns the wrong shape", async () => {
    const sessions = fakeSessions({ ref: [], gen: 0 });
    const broken = {
      ...sessions,
      vaeDecoder: {
        ...sessions.vaeDecoder,
        run: async () => ({ image: new CpuTensor("float32", new Float32Array(3), [1, 3, 1, 1]) }),
      },
    };
    await expect(runLeffaSampler(broken, conditions, settings, hooks())).rejects.toThrow(
      /dec image has shape \[1, 3, 1, 1\], expected \[1, 3, 64, 64\]/,
    );
  });

  it("takes the same steps as a graph beside the UNets (step-graph.ts) as in TypeScript", async () => {
    const ort = await import("onnxruntime-web");
    ort.env.wasm.numThreads = 1;
    const pool = new SessionPool({
      ort,
      load: async () => {
        throw new Error("no model files in this test");
      },
      target: () => ({ info: { name: "wasm", detail: "test" }, deviceLost: () => false }),
      budgetBytes: 1e9,
    });
    const previews: RgbaImage[][] = [[], []];
    // The loop steps as a graph only beside a generative UNet on WebGPU (elsewhere in TypeScript).
    const onGpu = (sessions: SamplerSessions): SamplerSessions => ({
      ...sessions,
      genUnet: { ...sessions.genUnet, backend: { name: "webgpu", detail: "pretend" } },
    });
    const run = (loadGraph: SamplerHooks["loadGraph"], shown: RgbaImage[]) =>
      runLeffaSampler(
        onGpu(fakeSessions({ ref: [], gen: 0 })),
        conditions,
        { ...settings, steps: 6 },
        hooks({ loadGraph, previewEvery: 3, preview: (image) => shown.push(image) }),
      );
    const inTypeScript = await run(undefined, previews[0]);
    const asGraph = await run((graph) => pool.getGenerated(graph), previews[1]);
    expect(pool.loaded()).toEqual(["generated:leffa-step-float16-float16"]);
    let worst = 0;
    let magnitude = 0;
    for (let i = 0; i < inTypeScript.image.length; i++) {
      worst = Math.max(worst, Math.abs(asGraph.image[i] - inTypeScript.image[i]));
      magnitude = Math.max(magnitude, Math.abs(inTypeScript.image[i]));
    }
    // The two differ only in float32 rounding, which the fp16 latents (these fakes take fp16)
    // turn into at most a last bit of a half: 2⁻¹⁰ relative.
    expect(worst / magnitude).toBeLessThan(2 ** -10);
    expect(previews[1]).toHaveLength(2);
    // Beside a UNet on a CPU backend the graph would only add a session run: TypeScript steps.
    await pool.clear();
    const onCpu = await runLeffaSampler(
      fakeSessions({ ref: [], gen: 0 }),
      conditions,
      { ...settings, steps: 6 },
      hooks({ loadGraph: (graph) => pool.getGenerated(graph) }),
    );
    expect(pool.loaded()).toEqual([]);
    expect(onCpu.image).toEqual(inTypeScript.image);
  });

  it("clips x̂0 in both steppers when the checkpoint's scheduler says clip_sample", async () => {
    const ort = await import("onnxruntime-web");
    ort.env.wasm.numThreads = 1;
    const pool = new SessionPool({
      ort,
      load: async () => {
        throw new Error("no model files in this test");
      },
      target: () => ({ info: { name: "wasm", detail: "test" }, deviceLost: () => false }),
      budgetBytes: 1e9,
    });
    const family = settings.family;
    const clipping = { ...family, scheduler: { ...family.scheduler, clipSample: true } };
    const onGpu = (sessions: SamplerSessions): SamplerSessions => ({
      ...sessions,
      genUnet: { ...sessions.genUnet, backend: { name: "webgpu", detail: "pretend" } },
    });
    const run = (f: typeof family, loadGraph?: SamplerHooks["loadGraph"]) =>
      runLeffaSampler(
        onGpu(fakeSessions({ ref: [], gen: 0 })),
        conditions,
        { ...settings, family: f, steps: 6 },
        hooks({ loadGraph }),
      );
    const free = await run(family);
    const inTypeScript = await run(clipping);
    const asGraph = await run(clipping, (graph) => pool.getGenerated(graph));
    expect(pool.loaded()).toEqual(["generated:leffa-step-float16-float16-clip1"]);
    let worst = 0;
    let changed = 0;
    for (let i = 0; i < inTypeScript.image.length; i++) {
      worst = Math.max(worst, Math.abs(asGraph.image[i] - inTypeScript.image[i]));
      changed = Math.max(changed, Math.abs(free.image[i] - inTypeScript.image[i]));
    }
    expect(worst).toBeLessThan(2 ** -9);
    // Clipping changed the image: the fakes' x̂0 leave [−1, 1] at the noisy steps.
    expect(changed).toBeGreaterThan(2 ** -6);
  });
});
