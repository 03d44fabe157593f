import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { useBrowser } from "./browser";
import {
  PHOTO,
  box,
  cancelButton,
  gradientPng,
  isPng,
  nodeEl,
  openWorkflow,
  pixels,
  runButton,
  runWorkflow,
  startRun,
  statuses,
  uploadAsset,
  waitForRunEnd,
  waitForStatus,
  workflowDoc,
} from "./helpers";

const studio = useBrowser();

let asset: string;
beforeAll(async () => {
  asset = await uploadAsset(await gradientPng(64, 48, 7));
});

/** Load Image → Resize → Preview, and the same image into a Leffa Sampler → Preview. */
function twoBranches() {
  return workflowDoc(
    "two branches",
    [
      { id: "load", type: "load-image", params: { image: asset } },
      { id: "rs", type: "resize", x: 320, params: { mode: "stretch", width: 640, height: 480 } },
      { id: "prev", type: "preview", x: 660 },
      // DressCode: the e2e store has the tiny VITON-HD graphs only (models-store.ts).
      {
        id: "sampler",
        type: "leffa-sampler",
        x: 320,
        y: 320,
        params: { model: "dress_code" },
      },
      { id: "after", type: "preview", x: 660, y: 320 },
    ],
    [
      ["load", "image", "rs", "image"],
      ["rs", "image", "prev", "image"],
      ["load", "image", "sampler", "person"],
      ["load", "image", "sampler", "reference"],
      ["load", "image", "sampler", "densepose"],
      ["sampler", "image", "after", "image"],
    ],
  );
}

/** Load Image → Resize → Preview, and Load Image → Save Image: every node can succeed. */
function allGood() {
  return workflowDoc(
    "cache",
    [
      { id: "load", type: "load-image", params: { image: asset } },
      { id: "rs", type: "resize", x: 320, params: { mode: "fit", width: 200, height: 200 } },
      { id: "prev", type: "preview", x: 660 },
      { id: "save", type: "save-image", x: 320, y: 360 },
    ],
    [
      ["load", "image", "rs", "image"],
      ["rs", "image", "prev", "image"],
      ["load", "image", "save", "image"],
    ],
  );
}

async function downloadBytes(
  page: Page,
  click: () => Promise<void>,
): Promise<{ name: string; bytes: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent("download"), click()]);
  return { name: download.suggestedFilename(), bytes: await readFile(await download.path()) };
}

describe("running a workflow", () => {
  it("runs every branch: done, a readable model error, skipped downstream, and results to look at and download", async () => {
    const { page } = await openWorkflow(studio.open, twoBranches());
    const summary = await runWorkflow(page);
    expect(summary).toMatch(
      /^Finished with errors: 3 ran, 0 cached, 1 failed, 1 skipped in \d+ ms$/,
    );
    expect(await statuses(page, ["load", "rs", "prev", "sampler", "after"])).toEqual({
      load: "done",
      rs: "done",
      prev: "done",
      sampler: "error",
      after: "skipped",
    });
    const error = nodeEl(page, "sampler").locator(".node-message");
    expect(await error.getAttribute("class")).toContain("node-message-error");
    expect(await error.textContent()).toMatch(
      /^needs model leffa-vton-dc-vae-encoder: it is converted from/,
    );
    expect(await nodeEl(page, "after").locator(".node-message-skipped").textContent()).toContain(
      "sampler",
    );

    // The working branch's Preview shows its image on the node and in the Results panel.
    const thumb = nodeEl(page, "prev").getByTestId("node-thumbnail");
    expect(await thumb.count()).toBe(1);
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('.react-flow__node[data-id="prev"] img');
      return img?.complete && img.naturalWidth === 640 && img.naturalHeight === 480;
    });
    expect(await nodeEl(page, "after").getByTestId("node-thumbnail").count()).toBe(0);
    const results = page.getByTestId("result-image");
    expect(await results.count()).toBe(1);
    expect(await results.textContent()).toBe("Preview · 640×480");

    // The lightbox shows it large; "Download PNG" saves a real PNG of it.
    const small = await box(results.locator("img"));
    await results.click();
    const lightbox = page.getByRole("dialog", { name: "Result" });
    await lightbox.waitFor();
    const large = lightbox.getByRole("img");
    await page.waitForFunction(
      () => (document.querySelector<HTMLImageElement>(".lightbox img")?.naturalWidth ?? 0) > 0,
    );
    const largeBox = await box(large);
    expect(largeBox.width).toBeGreaterThan(small.width * 2);
    expect(Math.round(largeBox.width)).toBe(640);
    const file = await downloadBytes(page, () =>
      lightbox.getByRole("link", { name: "Download PNG" }).click(),
    );
    expect(file.name).toBe("preview.png");
    expect(isPng(file.bytes)).toBe(true);
    const decoded = await pixels(file.bytes);
    expect([decoded.width, decoded.height]).toEqual([640, 480]);
    await lightbox.getByRole("button", { name: "Close" }).click();
    await lightbox.waitFor({ state: "detached" });
  });

  it("serves an unchanged rerun from the cache, and after a param change reruns only that node and what follows", async () => {
    const { page } = await openWorkflow(studio.open, allGood());
    const ids = ["load", "rs", "prev", "save"];
    expect(await runWorkflow(page)).toMatch(/^Done: 4 ran, 0 cached in/);
    expect(Object.values(await statuses(page, ids))).toEqual(["done", "done", "done", "done"]);

    expect(await runWorkflow(page)).toMatch(/^Done: 0 ran, 4 cached in/);
    expect(await statuses(page, ids)).toEqual({
      load: "cached",
      rs: "cached",
      prev: "cached",
      save: "cached",
    });
    // Cached results are still shown.
    expect(await nodeEl(page, "prev").getByTestId("node-thumbnail").count()).toBe(1);
    expect(await page.getByTestId("result-image").count()).toBe(2);

    await nodeEl(page, "rs").getByRole("spinbutton", { name: "width", exact: true }).fill("120");
    expect(await runWorkflow(page)).toMatch(/^Done: 2 ran, 2 cached in/);
    expect(await statuses(page, ids)).toEqual({
      load: "cached",
      rs: "done",
      prev: "done",
      save: "cached",
    });
    await page.waitForFunction(
      () =>
        document.querySelector<HTMLImageElement>('.react-flow__node[data-id="prev"] img')
          ?.naturalWidth === 120,
    );
  });
});

describe("cancelling a run", () => {
  /**
   * Load Image → Resize to 8192×8192 (seconds of work) → Preview; Mask Ops on the image's mask
   * comes after the resize in the run order.
   */
  function slow() {
    return workflowDoc(
      "slow",
      [
        { id: "load", type: "load-image", params: { image: asset } },
        {
          id: "big",
          type: "resize",
          x: 320,
          params: { mode: "stretch", width: 8192, height: 8192 },
        },
        { id: "prev", type: "preview", x: 660 },
        { id: "ops", type: "mask-ops", x: 320, y: 320, params: { feather: 64 } },
      ],
      [
        ["load", "image", "big", "image"],
        ["big", "image", "prev", "image"],
        ["load", "mask", "ops", "mask"],
      ],
    );
  }

  it("stops the run when Cancel is clicked: the running node and all after it are cancelled", async () => {
    const { page } = await openWorkflow(studio.open, slow());
    await startRun(page);
    await waitForStatus(page, "big", "running");
    // Some progress first, so the node is surely inside its work.
    await nodeEl(page, "big").getByRole("progressbar").waitFor();
    expect(await cancelButton(page).isEnabled()).toBe(true);
    const clicked = Date.now();
    await cancelButton(page).click();
    const summary = await waitForRunEnd(page);
    const took = Date.now() - clicked;
    expect(summary).toMatch(/^Cancelled: /);
    const after = await statuses(page, ["load", "big", "ops", "prev"]);
    expect(after.load).toBe("done");
    expect(after.ops).toBe("cancelled");
    expect(after.prev).toBe("cancelled");
    expect(await nodeEl(page, "prev").getByTestId("node-thumbnail").count()).toBe(0);
    expect(await runButton(page).isEnabled()).toBe(true);
    expect(await cancelButton(page).isEnabled()).toBe(false);
    // The node that was running is interrupted too (the resize looks at the abort signal every
    // 64 rows), rather than running on to the end of its seconds of work.
    expect.soft(after.big).toBe("cancelled");
    expect.soft(took).toBeLessThan(1500);
    await page.context().close(); // frees the 8192×8192 buffers before the next test
  });
});

describe("backends", () => {
  it("gives the same pixels on WebGPU and on WASM", async () => {
    const photo = existsSync(PHOTO) ? await readFile(PHOTO) : await gradientPng(120, 160, 9);
    const image = await uploadAsset(photo);
    const doc = workflowDoc(
      "backends",
      [
        { id: "load", type: "load-image", params: { image } },
        {
          id: "rs",
          type: "resize",
          x: 320,
          params: { mode: "pad", width: 192, height: 256, background: "#20a040" },
        },
        { id: "crop", type: "crop", x: 660, params: { x: 10, y: 20, width: 150, height: 200 } },
        { id: "save", type: "save-image", x: 1000, params: { filename: "backend" } },
      ],
      [
        ["load", "image", "rs", "image"],
        ["load", "mask", "rs", "mask"],
        ["rs", "image", "crop", "image"],
        ["crop", "image", "save", "image"],
      ],
    );
    const outputs: Buffer[] = [];
    for (const backend of ["webgpu", "wasm"] as const) {
      const { page } = await openWorkflow(studio.open, doc, { backend });
      await page.waitForSelector(`[data-testid="backend"].backend-${backend}`);
      expect(await runWorkflow(page)).toMatch(/^Done: 4 ran/);
      const link = nodeEl(page, "save").locator("a.download");
      expect(await link.textContent()).toContain("backend.png");
      const file = await downloadBytes(page, () => link.click());
      expect(file.name).toBe("backend.png");
      expect(isPng(file.bytes)).toBe(true);
      outputs.push(file.bytes);
      await page.close();
    }
    const [gpu, cpu] = await Promise.all(outputs.map(pixels));
    expect([gpu.width, gpu.height]).toEqual([150, 200]);
    expect([cpu.width, cpu.height]).toEqual([150, 200]);
    expect(gpu.data.equals(cpu.data)).toBe(true);
  });
});
