import { existsSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { RgbaImage } from "../../nodes/core/image";
import { CancelledError, ModelUnavailableError } from "../../nodes/core/types";
import { upscalerNode } from "../../nodes/upscaler";
import { modelDir } from "../../models/store";
import { createStoreModelHost } from "../../workers/models/store-models";
import { fixtureCrop } from "../helpers/fixtures";
import { imageFrom } from "../helpers/images";
import { makeTestContext, runNode } from "../helpers/node-context";

const photoCrop = (width: number, height: number) =>
  fixtureCrop("person-upper-body.png", { left: 300, top: 260, width, height });

/** A context whose models come from the store, with GPU-like limits that force `tile`-px tiles. */
function modelContext(tile: number) {
  const host = createStoreModelHost();
  const budget = tile * tile * 64 * 16 * 4;
  return makeTestContext({
    backend: {
      name: "wasm",
      detail: "test",
      limits: { maxBufferSize: budget, maxStorageBufferBindingSize: budget },
    },
    loadModel: (id) => host.load(id, () => {}),
  });
}

function meanAbsDiff(a: RgbaImage, b: RgbaImage): number {
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i] - b.data[i]);
  return sum / a.data.length;
}

describe("Upscaler without a model", () => {
  const image = imageFrom(10, 6, (x, y) => [x * 25, y * 40, 100, 255]);

  it("falls back to a Lanczos resize and says why", async () => {
    const result = await runNode(upscalerNode, { image }, { scale: "4" });
    const out = result.outputs.image as RgbaImage;
    expect([out.width, out.height]).toEqual([40, 24]);
    expect(result.ui?.text).toMatch(/^Lanczos 4× — needs model realesrgan-x4fast/);
  });

  it("fails with the model's message when the fallback is off", async () => {
    await expect(runNode(upscalerNode, { image }, { fallback: false })).rejects.toBeInstanceOf(
      ModelUnavailableError,
    );
  });

  it("resizes with Lanczos when asked to, at 2×", async () => {
    const result = await runNode(upscalerNode, { image }, { model: "lanczos", scale: "2" });
    const out = result.outputs.image as RgbaImage;
    expect([out.width, out.height]).toEqual([20, 12]);
  });
});

describe("Upscaler with Real-ESRGAN x4fast (installed model, WASM under Node)", () => {
  beforeAll(() => {
    if (!existsSync(path.join(modelDir("realesrgan-x4fast"), "installed.json"))) {
      throw new Error("realesrgan-x4fast is not installed: run npm run setup");
    }
  });

  it("tiles seamlessly: many 64-px tiles match one whole-image pass", async () => {
    const photo = await photoCrop(100, 72);
    const ctx = modelContext(64);
    const tiled = await runNode(upscalerNode, { image: photo }, {}, ctx);
    const whole = await runNode(upscalerNode, { image: photo }, {}, modelContext(256));
    const a = tiled.outputs.image as RgbaImage;
    const b = whole.outputs.image as RgbaImage;
    expect([a.width, a.height]).toEqual([400, 288]);
    expect(tiled.ui?.text).toMatch(/realesrgan-x4fast 4× on wasm · 4 tiles of ≤64px/);
    expect(whole.ui?.text).toMatch(/· 1 tile of/);
    // Blended overlaps leave at most a trace of the tile grid.
    expect(meanAbsDiff(a, b)).toBeLessThan(0.5);
    // Progress was reported per tile.
    expect(ctx.progressCalls.map((c) => c.value)).toEqual([0, 1, 2, 3, 4]);
  });

  it("keeps the alpha channel and reduces to 2× with Lanczos", async () => {
    const photo = await photoCrop(40, 30);
    for (let y = 0; y < 30; y++)
      for (let x = 0; x < 40; x++) photo.data[(y * 40 + x) * 4 + 3] = x < 20 ? 255 : 0;
    const result = await runNode(upscalerNode, { image: photo }, { scale: "2" }, modelContext(256));
    const out = result.outputs.image as RgbaImage;
    expect([out.width, out.height]).toEqual([80, 60]);
    expect(out.data[(30 * 80 + 10) * 4 + 3]).toBe(255);
    expect(out.data[(30 * 80 + 70) * 4 + 3]).toBe(0);
  });

  it("stops between tiles when cancelled", async () => {
    const photo = await photoCrop(100, 72);
    const ctx = modelContext(64);
    const progress = ctx.progress;
    const cancelling = {
      ...ctx,
      progress: (v: number, m: number, msg?: string) => {
        progress(v, m, msg);
        if (v === 1) ctx.abort();
      },
    };
    await expect(runNode(upscalerNode, { image: photo }, {}, cancelling)).rejects.toBeInstanceOf(
      CancelledError,
    );
    expect(ctx.progressCalls.length).toBe(2);
  });
});
