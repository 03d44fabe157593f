import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMask, type RgbaImage } from "../../nodes/core/image";
import type { FlowField } from "../../nodes/core/flow";
import {
  CancelledError,
  defineNode,
  DeviceLostError,
  ModelUnavailableError,
  NodeError,
  type ModelSession,
  type NodeContext,
  type NodeDefinition,
} from "../../nodes/core/types";
import { leffaSamplerNode } from "../../nodes/leffa-sampler";
import {
  SCHEDULER_CONFIG_FILE,
  SD15_INPAINTING_SCHEDULER_JSON,
} from "../../nodes/lib/leffa-sampler/scheduler-config";
import { INSTALLED_RECORD } from "../../models/store";
import { createStoreModelHost } from "../../workers/models/store-models";
import { createNodeHost } from "../../workers/node-host";
import { executeWorkflow } from "../../workers/runtime/execute";
import { installTinyModels, LEFFA_HD_IDS, LEFFA_POSE_IDS } from "../helpers/model-store";
import { fromFloat16Bits } from "../../models/onnx/float16";
import type { CpuTensor } from "../../workers/models/cpu-tensor";
import { imageFrom } from "../helpers/images";
import { makeTestContext, runNode } from "../helpers/node-context";

const PERSON = imageFrom(48, 64, (x, y) => [200 - y * 2, 120 + x, 90, 255]);
const GARMENT = imageFrom(60, 60, (x, y) => [30 + x * 3, 40, 180 - y, 255]);
const DENSEPOSE = imageFrom(48, 64, (x, y) =>
  x > 12 && x < 36 ? [60, 120 + y, 200, 255] : [0, 0, 0, 255],
);
const MASK = createMask(
  48,
  64,
  Float32Array.from({ length: 48 * 64 }, (_, i) =>
    i % 48 > 10 && i % 48 < 38 && i > 48 * 12 ? 1 : 0,
  ),
);
const INPUTS = { person: PERSON, reference: GARMENT, mask: MASK, densepose: DENSEPOSE };
const FAST = { resolution: "512x384", steps: 3 } as const;

let store: string;
const previousDir = process.env.MODELS_DIR;
let sharedHost: ReturnType<typeof createStoreModelHost>;

interface Counted {
  ctx: ReturnType<typeof makeTestContext>;
  runs: Record<string, number[]>;
}

/** A context on the tiny store that counts each model's runs (by the first feed's batch size). */
function modelContext(overrides: Partial<NodeContext> = {}): Counted {
  const runs: Record<string, number[]> = {};
  const counted = (session: ModelSession): ModelSession => ({
    modelId: session.modelId,
    timings: session.timings,
    backend: session.backend,
    inputTypes: session.inputTypes,
    run: (feeds, options) => {
      (runs[session.modelId] ??= []).push(Object.values(feeds)[0].dims[0]);
      return session.run(feeds, options);
    },
  });
  const ctx = makeTestContext({
    requireModel: (id) => sharedHost.require(id),
    loadModel: async (id) => counted(await sharedHost.load(id, () => {})),
    ...overrides,
  });
  return { ctx, runs };
}

/** Runs with `dir` as MODELS_DIR (the store host reads files at load), then the shared store again. */
async function onStore<T>(dir: string, run: () => Promise<T>): Promise<T> {
  process.env.MODELS_DIR = dir;
  try {
    return await run();
  } finally {
    process.env.MODELS_DIR = store;
  }
}

function meanAbsDiff(a: RgbaImage, b: RgbaImage): number {
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i] - b.data[i]);
  return sum / a.data.length;
}

beforeAll(async () => {
  store = await mkdtemp(path.join(tmpdir(), "leffa-tiny-"));
  installTinyModels(store, LEFFA_HD_IDS);
  process.env.MODELS_DIR = store;
  sharedHost = createStoreModelHost();
}, 60_000);

afterAll(async () => {
  if (previousDir === undefined) delete process.env.MODELS_DIR;
  else process.env.MODELS_DIR = previousDir;
  await rm(store, { recursive: true, force: true });
});

// Real ONNX sessions at 512×384 on a CPU shared with other work: generous time limits.
describe("Leffa Sampler on tiny contract models", { timeout: 120_000 }, () => {
  it("returns an image at the person's size, an empty flow, one progress call per step and previews", async () => {
    const { ctx, runs } = modelContext();
    const result = await runNode(leffaSamplerNode, INPUTS, FAST, ctx);
    const image = result.outputs.image as RgbaImage;
    expect([image.width, image.height]).toEqual([48, 64]);
    expect(result.outputs.flow).toMatchObject({
      kind: "flow",
      width: 384,
      height: 512,
      layers: [],
    });
    expect(ctx.progressCalls.map((c) => [c.value, c.max])).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    // Previews of the predicted clean latent (every step for short runs), at latent size.
    expect(ctx.previews.map((p) => [p.width, p.height])).toEqual([
      [48, 64],
      [48, 64],
      [48, 64],
    ]);
    expect(runs["leffa-vton-hd-gen-unet"]).toEqual([2, 2, 2]);
    expect(runs["leffa-vton-hd-vae-encoder"]).toEqual([2]);
    expect(runs["leffa-vton-hd-vae-decoder"]).toEqual([1]);
    expect(result.ui?.text).toMatch(/^try-on: 3 steps on wasm/);
  });

  it("says which attention the generative UNet used, and why a fused graph fell back", async () => {
    const fallback = "fused attention failed on its first run on WebGPU (buffer too large)";
    const { ctx } = modelContext({
      loadModel: async (id) => {
        const session = await sharedHost.load(id, () => {});
        if (!id.endsWith("-gen-unet")) return session;
        return { ...session, attention: { mode: "chunked", fallback } };
      },
    });
    const result = await runNode(leffaSamplerNode, INPUTS, FAST, ctx);
    expect(result.ui?.text).toContain(` · chunked attention (${fallback})`);
  });

  it("is deterministic for a seed (cached unconditional features included) and varies with it", async () => {
    const run = async (seed: number) =>
      (await runNode(leffaSamplerNode, INPUTS, { ...FAST, steps: 2, seed }, modelContext().ctx))
        .outputs.image as RgbaImage;
    const a = await run(7);
    const b = await run(7);
    expect(meanAbsDiff(a, b)).toBe(0);
    expect(meanAbsDiff(a, await run(8))).toBeGreaterThan(0.5);
  });

  it("with ref acceleration runs the reference UNet once; repaint keeps the person outside the mask", async () => {
    const { ctx, runs } = modelContext();
    const params = { ...FAST, refAcceleration: true, repaint: true };
    const result = await runNode(leffaSamplerNode, INPUTS, params, ctx);
    expect(runs["leffa-vton-hd-ref-unet"]).toHaveLength(1);
    expect(runs["leffa-vton-hd-gen-unet"]).toHaveLength(3);
    const image = result.outputs.image as RgbaImage;
    // Rows 0–5 lie far from the mask (it starts at row 13): the person's own pixels come back.
    for (const [x, y] of [
      [2, 2],
      [40, 4],
      [24, 0],
    ]) {
      const i = (y * 48 + x) * 4;
      for (let c = 0; c < 3; c++) {
        expect(Math.abs(image.data[i + c] - PERSON.data[i + c])).toBeLessThanOrEqual(2);
      }
    }
  });

  it("stops within one step when cancelled from a progress callback", async () => {
    const { ctx, runs } = modelContext();
    const cancelling = {
      ...ctx,
      progress: (value: number, max: number, message?: string) => {
        ctx.progress(value, max, message);
        if (value === 1) ctx.abort();
      },
    };
    await expect(
      runNode(leffaSamplerNode, INPUTS, { ...FAST, steps: 10 }, cancelling),
    ).rejects.toBeInstanceOf(CancelledError);
    expect(ctx.progressCalls).toHaveLength(1);
    expect(runs["leffa-vton-hd-gen-unet"]).toHaveLength(1);
    expect(runs["leffa-vton-hd-vae-decoder"]).toBeUndefined();
  });
});

describe("Leffa Sampler: the checkpoint's scheduler config", { timeout: 120_000 }, () => {
  const GEN = "leffa-vton-hd-gen-unet";
  const stored = (json: object) => ({
    modelFile: async (id: string, name: string) =>
      id === GEN && name === SCHEDULER_CONFIG_FILE
        ? new TextEncoder().encode(JSON.stringify(json))
        : undefined,
  });
  const params = { ...FAST, steps: 2, seed: 11 };

  it("samples as before with Leffa's base config stored, and says so when none is", async () => {
    const legacy = await runNode(leffaSamplerNode, INPUTS, params, modelContext().ctx);
    expect(legacy.ui?.text).toMatch(/scheduler: Leffa's defaults \(graphs converted without/);
    const withBase = await runNode(
      leffaSamplerNode,
      INPUTS,
      params,
      modelContext(stored(SD15_INPAINTING_SCHEDULER_JSON)).ctx,
    );
    expect(withBase.ui?.text).not.toMatch(/scheduler:/);
    expect(
      meanAbsDiff(legacy.outputs.image as RgbaImage, withBase.outputs.image as RgbaImage),
    ).toBe(0);
    // A file without clip_sample takes DDPMScheduler's default (clip x̂0 to ±1) and its linear
    // betas and offset 0: another image, and the summary names the differences.
    const defaults = await runNode(leffaSamplerNode, INPUTS, params, modelContext(stored({})).ctx);
    expect(defaults.ui?.text).toMatch(/scheduler: x̂0 clipped to ±1, leading spacing, offset 0/);
    expect(
      meanAbsDiff(legacy.outputs.image as RgbaImage, defaults.outputs.image as RgbaImage),
    ).toBeGreaterThan(0);
  });

  it("refuses a setting it does not implement before loading any model", async () => {
    const { ctx, runs } = modelContext(stored({ thresholding: true }));
    await expect(runNode(leffaSamplerNode, INPUTS, params, ctx)).rejects.toThrow(
      /leffa-vton-hd-gen-unet\/scheduler_config.json: thresholding: true .* not implemented.*--scheduler-config/,
    );
    expect(runs).toEqual({});
  });

  it("reads the file from the store only when the install records it", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "leffa-sched-"));
    try {
      installTinyModels(dir, [GEN]);
      const host = createStoreModelHost();
      const folder = path.join(dir, GEN);
      await writeFile(path.join(folder, SCHEDULER_CONFIG_FILE), '{"clip_sample": true}');
      // On disk but not in installed.json (a stray file): not part of the install.
      await onStore(dir, async () =>
        expect(await host.file?.(GEN, SCHEDULER_CONFIG_FILE)).toBe(undefined),
      );
      const recordPath = path.join(folder, INSTALLED_RECORD);
      const record = JSON.parse(await readFile(recordPath, "utf8"));
      record.files.push({ name: SCHEDULER_CONFIG_FILE, bytes: 21, sha256: "0".repeat(64) });
      await writeFile(recordPath, JSON.stringify(record));
      const bytes = await onStore(dir, () => host.file!(GEN, SCHEDULER_CONFIG_FILE));
      expect(new TextDecoder().decode(bytes)).toBe('{"clip_sample": true}');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("Leffa Sampler on fp32 graphs", { timeout: 120_000 }, () => {
  let fp32Store: string;
  let fp32Host: ReturnType<typeof createStoreModelHost>;
  const inputTypes: Record<string, string[]> = {};
  const onFp32 = <T>(run: () => Promise<T>) => onStore(fp32Store, run);
  const fp32Context = (overrides: Partial<NodeContext> = {}) =>
    makeTestContext({
      requireModel: (id) => fp32Host.require(id),
      loadModel: async (id) => {
        const session = await fp32Host.load(id, () => {});
        inputTypes[id] = [...new Set(Object.values(session.inputTypes ?? {}))].sort();
        return session;
      },
      ...overrides,
    });

  beforeAll(async () => {
    fp32Store = await mkdtemp(path.join(tmpdir(), "leffa-tiny-fp32-"));
    installTinyModels(fp32Store, LEFFA_HD_IDS, { floatType: "float32" });
    fp32Host = createStoreModelHost();
  });

  afterAll(async () => {
    await rm(fp32Store, { recursive: true, force: true });
  });

  it("feeds every session in its model's dtype and agrees with the fp16 graphs of the same weights", async () => {
    const params = { ...FAST, steps: 2, seed: 7 };
    // Twice: the second run takes its unconditional features from the (fp32) cache.
    const full: RgbaImage[] = [];
    for (let i = 0; i < 2; i++) {
      const result = await onFp32(() => runNode(leffaSamplerNode, INPUTS, params, fp32Context()));
      expect(result.ui?.text).toMatch(/^try-on: 2 steps on wasm/);
      if (i === 1) expect(result.ui?.text).toMatch(/2 with cached unconditional features/);
      full.push(result.outputs.image as RgbaImage);
    }
    expect(inputTypes).toEqual(Object.fromEntries(LEFFA_HD_IDS.map((id) => [id, ["float32"]])));
    expect(meanAbsDiff(full[0], full[1])).toBe(0);
    const half = (await runNode(leffaSamplerNode, INPUTS, params, modelContext().ctx)).outputs
      .image as RgbaImage;
    // Only the fp16 rounding of the tensors between the graphs tells the two variants apart.
    const diff = meanAbsDiff(full[0], half);
    expect(diff).toBeGreaterThan(0);
    expect(diff).toBeLessThan(0.5); // measured: 0.006 of a level
  });

  it("refuses, once loaded, fp32 graphs whose buffers this GPU cannot hold though fp16 would fit", async () => {
    // 512×384 needs a 96 MB buffer with fp16 graphs and 192 MB with fp32 ones.
    const limit = 150 * 1024 ** 2;
    const backend = {
      name: "webgpu" as const,
      detail: "test",
      limits: { maxBufferSize: limit, maxStorageBufferBindingSize: limit },
    };
    await expect(
      onFp32(() => runNode(leffaSamplerNode, INPUTS, FAST, fp32Context({ backend }))),
    ).rejects.toThrow(/Leffa at 512×384 \(fp32\) needs a single GPU buffer of 192 MB/);
    const { ctx } = modelContext({ backend });
    await expect(
      runNode(leffaSamplerNode, INPUTS, { ...FAST, steps: 1 }, ctx),
    ).resolves.toBeDefined();
  });
});

describe("Leffa Sampler refusals", () => {
  it("refuses a resolution the GPU's buffers cannot hold, before loading anything", async () => {
    const limit = 256 * 1024 ** 2;
    const { ctx, runs } = modelContext({
      backend: {
        name: "webgpu",
        detail: "test",
        limits: { maxBufferSize: limit, maxStorageBufferBindingSize: limit },
      },
      loadModel: async () => {
        throw new Error("nothing may load");
      },
    });
    await expect(runNode(leffaSamplerNode, INPUTS, {}, ctx)).rejects.toThrow(
      /Leffa at 1024×768 \(fp16\) needs a single GPU buffer .* choose 512×384 with fp16 weights/,
    );
    expect(runs).toEqual({});
  });

  it("names the convert command when a graph is missing", async () => {
    const { ctx } = modelContext();
    const run = runNode(leffaSamplerNode, INPUTS, { ...FAST, model: "dress_code" }, ctx);
    await expect(run).rejects.toBeInstanceOf(ModelUnavailableError);
    await expect(run).rejects.toThrow(
      /needs model leffa-vton-dc-vae-encoder: .*npm run models -- convert leffa-vton --variant dc --from <virtual_tryon_dc\.pth>/,
    );
  });

  it("names convert leffa-pose when the pose-transfer graphs are missing, and try-on needs a mask", async () => {
    const pose = runNode(leffaSamplerNode, INPUTS, { model: "pose_transfer" }, modelContext().ctx);
    await expect(pose).rejects.toBeInstanceOf(ModelUnavailableError);
    await expect(pose).rejects.toThrow(
      /needs model leffa-pose-vae-encoder: .*npm run models -- convert leffa-pose --from <pose_transfer\.pth>/,
    );
    await expect(
      runNode(leffaSamplerNode, { ...INPUTS, mask: undefined }, FAST, modelContext().ctx),
    ).rejects.toThrow(NodeError);
  });
});

describe("Leffa Sampler: pose transfer (SDXL graphs)", { timeout: 120_000 }, () => {
  let poseStore: string;
  beforeAll(async () => {
    poseStore = await mkdtemp(path.join(tmpdir(), "leffa-tiny-pose-"));
    installTinyModels(poseStore, LEFFA_POSE_IDS);
  });
  afterAll(async () => {
    await rm(poseStore, { recursive: true, force: true });
  });
  const onPoseStore = <T>(run: () => Promise<T>) => onStore(poseStore, run);
  // Pose transfer: the target-pose photo (for its frame), the source person, the target's IUV.
  const POSE_INPUTS = { person: PERSON, reference: GARMENT, densepose: DENSEPOSE };
  const POSE = { ...FAST, model: "pose_transfer", steps: 2 } as const;

  it("shows in the editor the four graphs of the chosen checkpoint only", () => {
    expect(leffaSamplerNode.modelsFor?.({ model: "pose_transfer" })).toEqual(LEFFA_POSE_IDS);
    expect(leffaSamplerNode.modelsFor?.({})).toEqual(LEFFA_HD_IDS);
    expect(leffaSamplerNode.models).toHaveLength(12);
  });

  it("refuses the 4 GB WebAssembly heap before loading anything, naming the headless command", async () => {
    const loads: string[] = [];
    for (const backend of [
      { name: "wasm" as const, detail: "browser without WebGPU" },
      { name: "cpu" as const, detail: "Node on WASM", modelBytesLimit: 4 * 1024 ** 3 },
    ]) {
      const host = createStoreModelHost();
      const ctx = makeTestContext({
        backend,
        requireModel: (id) => host.require(id),
        loadModel: async (id) => {
          loads.push(id);
          return host.load(id, () => {});
        },
      });
      const run = onPoseStore(() => runNode(leffaSamplerNode, POSE_INPUTS, POSE, ctx));
      await expect(run).rejects.toThrow(
        /Leffa pose transfer holds 7\.8 GB of weights \(SDXL, 4\.0 B UNet parameters\), but .* can hold at most 4\.0 GB of models\..*npm run studio -- run <workflow\.json>/,
      );
    }
    expect(loads).toEqual([]);
  });

  it("runs headless on onnxruntime-node: no mask needed, the whole frame regenerated", async () => {
    const native = createStoreModelHost({ runtime: "native" });
    const masks: Float32Array[] = [];
    const runs: Record<string, number> = {};
    const ctx = makeTestContext({
      backend: { name: "cpu", detail: "headless" },
      requireModel: (id) => native.require(id),
      loadModel: async (id) => {
        const session = await native.load(id, () => {});
        return {
          ...session,
          backend: session.backend,
          run: async (feeds, options) => {
            runs[id] = (runs[id] ?? 0) + 1;
            const mask = feeds.mask_latent as CpuTensor | undefined;
            if (mask) masks.push(fromFloat16Bits(mask.data as Uint16Array));
            return session.run(feeds, options);
          },
        };
      },
      loadGraph: (graph) => native.loadGenerated(graph),
    });
    const result = await onPoseStore(() => runNode(leffaSamplerNode, POSE_INPUTS, POSE, ctx));
    const image = result.outputs.image as RgbaImage;
    expect([image.width, image.height]).toEqual([48, 64]);
    expect(result.ui?.text).toMatch(/^pose transfer: 2 steps on cpu/);
    expect(runs).toEqual({
      "leffa-pose-vae-encoder": 1,
      "leffa-pose-vae-decoder": 1,
      "leffa-pose-ref-unet": 2,
      "leffa-pose-gen-unet": 2,
    });
    // The flow field from SDXL's default layers: up_blocks.1 at 1/16 of the frame, 10 heads;
    // collected at the one step with t < 500 (2 steps: t = 501, 1).
    const flow = result.outputs.flow as FlowField;
    expect(flow.layers.map((l) => [l.index, l.name, l.gridWidth, l.gridHeight])).toEqual(
      [65, 67, 69].map((k, i) => [k, `up_blocks.1.attentions.${i}.transformer_blocks.1`, 24, 32]),
    );
    expect(flow.layers[0].steps.map((step) => step.timestep)).toEqual([1]);
    // Leffa's pose-transfer mask is all white: every latent pixel is regenerated.
    expect(masks).toHaveLength(2);
    for (const m of masks) expect(m.every((v) => v === 1)).toBe(true);
    // A connected mask changes nothing (pose transfer ignores it), nor does repaint.
    const withMask = await onPoseStore(() =>
      runNode(leffaSamplerNode, INPUTS, { ...POSE, repaint: true }, ctx),
    );
    expect(meanAbsDiff(withMask.outputs.image as RgbaImage, image)).toBe(0);
  });

  it("says what the run needed and how to run headless when the GPU device is lost", async () => {
    const native = createStoreModelHost({ runtime: "native" });
    const ctx = makeTestContext({
      backend: { name: "webgpu", detail: "test adapter" },
      requireModel: (id) => native.require(id),
      loadModel: async (id) => {
        const session = await native.load(id, () => {});
        if (!id.endsWith("gen-unet")) return session;
        return {
          ...session,
          backend: session.backend,
          run: async () => {
            throw new DeviceLostError("out of memory");
          },
        };
      },
    });
    const run = onPoseStore(() => runNode(leffaSamplerNode, POSE_INPUTS, POSE, ctx));
    // Still a DeviceLostError: the runtime brings up a new device and retries once.
    await expect(run).rejects.toBeInstanceOf(DeviceLostError);
    await expect(run).rejects.toThrow(
      /^the GPU device was lost: out of memory; pose transfer needs about \d+\.\d GB of device memory \(7\.8 GB weights\)\. If this GPU has less, run it headless: npm run studio -- run/,
    );
  });
});

describe("live preview plumbing", () => {
  it("carries ctx.preview from a running node to executeWorkflow's onPreview", async () => {
    const previewing = defineNode({
      type: "test-previewing",
      version: 1,
      title: "previews",
      category: "Utility",
      description: "shows two previews",
      inputs: {},
      outputs: { value: { type: "NUMBER" } },
      params: {},
      async run(ctx) {
        ctx.preview?.(imageFrom(2, 2, () => [1, 2, 3, 255]));
        ctx.preview?.(imageFrom(3, 1, () => [4, 5, 6, 255]));
        return { outputs: { value: 1 } };
      },
    }) as unknown as NodeDefinition;
    const host = {
      ...createNodeHost(),
      lookup: (type: string) => (type === previewing.type ? previewing : undefined),
    };
    const seen: [string, number, number][] = [];
    const outcome = await executeWorkflow(
      {
        version: 2,
        name: "previews",
        meta: {},
        nodes: [{ id: "p", type: previewing.type, position: { x: 0, y: 0 }, params: {} }],
        edges: [],
      },
      host,
      { runId: "r", onPreview: (nodeId, image) => seen.push([nodeId, image.width, image.height]) },
    );
    expect(outcome.status).toBe("done");
    expect(seen).toEqual([
      ["p", 2, 2],
      ["p", 3, 1],
    ]);
  });
});
