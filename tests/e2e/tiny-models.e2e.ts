import sharp from "sharp";
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { useBrowser } from "./browser";
import {
  PHOTO,
  gradientPng,
  nodeEl,
  openWorkflow,
  pixels,
  runWorkflow,
  statusEl,
  uploadAsset,
  workflowDoc,
} from "./helpers";

/**
 * The pose, mask and Leffa nodes in Chromium, on the e2e store's tiny contract models (seeded
 * random weights with the real tensor names and shapes: tests/e2e/models-store.ts). Their images
 * mean nothing; what is checked is that each network loads and runs with WebGPU (Chromium's software
 * adapter) and with WASM, and that the sampler (on fp32 graphs, which that adapter can run)
 * gives the same image on both.
 */

const { open } = useBrowser();

/** The bytes of the image a node shows (its preview <img>), read from the page. */
async function shownImage(page: Page, nodeId: string): Promise<Uint8Array> {
  const src = await nodeEl(page, nodeId).locator("img").first().getAttribute("src");
  if (!src) throw new Error(`node ${nodeId} shows no image`);
  const bytes = await page.evaluate(async (url) => {
    const buffer = await (await fetch(url)).arrayBuffer();
    return Array.from(new Uint8Array(buffer));
  }, src);
  return new Uint8Array(bytes);
}

/** A PNG whose alpha is the try-on mask: opaque (masked) in the middle band. */
async function maskPng(width: number, height: number): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      raw[i + 3] = y > height * 0.3 && y < height * 0.7 ? 255 : 0;
    }
  }
  return sharp(raw, { raw: { width, height, channels: 4 } })
    .png()
    .toBuffer();
}

async function personCrop(): Promise<string> {
  const crop = await sharp(PHOTO)
    .extract({ left: 200, top: 100, width: 96, height: 128 })
    .png()
    .toBuffer();
  return uploadAsset(new Uint8Array(crop));
}

/**
 * Person, garment, DensePose and mask uploaded, wired into a Leffa Sampler with `params`, and one
 * more node fed by `edge`.
 */
async function tryOnWorkflow(
  name: string,
  params: Record<string, string | number>,
  last: { id: string; type: string; x: number },
  edge: [string, string, string, string],
) {
  const person = await personCrop();
  const garment = await uploadAsset(new Uint8Array(await gradientPng(96, 128, 3)));
  const densepose = await uploadAsset(new Uint8Array(await gradientPng(96, 128, 7)));
  const mask = await uploadAsset(new Uint8Array(await maskPng(96, 128)));
  return workflowDoc(
    name,
    [
      { id: "person", type: "load-image", params: { image: person } },
      { id: "garment", type: "load-image", y: 200, params: { image: garment } },
      { id: "pose", type: "load-image", y: 400, params: { image: densepose } },
      { id: "maskimg", type: "load-image", y: 600, params: { image: mask } },
      { id: "mask", type: "mask-from-alpha", x: 250, y: 600 },
      { id: "leffa", type: "leffa-sampler", x: 500, params },
      last,
    ],
    [
      ["person", "image", "leffa", "person"],
      ["garment", "image", "leffa", "reference"],
      ["pose", "image", "leffa", "densepose"],
      ["maskimg", "image", "mask", "image"],
      ["mask", "mask", "leffa", "mask"],
      edge,
    ],
  );
}

describe("Tiny contract models in Chromium", () => {
  it("runs the Leffa Sampler on WebGPU and on WASM with the same image", async () => {
    const doc = await tryOnWorkflow(
      "tiny leffa e2e",
      // The flow field has a test of its own below.
      { resolution: "512x384", steps: 3, seed: 7, flow: "off" },
      { id: "view", type: "preview", x: 850 },
      ["leffa", "image", "view", "image"],
    );
    const results: Record<string, { data: Buffer; width: number; height: number }> = {};
    for (const backend of ["webgpu", "wasm"] as const) {
      const { page } = await openWorkflow(open, doc, { backend });
      const summary = await runWorkflow(page, 240_000);
      expect(summary, backend).toMatch(/done/i);
      expect(await statusEl(page, "leffa").getAttribute("data-status")).toBe("done");
      // The e2e store's Leffa graphs are fp32 (tests/e2e/models-store.ts): Chromium's software
      // adapter, without shader-f16, runs them on WebGPU itself, with no fallback to WASM.
      const text = await nodeEl(page, "leffa").getByTestId("node-output-text").textContent();
      expect(text).toMatch(new RegExp(`^try-on: 3 steps on ${backend} · `));
      expect(text).not.toMatch(/runs on WASM instead/);
      if (backend === "webgpu") await page.screenshot({ path: "test-results/leffa-tiny.png" });
      results[backend] = await pixels(await shownImage(page, "view"));
    }
    const { webgpu, wasm } = results;
    expect([webgpu.width, webgpu.height]).toEqual([96, 128]);
    expect([wasm.width, wasm.height]).toEqual([96, 128]);
    // 8-bit output: one level (0.004) is the closest "equal" can be across backends.
    let worst = 0;
    for (let i = 0; i < webgpu.data.length; i++) {
      worst = Math.max(worst, Math.abs(webgpu.data[i] - wasm.data[i]));
    }
    expect(worst).toBeLessThanOrEqual(1);
  }, 300_000);

  it("runs pose transfer on WebGPU, and on WASM says plainly it cannot and what to do instead", async () => {
    // The seeded example's sampler wiring: target-pose photo, source person, the target's IUV.
    const target = await personCrop();
    const source = await uploadAsset(new Uint8Array(await gradientPng(96, 128, 5)));
    const iuv = await uploadAsset(new Uint8Array(await gradientPng(96, 128, 9)));
    const doc = workflowDoc(
      "tiny pose transfer e2e",
      [
        { id: "target", type: "load-image", params: { image: target } },
        { id: "source", type: "load-image", y: 200, params: { image: source } },
        { id: "iuv", type: "load-image", y: 400, params: { image: iuv } },
        {
          id: "leffa",
          type: "leffa-sampler",
          x: 500,
          params: { model: "pose_transfer", resolution: "512x384", steps: 2, flow: "off" },
        },
        { id: "view", type: "preview", x: 850 },
      ],
      [
        ["target", "image", "leffa", "person"],
        ["source", "image", "leffa", "reference"],
        ["iuv", "image", "leffa", "densepose"],
        ["leffa", "image", "view", "image"],
      ],
    );
    const gpu = await openWorkflow(open, doc, { backend: "webgpu" });
    expect(await runWorkflow(gpu.page, 240_000)).toMatch(/done/i);
    const text = await nodeEl(gpu.page, "leffa").getByTestId("node-output-text").textContent();
    // WebGPU cannot report the GPU's memory: the node shows what the real graphs need.
    expect(text).toMatch(
      /^pose transfer: 2 steps on webgpu · .* device memory \(15\.\d GB weights\)/,
    );
    const image = await pixels(await shownImage(gpu.page, "view"));
    expect([image.width, image.height]).toEqual([96, 128]);
    await gpu.page.screenshot({ path: "test-results/leffa-pose-webgpu.png" });

    // WASM cannot hold the 7.8 GB of fp16 weights: refused before anything loads.
    const cpu = await openWorkflow(open, doc, { backend: "wasm" });
    await runWorkflow(cpu.page, 120_000);
    expect(await statusEl(cpu.page, "leffa").getAttribute("data-status")).toBe("error");
    const error = await nodeEl(cpu.page, "leffa").textContent();
    expect(error).toMatch(/holds 7\.8 GB of weights .* WebAssembly can hold at most 4\.0 GB/);
    expect(error).toMatch(/npm run studio -- run <workflow\.json>/);
    await cpu.page.screenshot({ path: "test-results/leffa-pose-wasm.png" });
  }, 300_000);

  it("collects the flow field through the flow graph and draws it in the Flow Field node", async () => {
    const doc = await tryOnWorkflow(
      "tiny flow e2e",
      // Two steps: t = 501 is skipped, t = 1 collected (t < 500).
      { resolution: "512x384", steps: 2, seed: 7 },
      { id: "flow", type: "flow-field", x: 850 },
      ["leffa", "flow", "flow", "flow"],
    );
    const { page } = await openWorkflow(open, doc, { backend: "wasm" });
    const summary = await runWorkflow(page, 240_000);
    expect(summary).toMatch(/done/i);
    expect(await statusEl(page, "flow").getAttribute("data-status")).toBe("done");
    const text = await nodeEl(page, "flow").getByTestId("node-output-text").textContent();
    expect(text).toMatch(
      /^Leffa loss \(masked L2\) \d\.\d{4} over \d+ px · mean of up_blocks\.3\.attentions\.0, .* · mean of 1 step$/,
    );
    expect(await nodeEl(page, "flow").locator("img").count()).toBe(3);
    await page.screenshot({ path: "test-results/flow-field-tiny.png" });

    // The inspector: hovering a pixel of the result marks where in the garment it looked.
    await nodeEl(page, "flow").getByTestId("inspect-flow").click();
    const inspector = page.getByTestId("flow-inspector");
    await inspector.waitFor();
    const readout = inspector.getByTestId("flow-inspector-readout");
    expect(await readout.textContent()).toMatch(/^up_blocks\.3\.attentions\.0 · τ = 1 · top 8/);
    const result = inspector.getByTestId("flow-inspector-result");
    const box = (await result.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
    await expect
      .poll(() => readout.textContent())
      .toMatch(
        /^pixel \(19\d, 2\d\d\) · token \(2\d, 3\d\) looked at \(\d+, \d+\) in the garment · \d+ % of its attention on the garment$/,
      );
    await inspector.getByRole("combobox", { name: "inspected step" }).selectOption("0");
    await page.screenshot({ path: "test-results/flow-inspector.png" });
    await inspector.getByRole("button", { name: "Close" }).click();
    await inspector.waitFor({ state: "detached" });
  }, 300_000);

  it("runs the Pose Extractor and both Mask Generator parsers on both backends", async () => {
    const person = await personCrop();
    const doc = workflowDoc(
      "tiny pose and mask e2e",
      [
        { id: "person", type: "load-image", params: { image: person } },
        { id: "pose", type: "pose-extractor", x: 300 },
        { id: "mask", type: "mask-generator", x: 600 },
        {
          id: "light",
          type: "mask-generator",
          x: 600,
          y: 400,
          params: { parser: "segformer", modelType: "dress_code" },
        },
        { id: "view", type: "preview", x: 900 },
      ],
      [
        ["person", "image", "pose", "image"],
        ["person", "image", "mask", "image"],
        ["person", "image", "light", "image"],
        ["pose", "keypoints", "light", "keypoints"],
        ["pose", "keypoints", "mask", "keypoints"],
        ["pose", "densepose", "view", "image"],
      ],
    );
    for (const backend of ["webgpu", "wasm"] as const) {
      const { page } = await openWorkflow(open, doc, { backend });
      const summary = await runWorkflow(page, 240_000);
      expect(summary, backend).toMatch(/done/i);
      const poseText = await nodeEl(page, "pose").getByTestId("node-output-text").textContent();
      expect(poseText).toMatch(/YOLOX on (webgpu|wasm)/);
      const maskText = await nodeEl(page, "mask").getByTestId("node-output-text").textContent();
      expect(maskText).toMatch(/^schp-atr on (webgpu|wasm)/);
      const lightText = await nodeEl(page, "light").getByTestId("node-output-text").textContent();
      expect(lightText).toMatch(/^segformer-b2-clothes on (webgpu|wasm) · dress_code upper_body/);
      if (backend === "webgpu") {
        expect(poseText).toContain("on webgpu");
        await page.screenshot({ path: "test-results/pose-mask-tiny.png" });
      }
      const dense = await pixels(await shownImage(page, "view"));
      expect([dense.width, dense.height]).toEqual([96, 128]);
    }
  }, 300_000);
});
