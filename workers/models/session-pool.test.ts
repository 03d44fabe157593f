import * as ort from "onnxruntime-web";
import { beforeAll, describe, expect, it } from "vitest";
import { getModel } from "../../models/manifest";
import type { ModelEntry } from "../../models/manifest/schema";
import { makeTinyModel } from "../../models/tiny/make-tiny";
import { DeviceLostError, NodeError, type ModelTensor } from "../../nodes/core/types";
import { ATTENTION_METADATA_KEY } from "../../models/leffa/attention-chunks";
import { TINY_VAE } from "../../models/leffa/config";
import { vaeKeys } from "../../models/leffa/keys";
import { randomWeights } from "../../models/leffa/random-weights";
import { buildVaeDecoder } from "../../models/leffa/vae-graph";
import { readModelMetadata } from "../../models/onnx/metadata";
import { CpuTensor } from "./cpu-tensor";
import { SessionPool, type ExecutionTarget, type ModelBytes, type OrtModule } from "./session-pool";

ort.env.wasm.numThreads = 1;

const upscaler = getModel("realesrgan-x4fast");
const wasmTarget: ExecutionTarget = {
  info: { name: "wasm", detail: "test" },
  deviceLost: () => false,
};

/** Loads tiny contract models in place of the real files, counting loads. */
function tinyLoader(
  loads: string[],
  override?: (entry: ModelEntry) => ModelEntry,
): (entry: ModelEntry) => Promise<ModelBytes> {
  return async (entry) => {
    loads.push(entry.id);
    return { model: makeTinyModel(override ? override(entry) : entry), externalData: [] };
  };
}

const input = () => new CpuTensor("float32", new Float32Array(3 * 8 * 8).fill(0.5), [1, 3, 8, 8]);

describe("SessionPool", () => {
  it("loads once, shares the session and runs CPU tensors from nodes", async () => {
    const loads: string[] = [];
    const pool = new SessionPool({
      ort,
      load: tinyLoader(loads),
      target: () => wasmTarget,
      budgetBytes: 1e9,
    });
    const [a, b] = await Promise.all([pool.get(upscaler), pool.get(upscaler)]);
    expect(loads).toEqual(["realesrgan-x4fast"]);
    const { output } = await a.run({ input: input() });
    expect(output.dims).toEqual([1, 3, 32, 32]);
    expect(output.location).toBe("cpu");
    expect(b.backend.name).toBe("wasm");
    await pool.clear();
  });

  it("refuses a model whose tensors differ from its contract, naming the tensor", async () => {
    const renamed = (e: ModelEntry): ModelEntry => ({
      ...e,
      contract: { ...e.contract, inputs: [{ ...e.contract.inputs[0], name: "pixels" }] },
    });
    const loads: string[] = [];
    const pool = new SessionPool({
      ort,
      load: tinyLoader(loads, renamed),
      target: () => wasmTarget,
      budgetBytes: 1e9,
    });
    await expect(pool.get(upscaler)).rejects.toThrow(
      /realesrgan-x4fast does not match its manifest contract: .*"input"/,
    );
    // A failed load is not remembered: the next request tries again.
    await expect(pool.get(upscaler)).rejects.toBeInstanceOf(NodeError);
    expect(loads).toHaveLength(2);
  });

  it("tells each input's dtype as the loaded model has it: fp16 or fp32 Leffa graphs", async () => {
    const decoder = getModel("leffa-vton-hd-vae-decoder");
    for (const floatType of ["float16", "float32"] as const) {
      const pool = new SessionPool({
        ort,
        load: async (entry) => ({ model: makeTinyModel(entry, { floatType }), externalData: [] }),
        target: () => wasmTarget,
        budgetBytes: 1e9,
      });
      const session = await pool.get(decoder);
      expect(session.inputTypes).toEqual({ latent: floatType });
      await pool.clear();
    }
  });

  it("evicts the least recently used sessions beyond its byte budget", async () => {
    const loads: string[] = [];
    const sizes = new Map<string, number>();
    const load = async (entry: ModelEntry): Promise<ModelBytes> => {
      const bytes = await tinyLoader(loads)(entry);
      sizes.set(entry.id, bytes.model.byteLength);
      return bytes;
    };
    const plus = getModel("realesrgan-x4plus");
    const isnet = getModel("isnet-fp16");
    // Room for two of the three tiny models.
    const pool = new SessionPool({ ort, load, target: () => wasmTarget, budgetBytes: 1 });
    await pool.get(upscaler);
    await pool.get(plus);
    expect(pool.loaded()).toEqual(["realesrgan-x4plus"]);
    const budget = (sizes.get("realesrgan-x4fast") ?? 0) + (sizes.get("realesrgan-x4plus") ?? 0);
    const roomy = new SessionPool({ ort, load, target: () => wasmTarget, budgetBytes: budget });
    await roomy.get(upscaler);
    await roomy.get(plus);
    await roomy.get(upscaler); // x4fast is now the most recent
    await roomy.get(isnet);
    expect(roomy.loaded()).toEqual(["isnet-fp16", "realesrgan-x4fast"]);
    await pool.clear();
    await roomy.clear();
  });

  it("keeps every session the running node uses, beyond the budget, until the next node", async () => {
    const plus = getModel("realesrgan-x4plus");
    const isnet = getModel("isnet-fp16");
    const pool = new SessionPool({
      ort,
      load: tinyLoader([]),
      target: () => wasmTarget,
      budgetBytes: 1,
    });
    pool.beginNode();
    const first = await pool.get(upscaler);
    await pool.get(plus);
    // Both belong to this node (as Leffa's UNets do): the first is not released under it.
    expect(pool.loaded()).toEqual(["realesrgan-x4plus", "realesrgan-x4fast"]);
    const input = new CpuTensor("float32", new Float32Array(3 * 8 * 8), [1, 3, 8, 8]);
    await first.run({ input });
    expect(pool.loaded()).toHaveLength(2);
    // The next node loads a third model: the two of the last node are over budget and go.
    pool.beginNode();
    await pool.get(isnet);
    expect(pool.loaded()).toEqual(["isnet-fp16"]);
    await pool.clear();
  });
});

/**
 * onnxruntime with a pretend WebGPU provider: creating a session "on WebGPU" succeeds (it is WASM
 * underneath) or fails, and its runs fail as told — enough to drive the pool's fallback paths.
 */
/**
 * `fusedOnly`: only graphs with fused attention fail (a MultiHeadAttention kernel's fault).
 * `wrongAttention`: any graph with a MultiHeadAttention node returns results off by one, with no
 * error (what onnxruntime-web 1.30's WebGPU kernel does on SwiftShader).
 */
function fakeGpuOrt(behaviour: {
  createFails?: boolean;
  runFails?: boolean;
  fusedOnly?: boolean;
  wrongAttention?: boolean;
}): OrtModule {
  const InferenceSession = {
    async create(bytes: Uint8Array, options: ort.InferenceSession.SessionOptions) {
      const onGpu = options.executionProviders?.some(
        (ep) => typeof ep !== "string" && ep.name === "webgpu",
      );
      if (onGpu && behaviour.wrongAttention && Buffer.from(bytes).includes("MultiHeadAttention")) {
        const session = await ort.InferenceSession.create(bytes, { executionProviders: ["wasm"] });
        return new Proxy(session, {
          get(target, key, receiver) {
            if (key === "run") {
              return async (feeds: Record<string, ort.Tensor>, fetches?: string[]) => {
                const out = await target.run(feeds, fetches as never);
                for (const t of Object.values(out)) {
                  if (t.data instanceof Float32Array) t.data.forEach((v, i, a) => (a[i] = v + 1));
                }
                return out;
              };
            }
            const value = Reflect.get(target, key, receiver);
            return typeof value === "function" ? value.bind(target) : value;
          },
        });
      }
      const fused = readModelMetadata(bytes).get(ATTENTION_METADATA_KEY) === "fused";
      const gpu =
        options.executionProviders?.some((ep) => typeof ep !== "string" && ep.name === "webgpu") &&
        (fused || !behaviour.fusedOnly);
      if (gpu && behaviour.createFails) throw new Error("no kernel for Mul");
      const session = await ort.InferenceSession.create(bytes, {
        ...options,
        executionProviders: ["wasm"],
        preferredOutputLocation: undefined,
      });
      if (!gpu || !behaviour.runFails) return session;
      return new Proxy(session, {
        get(target, key, receiver) {
          if (key === "run")
            return async () => Promise.reject(new Error("Failed to run JSEP kernel"));
          const value = Reflect.get(target, key, receiver);
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
    },
  };
  return { ...ort, InferenceSession } as unknown as OrtModule;
}

describe("SessionPool on WebGPU", () => {
  const gpuTarget = (lost = false): ExecutionTarget => ({
    info: { name: "webgpu", detail: "test adapter" },
    device: {} as GPUDevice,
    deviceLost: () => lost,
  });

  it("falls back to WASM when the model fails to load on WebGPU, and says so", async () => {
    const pool = new SessionPool({
      ort: fakeGpuOrt({ createFails: true }),
      load: tinyLoader([]),
      target: () => gpuTarget(),
      budgetBytes: 1e9,
    });
    const session = await pool.get(upscaler);
    expect(session.backend.name).toBe("wasm");
    expect(session.backend.detail).toMatch(
      /failed to load on WebGPU \(no kernel for Mul\); it runs on WASM/,
    );
    expect((await session.run({ input: input() })).output.dims).toEqual([1, 3, 32, 32]);
    await pool.clear();
  });

  it("moves a model to WASM when its first WebGPU run fails", async () => {
    const pool = new SessionPool({
      ort: fakeGpuOrt({ runFails: true }),
      load: tinyLoader([]),
      target: () => gpuTarget(),
      budgetBytes: 1e9,
    });
    const session = await pool.get(upscaler);
    expect(session.backend.name).toBe("webgpu");
    const { output } = await session.run({ input: input() });
    expect(output.dims).toEqual([1, 3, 32, 32]);
    expect(session.backend.detail).toMatch(/failed on its first run on WebGPU/);
    await pool.clear();
  });

  it("reports a lost device instead of falling back", async () => {
    const pool = new SessionPool({
      ort: fakeGpuOrt({ runFails: true }),
      load: tinyLoader([]),
      target: () => gpuTarget(true),
      budgetBytes: 1e9,
    });
    const session = await pool.get(upscaler);
    await expect(session.run({ input: input() })).rejects.toBeInstanceOf(DeviceLostError);
    await pool.clear();
  });
});

describe("SessionPool with fused-attention Leffa graphs", () => {
  const gpuTarget: ExecutionTarget = {
    info: { name: "webgpu", detail: "test adapter" },
    device: {} as GPUDevice,
    deviceLost: () => false,
  };
  const weights = randomWeights(vaeKeys(TINY_VAE), 7);
  const graph = (attention: "fused" | "chunked") => ({
    id: `tiny-vae-decoder-${attention}`,
    contract: {
      inputs: [{ name: "latent", dtype: "float32" as const, shape: ["B", 4, "h", "w"] }],
      outputs: [{ name: "image", dtype: "float32" as const, shape: ["B", 3, "H", "W"] }],
      preprocess: "none",
      postprocess: "none",
    },
    build: () => built[attention],
  });
  // `build` is synchronous and weights are produced asynchronously: build both graphs first.
  const built: Record<string, Uint8Array> = {};
  beforeAll(async () => {
    for (const attention of ["fused", "chunked"] as const) {
      const g = buildVaeDecoder(TINY_VAE, weights, { attention, queryChunks: 3 });
      await g.materialize();
      built[attention] = g.toBytes();
    }
  });
  const latent = () =>
    new CpuTensor(
      "float32",
      new Float32Array(4 * 8 * 6).map((_, i) => Math.sin(i)),
      [1, 4, 8, 6],
    );

  /** The image matches the chunked graph's own, run on WASM: the fallback changed nothing. */
  async function expectChunkedResult(image: ModelTensor): Promise<void> {
    const reference = new SessionPool({
      ort,
      load: tinyLoader([]),
      target: () => wasmTarget,
      budgetBytes: 1e9,
    });
    const expected = (
      await (await reference.getGenerated(graph("chunked"))).run({ latent: latent() })
    ).image;
    const a = (await expected.getData()) as Float32Array;
    const b = (await image.getData()) as Float32Array;
    expect(Math.max(...a.map((v, i) => Math.abs(v - b[i])))).toBeLessThan(1e-6);
    await reference.clear();
  }

  it("runs a fused graph as it is where MultiHeadAttention works, and says so", async () => {
    const pool = new SessionPool({
      ort,
      load: tinyLoader([]),
      target: () => wasmTarget,
      budgetBytes: 1e9,
    });
    const session = await pool.getGenerated(graph("fused"));
    expect(session.attention).toEqual({ mode: "fused" });
    expect((await session.run({ latent: latent() })).image.dims).toEqual([1, 3, 16, 12]);
    const chunked = await pool.getGenerated(graph("chunked"));
    expect(chunked.attention).toEqual({ mode: "chunked" });
    await pool.clear();
  });

  it("checks the device's MultiHeadAttention first, and loads chunked where it is wrong", async () => {
    const pool = new SessionPool({
      ort: fakeGpuOrt({ wrongAttention: true }),
      load: tinyLoader([]),
      target: () => gpuTarget,
      budgetBytes: 1e9,
    });
    const session = await pool.getGenerated(graph("fused"));
    expect(session.backend.name).toBe("webgpu");
    expect(session.attention).toEqual({
      mode: "chunked",
      fallback: "WebGPU's MultiHeadAttention failed its check at load (max error 1.0e+0)",
    });
    const { image } = await session.run({ latent: latent() });
    await expectChunkedResult(image);
    await pool.clear();
  });

  for (const failure of ["createFails", "runFails"] as const) {
    it(`stays on WebGPU with chunked attention when the fused graph ${failure === "createFails" ? "fails to load" : "fails its first run"}`, async () => {
      const pool = new SessionPool({
        ort: fakeGpuOrt({ [failure]: true, fusedOnly: true }),
        load: tinyLoader([]),
        target: () => gpuTarget,
        budgetBytes: 1e9,
      });
      const session = await pool.getGenerated(graph("fused"));
      const { image } = await session.run({ latent: latent() });
      expect(session.backend.name).toBe("webgpu");
      expect(session.attention?.mode).toBe("chunked");
      expect(session.attention?.fallback).toMatch(
        failure === "createFails"
          ? /fused attention failed to load on WebGPU \(no kernel for Mul\)/
          : /fused attention failed on its first run on WebGPU \(Failed to run JSEP kernel\)/,
      );
      await expectChunkedResult(image);
      await pool.clear();
    });
  }
});

describe("SessionPool with GPU-resident tensors", () => {
  /** A tensor "on the GPU": its data is only reachable through a counted download. */
  function gpuTensor(downloads: { count: number }) {
    const data = new Float32Array(3 * 8 * 8).fill(0.25);
    return ort.Tensor.fromGpuBuffer({ size: data.byteLength } as unknown as GPUBuffer, {
      dataType: "float32",
      dims: [1, 3, 8, 8],
      download: async () => {
        downloads.count++;
        return data;
      },
    });
  }

  /** onnxruntime whose sessions record the feeds they are given and answer with dummy outputs. */
  function recordingOrt(seen: ort.Tensor[]): OrtModule {
    const InferenceSession = {
      async create(bytes: Uint8Array, options: ort.InferenceSession.SessionOptions) {
        const real = await ort.InferenceSession.create(bytes, {
          ...options,
          executionProviders: ["wasm"],
          preferredOutputLocation: undefined,
        });
        return new Proxy(real, {
          get(target, key) {
            if (key === "run") {
              return async (feeds: Record<string, ort.Tensor>) => {
                seen.push(feeds.input);
                return { output: new ort.Tensor("float32", new Float32Array(4), [1, 1, 2, 2]) };
              };
            }
            const value = Reflect.get(target, key);
            return typeof value === "function" ? value.bind(target) : value;
          },
        });
      },
    };
    return { ...ort, InferenceSession } as unknown as OrtModule;
  }

  it("feeds a GPU tensor to a WebGPU session as it is, with no read-back", async () => {
    const seen: ort.Tensor[] = [];
    const downloads = { count: 0 };
    const target: ExecutionTarget = {
      info: { name: "webgpu", detail: "test adapter" },
      device: {} as GPUDevice,
      deviceLost: () => false,
    };
    const pool = new SessionPool({
      ort: recordingOrt(seen),
      load: tinyLoader([]),
      target: () => target,
      budgetBytes: 1e9,
    });
    const feed = gpuTensor(downloads);
    await (await pool.get(upscaler)).run({ input: feed }, { keepOnGpu: true });
    expect(seen[0]).toBe(feed);
    expect(downloads.count).toBe(0);
    await pool.clear();
  });

  it("reads a GPU tensor back once for a session that runs on WASM", async () => {
    const seen: ort.Tensor[] = [];
    const downloads = { count: 0 };
    const pool = new SessionPool({
      ort: recordingOrt(seen),
      load: tinyLoader([]),
      target: () => wasmTarget,
      budgetBytes: 1e9,
    });
    await (await pool.get(upscaler)).run({ input: gpuTensor(downloads) });
    expect(downloads.count).toBe(1);
    expect(seen[0].location).toBe("cpu");
    expect(Array.from(seen[0].data as Float32Array).every((v) => v === 0.25)).toBe(true);
    await pool.clear();
  });
});

describe("SessionPool generated graphs", () => {
  it("builds a graph once, checks it against its contract and runs it beside the models", async () => {
    const upscalerContract = upscaler.contract;
    let builds = 0;
    const graph = {
      id: "tiny-upscaler-shape",
      contract: upscalerContract,
      build: () => {
        builds++;
        return makeTinyModel(upscaler);
      },
    };
    const pool = new SessionPool({
      ort,
      load: tinyLoader([]),
      target: () => wasmTarget,
      budgetBytes: 1e9,
    });
    const [a, b] = await Promise.all([pool.getGenerated(graph), pool.getGenerated(graph)]);
    expect(builds).toBe(1);
    expect((await a.run({ input: input() })).output.dims).toEqual([1, 3, 32, 32]);
    expect(b.modelId).toBe("tiny-upscaler-shape");
    expect(b.outputNames).toEqual(["output"]);
    expect(pool.loaded()).toContain("generated:tiny-upscaler-shape");

    const wrong = {
      ...graph,
      id: "wrong-contract",
      contract: { ...upscalerContract, outputs: [{ ...upscalerContract.outputs[0], name: "y" }] },
    };
    await expect(pool.getGenerated(wrong)).rejects.toThrow(/wrong-contract does not match/);
    await pool.clear();
  });
});
