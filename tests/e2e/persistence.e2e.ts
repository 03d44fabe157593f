import { readFile } from "node:fs/promises";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { useBrowser } from "./browser";
import {
  api,
  createWorkflow,
  dropFile,
  emptyPoint,
  exportDocument,
  fetchWorkflow,
  gradientPng,
  isPng,
  listWorkflows,
  nodeEl,
  nodeIds,
  nodeIdsOfType,
  openWorkflow,
  runWorkflow,
  settle,
  tempFile,
  toastLocator,
  unique,
  uploadAsset,
  wires,
  workflowDoc,
  type WorkflowDocument,
} from "./helpers";

const studio = useBrowser();

let asset: string;
beforeAll(async () => {
  asset = await uploadAsset(await gradientPng(64, 48, 11));
});

const versions = async (id: string) =>
  (await api<{ versions: unknown[] }>(`/api/workflows/${id}/versions`)).versions;

function nameField(page: Page) {
  return page.getByRole("textbox", { name: "workflow name" });
}

function saveState(page: Page) {
  return page.getByTestId("save-state");
}

async function addFromPalette(page: Page, type: string): Promise<string> {
  const before = await nodeIdsOfType(page, type);
  const at = await emptyPoint(page, { x: 500, y: 600 }, { width: 280, height: 220 });
  // A click on the empty canvas takes the focus out of any field (where Ctrl+K is just a key).
  await page.mouse.click(at.x, at.y);
  await page.keyboard.press("Control+k");
  await page.locator(`.palette-item[data-type="${type}"]`).click();
  await page.locator(".palette").waitFor({ state: "detached" });
  const [id] = (await nodeIdsOfType(page, type)).filter((n) => !before.includes(n));
  await nodeEl(page, id).waitFor();
  await settle(page);
  return id;
}

/** Ctrl+S, then waits for the toast saying the workflow was saved as `version`. */
async function save(page: Page, version: number): Promise<void> {
  await page.keyboard.press("Control+s");
  await toastLocator(page, "info")
    .filter({ hasText: new RegExp(`^Saved ".*" \\(version ${version}\\)$`) })
    .waitFor();
  expect(await saveState(page).textContent()).toBe("saved");
}

function card(page: Page, name: string) {
  return page
    .getByTestId("library-card")
    .filter({ has: page.getByRole("link", { name, exact: true }) });
}

describe("saving and reopening", () => {
  it("saves a new workflow under its new name, versions each save and reopens the same graph", async () => {
    const page = await studio.open("/");
    await settle(page);
    const name = unique("Saved by e2e");
    await nameField(page).fill(name);
    const load = await addFromPalette(page, "load-image");
    expect(await saveState(page).textContent()).toBe("unsaved changes");

    await save(page, 1);
    await page.waitForURL(/\/w\/[^/?#]+$/);
    const id = new URL(page.url()).pathname.split("/").pop()!;
    expect(await versions(id)).toHaveLength(1);
    const first = await fetchWorkflow(id);
    expect(first.name).toBe(name);
    expect(first.document.nodes.map((n) => n.id)).toEqual([load]);

    const resize = await addFromPalette(page, "resize");
    await nodeEl(page, resize).getByRole("spinbutton", { name: "width", exact: true }).fill("321");
    await save(page, 2);
    expect(await versions(id)).toHaveLength(2);
    expect(page.url()).toMatch(new RegExp(`/w/${id}$`));
    const before = await exportDocument(page);

    await page.reload();
    await page.waitForFunction(() => document.querySelectorAll(".react-flow__node").length === 2);
    expect(await nameField(page).inputValue()).toBe(name);
    expect(await saveState(page).textContent()).toBe("saved");
    expect(await page.locator(".draft-banner").count()).toBe(0);
    expect(
      await nodeEl(page, resize)
        .getByRole("spinbutton", { name: "width", exact: true })
        .inputValue(),
    ).toBe("321");
    expect(await exportDocument(page)).toEqual(before);
    expect((await fetchWorkflow(id)).document).toEqual(before);
  });

  it("lists it in the library with name, node count, update time and a thumbnail after a run; opens it from there", async () => {
    const name = unique("Library entry");
    const { page, id } = await openWorkflow(
      studio.open,
      workflowDoc(
        name,
        [
          { id: "load", type: "load-image", params: { image: asset } },
          { id: "rs", type: "resize", x: 320, params: { mode: "stretch", width: 96, height: 64 } },
          { id: "prev", type: "preview", x: 660 },
        ],
        [
          ["load", "image", "rs", "image"],
          ["rs", "image", "prev", "image"],
        ],
      ),
    );
    expect(await runWorkflow(page)).toMatch(/^Done: 3 ran/);
    await save(page, 2);
    const row = (await listWorkflows()).find((w) => w.id === id)!;
    expect(row).toMatchObject({ name, nodeCount: 3, hasThumbnail: true });

    await page.goto("/library");
    const entry = card(page, name);
    await entry.waitFor();
    const updated = await page.evaluate((iso) => new Date(iso).toLocaleString(), row.updatedAt);
    expect(await entry.locator(".meta span").textContent()).toBe(`3 nodes · updated ${updated}`);
    await page.waitForFunction(
      (id) =>
        [...document.querySelectorAll<HTMLImageElement>(".library-card .thumb img")].some(
          (img) =>
            img.src.includes(`/api/workflows/${id}/thumbnail`) &&
            img.complete &&
            img.naturalWidth > 0,
        ),
      id,
    );
    // The newest workflow comes first.
    expect(await page.getByTestId("library-card").first().locator(".title").textContent()).toBe(
      name,
    );

    await entry.getByRole("link", { name, exact: true }).click();
    await page.waitForURL(new RegExp(`/w/${id}$`));
    await page.waitForFunction(() => document.querySelectorAll(".react-flow__node").length === 3);
    expect(await nameField(page).inputValue()).toBe(name);
  });

  it("renames, duplicates and deletes from the library, asking first", async () => {
    const name = unique("Library actions");
    const id = await createWorkflow(
      workflowDoc(name, [{ id: "n", type: "note", params: { text: "hi" } }]),
    );
    const page = await studio.openPage("/library");
    await card(page, name).waitFor();

    const renamed = `${name} renamed`;
    page.once("dialog", (d) => {
      expect(d.type()).toBe("prompt");
      expect(d.defaultValue()).toBe(name);
      void d.accept(renamed);
    });
    await card(page, name).getByRole("button", { name: "Rename" }).click();
    await card(page, renamed).waitFor();
    expect(await card(page, name).count()).toBe(0);
    expect((await fetchWorkflow(id)).name).toBe(renamed);

    await card(page, renamed).getByRole("button", { name: "Duplicate" }).click();
    const copyName = `${renamed} (copy)`;
    await card(page, copyName).waitFor();
    const copy = (await listWorkflows()).find((w) => w.name === copyName)!;
    expect(copy.id).not.toBe(id);
    expect((await fetchWorkflow(copy.id)).document.nodes).toEqual(
      (await fetchWorkflow(id)).document.nodes,
    );

    // Declining the confirmation keeps it; accepting deletes it.
    page.once("dialog", (d) => {
      expect(d.type()).toBe("confirm");
      expect(d.message()).toContain(copyName);
      void d.dismiss();
    });
    await card(page, copyName).getByRole("button", { name: "Delete" }).click();
    await page.waitForTimeout(300);
    expect(await card(page, copyName).count()).toBe(1);
    page.once("dialog", (d) => void d.accept());
    await card(page, copyName).getByRole("button", { name: "Delete" }).click();
    await card(page, copyName).waitFor({ state: "detached" });
    const ids = (await listWorkflows()).map((w) => w.id);
    expect(ids).not.toContain(copy.id);
    expect(ids).toContain(id);
    expect(await card(page, renamed).count()).toBe(1);
  });
});

describe("unsaved edits", () => {
  it("keeps a draft: after a reload “Restore draft” brings the edit back", async () => {
    const { page, id } = await openWorkflow(
      studio.open,
      workflowDoc(unique("Draft"), [{ id: "rs", type: "resize", params: { width: 768 } }]),
    );
    const width = () => nodeEl(page, "rs").getByRole("spinbutton", { name: "width", exact: true });
    await width().fill("1500");
    await page.waitForFunction(
      (key) => localStorage.getItem(key)?.includes('"width":1500'),
      `leffa-studio:draft:${id}`,
    );
    page.on("dialog", (d) => void d.accept());
    await page.reload();
    const banner = page.locator(".draft-banner");
    await banner.waitFor();
    expect(await banner.textContent()).toContain("Unsaved changes from");
    await nodeEl(page, "rs").waitFor();
    expect(await width().inputValue()).toBe("768");
    expect(await saveState(page).textContent()).toBe("saved");

    await banner.getByRole("button", { name: "Restore draft" }).click();
    await banner.waitFor({ state: "detached" });
    expect(await width().inputValue()).toBe("1500");
    expect(await saveState(page).textContent()).toBe("unsaved changes");
  });

  it("asks before the tab closes with unsaved edits", async () => {
    const { page } = await openWorkflow(
      studio.open,
      workflowDoc(unique("Before unload"), [{ id: "rs", type: "resize" }]),
    );
    await nodeEl(page, "rs").getByRole("spinbutton", { name: "height", exact: true }).fill("640");
    expect(await saveState(page).textContent()).toBe("unsaved changes");
    const dialog = page.waitForEvent("dialog");
    await page.close({ runBeforeUnload: true });
    const d = await dialog;
    expect(d.type()).toBe("beforeunload");
    await d.accept();
  });
});

describe("workflows in files", () => {
  it("reopens the workflow embedded in a saved PNG dropped onto a new canvas", async () => {
    const name = unique("PNG round trip");
    const doc = workflowDoc(
      name,
      [
        { id: "load", type: "load-image", params: { image: asset } },
        { id: "rs", type: "resize", x: 320, params: { mode: "stretch", width: 48, height: 32 } },
        {
          id: "save",
          type: "save-image",
          x: 660,
          params: { filename: "roundtrip", embedWorkflow: true },
        },
      ],
      [
        ["load", "image", "rs", "image"],
        ["rs", "image", "save", "image"],
      ],
    );
    const { page } = await openWorkflow(studio.open, doc);
    expect(await runWorkflow(page)).toMatch(/^Done: 3 ran/);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      nodeEl(page, "save").locator("a.download").click(),
    ]);
    expect(download.suggestedFilename()).toBe("roundtrip.png");
    const bytes = await readFile(await download.path());
    expect(isPng(bytes)).toBe(true);
    expect(bytes.includes(Buffer.from("leffa-studio-workflow"))).toBe(true);

    const fresh = await studio.open("/");
    await settle(fresh);
    await dropFile(fresh, ".react-flow__pane", { name: "roundtrip.png", type: "image/png", bytes });
    await fresh.waitForFunction(() => document.querySelectorAll(".react-flow__node").length === 3);
    expect((await nodeIds(fresh)).sort()).toEqual(["load", "rs", "save"]);
    expect(await wires(fresh)).toEqual(["load->rs", "rs->save"]);
    expect(await nameField(fresh).inputValue()).toBe(name);
    expect(
      await toastLocator(fresh, "info")
        .filter({ hasText: `Opened "${name}" from roundtrip.png` })
        .count(),
    ).toBe(1);
    const reopened = await exportDocument(fresh);
    expect(reopened.nodes).toEqual(doc.nodes);
    expect(reopened.edges).toEqual(doc.edges);
  });

  async function importFile(page: Page, name: string, content: string): Promise<void> {
    await page.getByLabel("import workflow file").setInputFiles(tempFile(name, content));
  }

  async function openTarget(): Promise<{ page: Page; before: WorkflowDocument }> {
    const { page } = await openWorkflow(
      studio.open,
      workflowDoc(
        unique("Import target"),
        [
          { id: "keep1", type: "load-image" },
          { id: "keep2", type: "preview", x: 400 },
        ],
        [["keep1", "image", "keep2", "image"]],
      ),
    );
    return { page, before: await exportDocument(page) };
  }

  async function expectUnchanged(page: Page, before: WorkflowDocument): Promise<void> {
    expect(await exportDocument(page)).toEqual(before);
    expect(await saveState(page).textContent()).toBe("saved");
    expect(page.url()).toMatch(/\/w\/[^/]+$/);
  }

  it("refuses an imported document with a cycle or a wrong wire, naming the node, and leaves the canvas as it was", async () => {
    const { page, before } = await openTarget();
    const errors = toastLocator(page, "error");

    const cycle = workflowDoc(
      "cycle",
      [
        { id: "first", type: "resize" },
        { id: "second", type: "resize", x: 300 },
      ],
      [
        ["first", "image", "second", "image"],
        ["second", "image", "first", "image"],
      ],
    );
    await importFile(page, "cycle.json", JSON.stringify(cycle));
    await errors.first().waitFor();
    expect(await errors.first().textContent()).toMatch(
      /^Not opened: node "(first|second)": .*cycle/,
    );
    await expectUnchanged(page, before);

    const mismatch = workflowDoc(
      "mismatch",
      [
        { id: "img", type: "load-image" },
        { id: "ops", type: "mask-ops", x: 300 },
      ],
      [["img", "image", "ops", "mask"]],
    );
    await importFile(page, "mismatch.json", JSON.stringify(mismatch));
    await errors.nth(1).waitFor();
    expect(await errors.nth(1).textContent()).toBe(
      'Not opened: node "ops": wire e1: type mismatch: IMAGE cannot connect to MASK',
    );
    await expectUnchanged(page, before);
  });

  it("reports malformed JSON readably and leaves the canvas as it was", async () => {
    const { page, before } = await openTarget();
    await importFile(page, "broken.json", '{ "version": 1, "nodes": [');
    const error = toastLocator(page, "error").first();
    await error.waitFor();
    expect(await error.textContent()).toMatch(/^Not opened: broken\.json is not valid JSON: /);
    await expectUnchanged(page, before);
  });

  it("keeps a node of an unknown type as a visible placeholder, through export and save", async () => {
    const { page } = await openTarget();
    const doc = workflowDoc(
      unique("From a newer studio"),
      [
        { id: "src", type: "load-image" },
        { id: "future", type: "hologram-maker", x: 320, params: { depth: 3, style: "neon" } },
        { id: "out", type: "preview", x: 660 },
      ],
      [
        ["src", "image", "future", "photo"],
        ["future", "hologram", "out", "image"],
      ],
    );
    await importFile(page, "future.json", JSON.stringify(doc));
    const missing = page.getByTestId("missing-node");
    await missing.waitFor({ timeout: 10_000 });
    expect(await missing.textContent()).toContain("hologram-maker");
    expect((await nodeIds(page)).sort()).toEqual(["future", "out", "src"]);
    expect(await wires(page)).toEqual(["future->out", "src->future"]);
    expect(await saveState(page).textContent()).toBe("unsaved changes");

    const exported = await exportDocument(page);
    expect(exported.nodes).toEqual(doc.nodes);
    expect(exported.edges).toEqual(doc.edges);

    await page.keyboard.press("Control+s");
    await page.waitForURL(/\/w\/[^/?#]+$/);
    await page.waitForFunction(
      () => document.querySelector('[data-testid="save-state"]')?.textContent === "saved",
    );
    const id = new URL(page.url()).pathname.split("/").pop()!;
    const stored = (await fetchWorkflow(id)).document;
    expect(stored.nodes).toEqual(doc.nodes);
    expect(stored.edges).toEqual(doc.edges);
  });
});
