import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { buffer } from "node:stream/consumers";
import sharp from "sharp";
import yauzl from "yauzl";
import { describe, expect, it } from "vitest";
import { useBrowser } from "./browser";
import {
  PHOTO,
  api,
  baseURL,
  createWorkflow,
  gradientPng,
  nodeEl,
  openWorkflow,
  pixels,
  statusEl,
  uploadAsset,
  waitForRuntime,
  workflowDoc,
} from "./helpers";

/**
 * Server runs from the editor (features/server-runs/): "Run on server" executes the saved
 * workflow in the studio's embedded queue and shows it on the canvas; "Run as batch" crosses
 * persons × garments into one run each on the e2e store's tiny Leffa models, fills the grid,
 * and downloads the batch's ZIP with its CSV.
 */

const { open } = useBrowser();

/** Every entry of a ZIP: path → bytes. */
function unzip(bytes: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const files = new Map<string, Buffer>();
      zip.on("entry", (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e) return reject(e);
          buffer(stream).then((b) => {
            files.set(entry.fileName, b);
            zip.readEntry();
          }, reject);
        });
      });
      zip.on("end", () => resolve(files));
      zip.readEntry();
    });
  });
}

/** A PNG whose alpha is the try-on mask: opaque (masked) in the middle band. */
async function maskPng(width: number, height: number): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      raw[(y * width + x) * 4 + 3] = y > height * 0.3 && y < height * 0.7 ? 255 : 0;
    }
  }
  return sharp(raw, { raw: { width, height, channels: 4 } })
    .png()
    .toBuffer();
}

async function personCrop(left: number): Promise<Buffer> {
  return sharp(PHOTO).extract({ left, top: 100, width: 96, height: 128 }).png().toBuffer();
}

describe("Server runs in the editor", () => {
  it("runs a saved workflow on the server, shows it on the canvas and lists it in Runs", async () => {
    const photo = await uploadAsset(new Uint8Array(await gradientPng(64, 48, 5)));
    const doc = workflowDoc(
      "server run e2e",
      [
        { id: "photo", type: "load-image", params: { image: photo } },
        { id: "fit", type: "resize", x: 260, params: { mode: "pad", width: 32, height: 40 } },
        { id: "view", type: "preview", x: 520 },
      ],
      [
        ["photo", "image", "fit", "image"],
        ["fit", "image", "view", "image"],
      ],
    );
    const { page, id } = await openWorkflow(open, doc);
    await waitForRuntime(page);
    await page.getByTestId("server-menu").click();
    await page.getByTestId("run-on-server").click();
    await nodeEl(page, "view")
      .locator('[data-testid="node-status"][data-status="done"]')
      .waitFor({ timeout: 60_000 });
    expect(await statusEl(page, "fit").getAttribute("data-status")).toBe("done");
    // The output came from the server's asset store and shows on the canvas at its real size.
    const src = await nodeEl(page, "view").locator("img").first().getAttribute("src");
    expect(src).toMatch(/^blob:/);
    const shown = await page.evaluate(async (url) => {
      const bitmap = await createImageBitmap(await (await fetch(url)).blob());
      return [bitmap.width, bitmap.height];
    }, src!);
    expect(shown).toEqual([32, 40]);

    const { runs } = await api<{ runs: { id: string; status: string; worker: string }[] }>(
      `/api/runs?workflow=${id}`,
    );
    expect(runs).toHaveLength(1);
    expect(runs[0].status).toBe("done");

    await page.getByTestId("server-menu").click();
    await page.getByTestId("open-runs").click();
    const row = page.getByTestId("run-row");
    await row.first().waitFor();
    expect(await row.count()).toBe(1);
    expect(await row.first().getAttribute("data-status")).toBe("done");
    await row.first().getByTestId("run-output").first().waitFor();
    await page.waitForFunction(() =>
      [...document.querySelectorAll<HTMLImageElement>('[data-testid="run-output"]')].every(
        (img) => img.complete && img.naturalWidth > 0,
      ),
    );
    await page.screenshot({ path: "test-results/server-runs-panel.png" });

    // Re-open the run's exact document after an edit: the edit is gone, the node is back.
    await page.getByRole("button", { name: "Close" }).click();
    await nodeEl(page, "view").click();
    await page.keyboard.press("Delete");
    await page.waitForFunction(() => document.querySelectorAll(".react-flow__node").length === 2);
    page.once("dialog", (d) => void d.accept());
    await page.getByTestId("server-menu").click();
    await page.getByTestId("open-runs").click();
    await page.getByTestId("run-reopen").first().click();
    await page.waitForFunction(() => document.querySelectorAll(".react-flow__node").length === 3);
  }, 120_000);

  it("runs a batch of 2 persons × 3 garments on tiny Leffa models: the grid fills and the ZIP lists 6 runs", async () => {
    const densepose = await uploadAsset(new Uint8Array(await gradientPng(96, 128, 7)));
    const mask = await uploadAsset(new Uint8Array(await maskPng(96, 128)));
    const person = await uploadAsset(new Uint8Array(await personCrop(200)));
    const garment = await uploadAsset(new Uint8Array(await gradientPng(96, 128, 3)));
    const doc = workflowDoc(
      "server batch e2e",
      [
        { id: "person", type: "load-image", params: { image: person } },
        { id: "garment", type: "load-image", y: 200, params: { image: garment } },
        { id: "pose", type: "load-image", y: 400, params: { image: densepose } },
        { id: "maskimg", type: "load-image", y: 600, params: { image: mask } },
        { id: "mask", type: "mask-from-alpha", x: 250, y: 600 },
        {
          id: "leffa",
          type: "leffa-sampler",
          x: 500,
          params: { resolution: "512x384", steps: 2, seed: 7, flow: "off" },
        },
        { id: "view", type: "preview", x: 850 },
      ],
      [
        ["person", "image", "leffa", "person"],
        ["garment", "image", "leffa", "reference"],
        ["pose", "image", "leffa", "densepose"],
        ["maskimg", "image", "mask", "image"],
        ["mask", "mask", "leffa", "mask"],
        ["leffa", "image", "view", "image"],
      ],
    );
    const { page, id } = await openWorkflow(open, doc);
    await page.getByTestId("server-menu").click();
    await page.getByTestId("open-runs").click();
    await page.getByTestId("open-batch").click();
    const persons = [await personCrop(180), await personCrop(220)];
    const garments = [3, 11, 19].map((seed) => gradientPng(96, 128, seed));
    await page
      .getByLabel("images for person")
      .setInputFiles(
        persons.map((b, i) => ({ name: `person-${i + 1}.png`, mimeType: "image/png", buffer: b })),
      );
    await page.getByLabel("images for garment").setInputFiles(
      await Promise.all(
        garments.map(async (b, i) => ({
          name: `garment-${i + 1}.png`,
          mimeType: "image/png",
          buffer: await b,
        })),
      ),
    );
    expect(await page.getByTestId("batch-planned").textContent()).toBe("6 runs");
    await page.getByTestId("batch-start").click();

    const cells = page.getByTestId("batch-cell");
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="batch-cell"]').length === 6,
    );
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('[data-testid="batch-cell"]')].every((c) =>
          ["done", "error", "cancelled"].includes(c.getAttribute("data-status") ?? ""),
        ),
      undefined,
      { timeout: 240_000, polling: 500 },
    );
    const statuses = await cells.evaluateAll((els) =>
      els.map((e) => e.getAttribute("data-status")),
    );
    expect(statuses).toEqual(Array(6).fill("done"));
    await page.waitForFunction(() =>
      [...document.querySelectorAll<HTMLImageElement>('[data-testid="batch-result"]')].every(
        (img) => img.complete && img.naturalWidth > 0,
      ),
    );
    expect(await page.getByTestId("batch-result").count()).toBe(6);
    await page.screenshot({ path: "test-results/server-batch-grid.png" });

    // Six runs of this workflow share the batch id.
    const batchId = (await page.getByTestId("batch-id").textContent())!;
    const { runs } = await api<{ runs: { batchId: string; workflowId: string }[] }>(
      `/api/runs?batch=${batchId}`,
    );
    expect(runs).toHaveLength(6);
    expect(runs.every((r) => r.workflowId === id)).toBe(true);

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByTestId("batch-zip").click(),
    ]);
    const path = join("test-results", `${batchId}.zip`);
    await download.saveAs(path);
    const files = await unzip(await readFile(path));
    const csv = files.get("batch.csv")!.toString("utf8").trim().split("\r\n");
    expect(csv).toHaveLength(7);
    expect(csv[0]).toMatch(/^run,status,input:person,input:garment,/);
    expect(csv.slice(1).every((line) => line.split(",")[1] === "done")).toBe(true);
    // Two persons and three garments, each stored once; one output per run.
    expect([...files.keys()].filter((p) => p.startsWith("inputs/person/"))).toHaveLength(2);
    expect([...files.keys()].filter((p) => p.startsWith("inputs/garment/"))).toHaveLength(3);
    const outputs = [...files.keys()].filter((p) => /^\d-/.test(p));
    expect(new Set(outputs.map((p) => p.split("/")[0])).size).toBe(6);
    const result = outputs.find((p) => p.endsWith("/view-image-0.png"));
    expect(result).toBeDefined();
    const first = await pixels(files.get(result!)!);
    expect([first.width, first.height]).toEqual([96, 128]);
  }, 300_000);

  it("runs a batch through the API from the CLI: npm run studio -- batch --server", async () => {
    const id = await createWorkflow(
      workflowDoc(
        "server cli batch e2e",
        [
          { id: "person", type: "load-image" },
          { id: "garment", type: "load-image", y: 200 },
          { id: "mix", type: "composite", x: 250, params: { x: 2, y: 2 } },
          { id: "view", type: "preview", x: 500 },
        ],
        [
          ["person", "image", "mix", "base"],
          ["garment", "image", "mix", "overlay"],
          ["mix", "image", "view", "image"],
        ],
      ),
    );
    const dir = await mkdtemp(join(tmpdir(), "leffa-cli-server-"));
    await mkdir(join(dir, "persons"));
    for (const [i, seed] of [1, 2].entries()) {
      await writeFile(join(dir, "persons", `p${i}.png`), await gradientPng(40, 50, seed));
    }
    await writeFile(join(dir, "garment.png"), await gradientPng(8, 8, 9));
    const { stdout } = await promisify(execFile)("node_modules/.bin/tsx", [
      "tools/studio-cli.ts",
      "batch",
      "--server",
      baseURL(),
      "--workflow",
      id,
      "--input",
      `person=${join(dir, "persons")}`,
      "--input",
      `garment=${join(dir, "garment.png")}`,
      "--out",
      join(dir, "out"),
    ]);
    expect(stdout).toMatch(/2 of 2 runs done; .*\.zip/);
    const zipPath = /; (\S+\.zip)/.exec(stdout)![1];
    const files = await unzip(await readFile(zipPath));
    const csv = files.get("batch.csv")!.toString("utf8").trim().split("\r\n");
    expect(csv).toHaveLength(3);
    expect([...files.keys()].filter((p) => p.endsWith("/view-image-0.png"))).toHaveLength(2);
  }, 120_000);
});
