import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { useBrowser } from "./browser";
import {
  PHOTO,
  api,
  nodeEl,
  openWorkflow,
  runWorkflow,
  statusEl,
  uploadAsset,
  waitForRuntime,
  workflowDoc,
} from "./helpers";
import sharp from "sharp";

/**
 * Real-ESRGAN x4fast, installed in the e2e server's store (tests/e2e/models-store.ts copies the
 * one `npm run setup` installs), downloaded into the browser's model cache and run by the worker:
 * on WebGPU (Chromium's software adapter) and on WASM, with the same results.
 */

const { open } = useBrowser();
const MODEL = "realesrgan-x4fast";
const TITLE = "Real-ESRGAN x4 fast";

async function requireRealModel(): Promise<void> {
  const { models } = await api<{ models: { id: string; installed: unknown }[] }>("/api/models");
  if (!models.find((m) => m.id === MODEL)?.installed) {
    throw new Error(`${MODEL} is not installed in the e2e store: run npm run setup`);
  }
}

/** The Models panel's Test: backend and output samples of one run on a fixed input. */
async function probe(page: Page): Promise<{ backend: string; samples: number[] }> {
  await waitForRuntime(page);
  await page.getByRole("button", { name: "Models", exact: true }).click();
  const row = page.locator(`.model-row[data-model-id="${MODEL}"]`);
  await row.getByRole("button", { name: `Test ${TITLE} on this device` }).click();
  const result = row.getByTestId("model-probe");
  await result.waitFor({ timeout: 120_000 });
  return {
    backend: (await result.getAttribute("data-backend")) ?? "",
    samples: JSON.parse((await result.getAttribute("data-samples")) ?? "[]") as number[],
  };
}

describe("Upscaler in Chromium", () => {
  it("caches the model and gives the same output on WebGPU and on WASM (within 1e-4)", async () => {
    await requireRealModel();
    const gpu = await probe(await open("/", { backend: "webgpu" }));
    const cpu = await probe(await open("/", { backend: "wasm" }));
    expect(gpu.backend).toBe("webgpu");
    expect(cpu.backend).toBe("wasm");
    expect(gpu.samples).toHaveLength(64);
    const worst = Math.max(...gpu.samples.map((v, i) => Math.abs(v - cpu.samples[i])));
    expect(worst).toBeLessThanOrEqual(1e-4);
  });

  it("runs the Upscale a photo workflow for real on WebGPU, in tiles, to 4× the size", async () => {
    await requireRealModel();
    const crop = await sharp(PHOTO)
      .extract({ left: 300, top: 260, width: 48, height: 40 })
      .png()
      .toBuffer();
    const asset = await uploadAsset(new Uint8Array(crop));
    const doc = workflowDoc(
      "upscale e2e",
      [
        { id: "photo", type: "load-image", params: { image: asset } },
        {
          id: "up",
          type: "upscaler",
          x: 320,
          params: { model: MODEL, scale: "4", fallback: false },
        },
        { id: "view", type: "preview", x: 640 },
      ],
      [
        ["photo", "image", "up", "image"],
        ["up", "image", "view", "image"],
      ],
    );
    const { page } = await openWorkflow(open, doc, { backend: "webgpu" });
    const summary = await runWorkflow(page, 180_000);
    expect(summary).toMatch(/done/i);
    expect(await statusEl(page, "up").getAttribute("data-status")).toBe("done");
    expect(await nodeEl(page, "up").getByTestId("node-output-text").textContent()).toMatch(
      /^realesrgan-x4fast 4× on webgpu · 1 tile of ≤\d+px$/,
    );
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('.react-flow__node[data-id="view"] img');
      return img?.complete && img.naturalWidth === 192 && img.naturalHeight === 160;
    });
    await page.screenshot({ path: "test-results/upscaler-webgpu.png" });
  });

  it("offers a Lanczos resize, and says why, when the chosen model is not installed", async () => {
    const { models } = await api<{ models: { id: string; installed: unknown }[] }>("/api/models");
    expect(models.find((m) => m.id === "realesrgan-x4plus")?.installed).toBeNull();
    const asset = await uploadAsset(
      new Uint8Array(await sharp(PHOTO).resize(32, 24).png().toBuffer()),
    );
    const doc = workflowDoc(
      "upscale fallback e2e",
      [
        { id: "photo", type: "load-image", params: { image: asset } },
        { id: "up", type: "upscaler", x: 320, params: { model: "realesrgan-x4plus", scale: "2" } },
        { id: "view", type: "preview", x: 640 },
      ],
      [
        ["photo", "image", "up", "image"],
        ["up", "image", "view", "image"],
      ],
    );
    const { page } = await openWorkflow(open, doc);
    await runWorkflow(page);
    expect(await statusEl(page, "up").getAttribute("data-status")).toBe("done");
    expect(await nodeEl(page, "up").getByTestId("node-output-text").textContent()).toMatch(
      /^Lanczos 2× — needs model realesrgan-x4plus: it is not installed; install it from the Models panel/,
    );
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('.react-flow__node[data-id="view"] img');
      return img?.complete && img.naturalWidth === 64 && img.naturalHeight === 48;
    });
  });
});
