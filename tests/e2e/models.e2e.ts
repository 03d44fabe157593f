import { mkdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Locator, Page } from "playwright-core";
import { useBrowser } from "./browser";
import { api, sha256, tempFile } from "./helpers";
import { E2E_TINY_MODELS } from "./models-store";

/**
 * The Models panel against the e2e server's own store (tests/e2e/models-store.ts installs one
 * model there: realesrgan-x4fast when this machine has it): the list with licences, caching a model in the browser with progress,
 * the cache surviving a reload without a second download, importing a local file, and clearing.
 * Range and path-safety checks of the file route live in tests/api/models.test.ts.
 */

const { open } = useBrowser();
const SCREENSHOT = "test-results/models-panel.png";
const FILE_REQUEST = /\/api\/models\/[^/]+\/files\//;

/** Polls with room for a busy machine: each step crosses the worker and the server. */
function poll<T>(read: () => Promise<T> | T) {
  return expect.poll(read, { timeout: 20_000 });
}

interface Listed {
  id: string;
  title: string;
  optional: boolean;
  licence: { spdx: string };
  /** The manifest's files: what the browser caches (the record may add build sources). */
  files: { name: string }[];
  source: { kind: string };
  installed: { files: { name: string; bytes: number; sha256: string }[] } | null;
}

/** Counts the model file downloads a page (and its worker) makes. */
function countFileRequests(page: Page): { count: number } {
  const seen = { count: 0 };
  page.context().on("request", (r) => {
    if (FILE_REQUEST.test(r.url())) seen.count++;
  });
  return seen;
}

async function openPanel(page: Page): Promise<Locator> {
  await page.getByRole("button", { name: "Models", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Models" });
  await dialog.locator(".model-row").first().waitFor();
  return dialog;
}

function row(dialog: Locator, id: string): Locator {
  return dialog.locator(`.model-row[data-model-id="${id}"]`);
}

async function browserState(dialog: Locator, id: string): Promise<string | null> {
  return row(dialog, id).getByTestId("model-browser-status").getAttribute("data-state");
}

/** The keys of the studio's model cache, read from the page (Cache Storage is per origin). */
async function cacheKeys(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    if (!(await caches.has("leffa-models-v1"))) return [];
    const cache = await caches.open("leffa-models-v1");
    return (await cache.keys()).map((r) => new URL(r.url).pathname + new URL(r.url).search);
  });
}

describe("Models panel", () => {
  it("lists models, caches one with progress, keeps it across a reload, imports and clears", async () => {
    const { models } = await api<{ models: Listed[] }>("/api/models");
    // The e2e store holds exactly one installed model besides the tiny ones (models-store.ts).
    const installedModels = models.filter((m) => m.installed && !E2E_TINY_MODELS.includes(m.id));
    expect(installedModels).toHaveLength(1);
    const installed = installedModels[0];
    const E2E_MODEL = installed.id;
    expect(installed.files).toHaveLength(1);
    const file = installed.installed!.files.find((f) => f.name === installed.files[0].name)!;

    const page = await open("/");
    const downloads = countFileRequests(page);
    const dialog = await openPanel(page);

    // Every model, with its licence; AGPL and optional ones flagged.
    await poll(() => dialog.locator(".model-row").count()).toBe(models.length);
    for (const m of models) {
      await expect
        .poll(() => row(dialog, m.id).locator(".model-licence").textContent())
        .toContain(m.licence.spdx);
    }
    const agpl = models.find((m) => m.licence.spdx.startsWith("AGPL"))!;
    expect(await row(dialog, agpl.id).getByTestId("licence-flag").allTextContents()).toContain(
      "copyleft (AGPL/GPL): sharing obligations",
    );
    expect(await row(dialog, agpl.id).locator(".badge-optional").count()).toBe(
      agpl.optional ? 1 : 0,
    );

    const target = row(dialog, E2E_MODEL);
    expect(await target.getByTestId("model-server-status").textContent()).toMatch(
      /^Installed on the server/,
    );
    expect(await browserState(dialog, E2E_MODEL)).toBe("none");

    // Cache it: the bar of its file reaches 100 % and the row says cached.
    await target.getByRole("button", { name: `Cache ${installed.title} in this browser` }).click();
    await target.locator('[role="progressbar"][aria-valuenow="100"]').waitFor({ timeout: 60_000 });
    await poll(() => browserState(dialog, E2E_MODEL)).toBe("cached");
    expect(await target.getByTestId("model-browser-status").textContent()).toContain(
      "Cached in this browser",
    );
    expect(downloads.count).toBe(1);
    expect(await cacheKeys(page)).toEqual([
      `/api/models/${E2E_MODEL}/files/${file.name}?sha256=${file.sha256}`,
    ]);

    mkdirSync("test-results", { recursive: true });
    await dialog.screenshot({ path: SCREENSHOT });

    // A reload finds it cached, and nothing is downloaded again.
    await page.reload();
    await page.waitForSelector(".react-flow__renderer");
    const before = downloads.count;
    const reopened = await openPanel(page);
    await poll(() => browserState(reopened, E2E_MODEL)).toBe("cached");
    await poll(() =>
      row(reopened, E2E_MODEL)
        .getByRole("button", { name: /^Cache / })
        .count(),
    ).toBe(0);
    expect(downloads.count).toBe(before);

    // Clear the browser cache: the row says so and Cache Storage is empty.
    await reopened.getByRole("button", { name: "Clear browser cache" }).click();
    await poll(() => browserState(reopened, E2E_MODEL)).toBe("none");
    expect(await cacheKeys(page)).toEqual([]);

    // Import the same file from disk: checked against the server's record, cached, no download.
    const res = await fetch(
      `${await page.evaluate(() => location.origin)}/api/models/${E2E_MODEL}/files/${file.name}`,
    );
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(sha256(bytes)).toBe(file.sha256);
    const countBeforeImport = downloads.count;
    const input = row(reopened, E2E_MODEL).getByLabel(`Import a local file for ${installed.title}`);
    await input.setInputFiles(tempFile("model.onnx", bytes));
    await poll(() => browserState(reopened, E2E_MODEL)).toBe("cached");
    expect(downloads.count).toBe(countBeforeImport);

    // A wrong file is refused with a message naming it, and nothing changes.
    await row(reopened, E2E_MODEL)
      .getByRole("button", { name: /^Remove .* from this browser's cache$/ })
      .click();
    await poll(() => browserState(reopened, E2E_MODEL)).toBe("none");
    const corrupt = bytes.slice();
    corrupt[corrupt.length >> 1] ^= 0xff;
    await input.setInputFiles(tempFile("corrupt-model.onnx", corrupt));
    const alert = row(reopened, E2E_MODEL).getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(
      new RegExp(`${E2E_MODEL}/${file.name}: checksum mismatch`),
    );
    expect(await browserState(reopened, E2E_MODEL)).toBe("none");
    expect(await cacheKeys(page)).toEqual([]);

    // Installing through the server streams its outcome: a conversion downloads its checkpoint
    // first, and the e2e server's hub (HF_ENDPOINT, global-setup.ts) is a closed local port, so it
    // says the hub cannot be reached — offline, nothing half-installed.
    const convert = models.find((m) => m.source.kind === "convert" && !m.installed)!;
    const convertRow = row(reopened, convert.id);
    await convertRow
      .getByRole("button", { name: `Install ${convert.title} on the server` })
      .click();
    await convertRow.getByRole("alert").waitFor();
    expect(await convertRow.getByRole("alert").textContent()).toMatch(
      /^cannot reach 127\.0\.0\.1:9( \([A-Z]+\))?: check the network connection and try again/,
    );
    await convertRow.screenshot({ path: "test-results/models-panel-install-error.png" });

    // Escape closes the panel.
    await page.keyboard.press("Escape");
    await poll(() => page.getByRole("dialog", { name: "Models" }).count()).toBe(0);
  });
});
