import { readFile } from "node:fs/promises";
import type { Page } from "playwright-core";
import sharp from "sharp";
import { beforeAll, describe, expect, it } from "vitest";
import { parseWorkflow } from "../../nodes/core/document";
import { extractWorkflowFromPng } from "../../nodes/lib/png-workflow";
import { useBrowser } from "./browser";
import { PHOTO, isPng, nodeEl, openWorkflow, uploadAsset, workflowDoc } from "./helpers";

/**
 * A parameter sweep in Chromium: 3 Upscaler models × 2 Resize widths fill a grid with axis
 * labels; the cells share Load Image (and, along a row, Resize) from the worker's cache; two
 * cells open the compare view with a difference image; the grid saves as one PNG that carries
 * the workflow and the sweep.
 */
const studio = useBrowser();

let asset: string;
beforeAll(async () => {
  const crop = await sharp(PHOTO).extract({ left: 300, top: 260, width: 48, height: 40 }).png();
  asset = await uploadAsset(new Uint8Array(await crop.toBuffer()));
});

function graph() {
  return workflowDoc(
    "sweep e2e",
    [
      { id: "photo", type: "load-image", params: { image: asset } },
      {
        id: "size",
        type: "resize",
        x: 300,
        params: { mode: "stretch", width: 24, height: 20 },
      },
      {
        id: "up",
        type: "upscaler",
        x: 600,
        params: { model: "realesrgan-x4fast", scale: "2", fallback: true },
      },
      { id: "view", type: "preview", x: 900 },
    ],
    [
      ["photo", "image", "size", "image"],
      ["size", "image", "up", "image"],
      ["up", "image", "view", "image"],
    ],
  );
}

async function openSweep(page: Page, id: string) {
  await nodeEl(page, id).locator(".node-title").click({ button: "right" });
  await page
    .getByRole("menu", { name: "Node actions" })
    .getByRole("menuitem", { name: "Sweep…" })
    .click();
  const dialog = page.getByTestId("sweep-dialog");
  await dialog.waitFor();
  return dialog;
}

describe("sweep and compare", () => {
  it("a 3×2 sweep over the Upscaler's model and Resize's width fills the grid and compares two cells", async () => {
    const { page } = await openWorkflow(studio.open, graph());
    const dialog = await openSweep(page, "up");
    // X: the node's first sweepable param, the Upscaler's model, with all three choices.
    expect(await dialog.getByLabel("X param").inputValue()).toBe("up:model");
    expect(await dialog.getByLabel("output").inputValue()).toBe("view");
    await dialog.getByRole("button", { name: "Add a Y axis" }).click();
    await dialog.getByLabel("Y param").selectOption("size:width");
    await dialog.getByLabel("Y values").selectOption("list");
    await dialog.getByLabel("Y list").fill("24, 40");
    expect(await dialog.getByTestId("sweep-verdict").textContent()).toBe("6 cells");

    // A sweep over the limit is refused before it runs, naming the limit.
    await dialog.getByLabel("Y values").selectOption("range");
    await dialog.getByLabel("to", { exact: true }).fill("5000");
    expect(await dialog.getByTestId("sweep-verdict").textContent()).toMatch(
      /is over the limit of 64 cells$/,
    );
    expect(await dialog.getByRole("button", { name: "Run sweep" }).isDisabled()).toBe(true);
    await dialog.getByLabel("Y values").selectOption("list");
    await dialog.getByLabel("Y list").fill("24, 40");

    await dialog.getByRole("button", { name: "Run sweep" }).click();
    const grid = page.getByTestId("sweep-grid");
    await grid.waitFor();
    expect(await grid.getByTestId("sweep-x-title").textContent()).toBe("X: Upscaler · model");
    expect(await grid.getByTestId("sweep-y-title").textContent()).toBe("Y: Resize · width");
    expect(await grid.getByTestId("sweep-y-value").allTextContents()).toEqual(["24", "40"]);
    expect(await grid.getByTestId("sweep-x-value").count()).toBe(3);
    await page.waitForFunction(
      () =>
        document.querySelectorAll('[data-testid="sweep-cell"][data-status="done"]').length === 6,
      undefined,
      { timeout: 240_000 },
    );
    const ran = await grid
      .getByTestId("sweep-cell")
      .evaluateAll((cells) => cells.map((c) => Number(c.getAttribute("data-ran"))));
    // The first cell runs all four nodes; the rest of its row reuses Load Image and Resize;
    // the second row reruns Resize (a new width) but not Load Image.
    expect(ran).toEqual([4, 2, 2, 3, 2, 2]);
    const widths = await grid
      .getByTestId("sweep-cell")
      .locator("img")
      .evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth));
    expect(widths).toEqual([48, 48, 48, 80, 80, 80]);
    await page.screenshot({ path: "test-results/sweep-grid.png" });

    // Two cells: Real-ESRGAN x4 fast and the plain Lanczos resize, same width.
    await grid.locator('[data-testid="sweep-cell"][data-index="0"]').click();
    await grid.locator('[data-testid="sweep-cell"][data-index="2"]').click();
    const compare = page.getByTestId("compare-view");
    await compare.waitFor();
    const difference = compare.getByTestId("compare-difference");
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="compare-difference"]')?.hasAttribute("data-mean"),
    );
    expect(
      await difference.evaluate((c) => [
        (c as HTMLCanvasElement).width,
        (c as HTMLCanvasElement).height,
      ]),
    ).toEqual([48, 40]);
    expect(Number(await difference.getAttribute("data-mean"))).toBeGreaterThan(0);
    expect(await compare.getByTestId("compare-about-A").textContent()).toMatch(
      /^A: Real-ESRGAN x4 fast · 24 · \d+ ms/,
    );
    expect(await compare.getByTestId("compare-about-B").textContent()).toMatch(
      /^B: Lanczos resize \(no model\) · 24 · \d+ ms/,
    );
    // Zoom in one pane: every pane follows.
    // It opens zoomed to fit the panes: 48 × 40 px cells at 6× (380 / 48 → 7, 250 / 40 → 6).
    expect(await compare.getByTestId("compare-zoom").textContent()).toMatch(/^zoom 600%/);
    await compare.getByTestId("compare-a").hover();
    await page.mouse.wheel(0, -200);
    expect(await compare.getByTestId("compare-zoom").textContent()).toMatch(/^zoom 750%/);
    const transforms = await compare
      .locator("img, canvas")
      .evaluateAll((els) => [...new Set(els.map((e) => (e as HTMLElement).style.transform))]);
    expect(transforms).toHaveLength(1);
    await compare.getByLabel("wipe position").fill("30");
    await page.screenshot({ path: "test-results/sweep-compare.png" });

    await compare.getByRole("button", { name: "Back to the grid" }).click();
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      grid.getByRole("button", { name: "Save grid as PNG" }).click(),
    ]);
    const png = new Uint8Array(await readFile(await download.path()));
    expect(isPng(png)).toBe(true);
    const doc = parseWorkflow(extractWorkflowFromPng(png));
    expect(doc.nodes.map((n) => n.id)).toEqual(["photo", "size", "up", "view"]);
    expect(doc.meta.sweep).toMatchObject({
      output: "view",
      axes: [
        { nodeId: "up", param: "model" },
        { nodeId: "size", param: "width", values: { kind: "list", values: ["24", "40"] } },
      ],
    });
  });
});
