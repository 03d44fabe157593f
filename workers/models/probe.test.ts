import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { getModel } from "../../models/manifest";
import { makeTinyModel } from "../../models/tiny/make-tiny";
import { installModels, installTinyModels } from "../../tests/helpers/model-store";
import { probeDim, probeInputs, probeModel } from "./probe";
import { createStoreModelHost } from "./store-models";

describe("model probe", () => {
  it("fills every contract input deterministically inside its range", () => {
    const entry = getModel("realesrgan-x4fast");
    const a = probeInputs(entry);
    const b = probeInputs(entry);
    expect(Object.keys(a)).toEqual(entry.contract.inputs.map((i) => i.name));
    expect(a.input.dims).toEqual([1, 3, 32, 32]);
    const data = a.input.data as Float32Array;
    expect(data).toEqual(b.input.data);
    expect(Math.min(...data)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...data)).toBeLessThanOrEqual(1);
  });

  it("runs the installed Real-ESRGAN and reports backend, time and output", async () => {
    const result = await probeModel(createStoreModelHost(), "realesrgan-x4fast");
    expect(result.backend.name).toBe("wasm");
    expect(result.output.dims).toEqual([1, 3, 128, 128]);
    expect(result.output.samples).toHaveLength(64);
    // A ×4 super-resolution of a [0.1, 0.9] pattern stays near that pattern's mean.
    expect(result.output.mean).toBeGreaterThan(0.3);
    expect(result.output.mean).toBeLessThan(0.7);
    expect(result.ms).toBeGreaterThan(0);
  });

  it("refuses a model that is not installed, saying how to install it", async () => {
    await expect(probeModel(createStoreModelHost(), "schp-atr")).rejects.toThrow(
      /npm run models -- install schp-atr/,
    );
  });
});

describe("probe dimensions and dtypes", () => {
  it("sizes every dimension expression the manifest uses, consistently", () => {
    expect(probeDim(7)).toBe(7);
    expect(probeDim("B")).toBe(1);
    expect(probeDim("h=H/8")).toBe(8);
    expect(probeDim("H")).toBe(64);
    expect(probeDim("h*w")).toBe(64);
    expect(probeDim("h*w/64")).toBe(1);
    expect(probeDim("2*h*w")).toBe(128);
    expect(probeDim("height/4")).toBe(8);
    expect(() => probeDim("h*w/128")).toThrow(/cannot size the dimension "h\*w\/128"/);
  });

  it("fills fp16 and int64 inputs in the dtype the loaded model takes", () => {
    const entry = getModel("leffa-vton-hd-gen-unet");
    const halves = probeInputs(entry);
    expect(halves.noisy_latent.type).toBe("float16");
    expect(halves.noisy_latent.dims).toEqual([1, 4, 8, 8]);
    expect(halves.ref_06.dims).toEqual([1, 1, 1280]);
    expect(halves.timestep.type).toBe("float32");
    const full = probeInputs(entry, { noisy_latent: "float32" });
    expect(full.noisy_latent.type).toBe("float32");
  });

  it("loads and runs SCHP by output position whatever the export named its outputs", async () => {
    const store = await mkdtemp(path.join(tmpdir(), "schp-probe-"));
    const previous = process.env.MODELS_DIR;
    try {
      // The contract's three positioned outputs under names an export might make up.
      const entry = getModel("schp-atr");
      const names: Record<string, string> = { parsing: "1582", fusion: "1602", edge: "1614" };
      const renamed = {
        ...entry,
        contract: {
          ...entry.contract,
          outputs: entry.contract.outputs.map((o) => ({ ...o, name: names[o.name] })),
        },
      };
      installModels(store, { "schp-atr": makeTinyModel(renamed) });
      process.env.MODELS_DIR = store;
      const result = await probeModel(createStoreModelHost(), "schp-atr");
      expect(result.output).toMatchObject({ name: "1602", dims: [1, 18, 128, 128] });

      // The edge logits where the fused ones belong: refused, naming everything the graph has.
      const swapped = {
        ...renamed,
        contract: {
          ...renamed.contract,
          outputs: renamed.contract.outputs.map((o) => ({ ...o, index: [0, 2, 1][o.index ?? 0] })),
        },
      };
      installModels(store, { "schp-atr": makeTinyModel(swapped) });
      await expect(probeModel(createStoreModelHost(), "schp-atr")).rejects.toThrow(
        'output #1 ("fusion"): expected float32 [1,18,h,w], model has "1614" float32 [1,2,128,128] ' +
          'there (its outputs: #0 "1582" float32 [1,18,128,128], #1 "1614" float32 [1,2,128,128], ' +
          '#2 "1602" float32 [1,18,128,128])',
      );
    } finally {
      if (previous === undefined) delete process.env.MODELS_DIR;
      else process.env.MODELS_DIR = previous;
      await rm(store, { recursive: true, force: true });
    }
  });

  it("runs a Leffa graph (fp16 inputs, token-count dimensions) from a store", async () => {
    const store = await mkdtemp(path.join(tmpdir(), "leffa-probe-"));
    const previous = process.env.MODELS_DIR;
    try {
      installTinyModels(store, ["leffa-vton-hd-gen-unet", "leffa-pose-gen-unet"]);
      process.env.MODELS_DIR = store;
      // SD1.5 (16 features) and SDXL (70, at h·w/4 and h·w/16 tokens) alike.
      for (const id of ["leffa-vton-hd-gen-unet", "leffa-pose-gen-unet"]) {
        const result = await probeModel(createStoreModelHost(), id);
        expect(result.output, id).toMatchObject({ name: "noise_pred", dims: [1, 4, 8, 8] });
        expect(Number.isFinite(result.output.mean)).toBe(true);
      }
    } finally {
      if (previous === undefined) delete process.env.MODELS_DIR;
      else process.env.MODELS_DIR = previous;
      await rm(store, { recursive: true, force: true });
    }
  });
});
