import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeHub, type FakeHub } from "../../models/install/testing/fake-hub";
import { serveBuild } from "../helpers/serve-build";
import { tinyHubContent } from "../helpers/tiny-hub";
import { CHROMIUM, expectNoCspViolations, watchCsp } from "./browser";

/**
 * The editor's "This workflow needs N models — Install all" banner in Chromium, against a studio
 * of its own (its own port and empty model store) whose HF_ENDPOINT is a local fake hub serving
 * tiny files: the banner's plan, one progress view, Cancel, Resume after a reload, and the
 * installer's message in the banner. The server installs with the real manifest, whose pinned
 * sizes the tiny SCHP files cannot meet, so the run stops there with the size mismatch named:
 * what came before it (conversions included) is installed.
 */

const PORT = Number(process.env.E2E_INSTALL_PORT ?? 3157);

let dir: string;
let hub: FakeHub;
let server: Awaited<ReturnType<typeof serveBuild>>;
let browser: Browser;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "e2e-install-"));
  const content = await tinyHubContent(dir);
  // Slow enough that Cancel lands mid-install.
  hub = await startFakeHub({ repos: content.repos, bytesPerSecond: 200_000 });
  server = await serveBuild(PORT, {
    seed: true,
    env: () => ({ MODELS_DIR: path.join(dir, "store"), HF_ENDPOINT: hub.endpoint }),
  });
  browser = await chromium.launch({ executablePath: CHROMIUM });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  server?.stop();
  await hub?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the workflow models banner", () => {
  it("plans, installs with progress, cancels and resumes after a reload", async () => {
    const res = await fetch(
      `${server.base}/api/workflows?q=${encodeURIComponent("Virtual try-on")}`,
    );
    const { workflows } = (await res.json()) as { workflows: { id: string; name: string }[] };
    const id = workflows.find((w) => w.name === "Virtual try-on")!.id;
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const violations: string[] = [];
    await watchCsp(context, violations);
    const page = await context.newPage();
    await page.goto(`${server.base}/w/${id}`);
    const banner = page.locator('[data-testid="workflow-models-banner"]');
    await banner.waitFor({ timeout: 60_000 });
    expect(await banner.textContent()).toMatch(
      /^This workflow needs 10 models \([\d.]+ [kMG]?B to download, [\d.]+ [kMG]?B on disk\)Install all$/,
    );

    await banner.getByRole("button", { name: "Install all" }).click();
    await page.locator('[data-testid="install-progress"]').waitFor();
    expect(await page.locator('[data-testid="install-progress"]').textContent()).toMatch(
      /^step 1\/\d+/,
    );
    await banner.getByRole("button", { name: "Cancel" }).click();
    await banner.getByRole("alert").waitFor();
    expect(await banner.getByRole("alert").textContent()).toContain("Install cancelled");

    // A reload remembers the unfinished install and offers to resume it.
    await page.reload();
    await banner.getByRole("button", { name: "Resume install" }).waitFor({ timeout: 60_000 });
    await banner.getByRole("button", { name: "Resume install" }).click();
    await banner.getByRole("alert").waitFor({ timeout: 120_000 });
    expect(await banner.getByRole("alert").textContent()).toMatch(
      /parsing_atr\.onnx: the server reports \d+ bytes, the manifest expects 266859305/,
    );
    const models = (await (await fetch(`${server.base}/api/models`)).json()) as {
      models: { id: string; installed: { source: string } | null }[];
    };
    const installed = models.models.filter((m) => m.installed);
    expect(installed.map((m) => m.id)).toContain("densepose-r50-fpn");
    expect(installed.find((m) => m.id === "densepose-r50-fpn")!.installed!.source).toBe(
      "convert:model_final_162be9.pkl",
    );
    expectNoCspViolations(violations);
    await context.close();
  }, 240_000);
});
