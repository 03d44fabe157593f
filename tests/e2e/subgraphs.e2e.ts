import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { useBrowser } from "./browser";
import {
  dragWire,
  exportDocument,
  fetchWorkflow,
  gradientPng,
  handleEl,
  nodeEl,
  nodeIds,
  openWorkflow,
  settle,
  statuses,
  uploadAsset,
  waitForRunEnd,
  watchForRunStart,
  wires,
  workflowDoc,
} from "./helpers";

const studio = useBrowser();

let asset: string;
beforeAll(async () => {
  asset = await uploadAsset(await gradientPng(64, 48, 5));
});

/** load → b (resize) → c (crop) → d (resize) → view. */
function chain() {
  return workflowDoc(
    "subgraph source",
    [
      { id: "load", type: "load-image", params: { image: asset } },
      { id: "b", type: "resize", x: 320, params: { mode: "stretch", width: 40, height: 30 } },
      { id: "c", type: "crop", x: 640, params: { x: 0, y: 0, width: 30, height: 20 } },
      { id: "d", type: "resize", x: 960, params: { mode: "stretch", width: 16, height: 12 } },
      { id: "view", type: "preview", x: 1280 },
    ],
    [
      ["load", "image", "b", "image"],
      ["b", "image", "c", "image"],
      ["c", "image", "d", "image"],
      ["d", "image", "view", "image"],
    ],
  );
}

async function clickTitle(page: Page, id: string, modifiers: "Control"[] = []) {
  await nodeEl(page, id).locator(".studio-node > header").click({ modifiers });
}

/** The id of the one subgraph node on the canvas. */
async function subgraphNode(page: Page): Promise<string> {
  const ids = await page
    .locator('.react-flow__node:has([data-node-type^="subgraph:"])')
    .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.id!));
  expect(ids).toHaveLength(1);
  return ids[0];
}

async function menuItem(page: Page, id: string, name: RegExp) {
  await nodeEl(page, id).locator(".node-title").click({ button: "right" });
  const menu = page.getByRole("menu", { name: "Node actions" });
  await menu.waitFor();
  return menu.getByRole("menuitem", { name });
}

async function toast(page: Page, text: RegExp) {
  await page.getByText(text).first().waitFor({ timeout: 15_000 });
}

/**
 * Clicks Run and returns the run's summary. Not the shared runWorkflow: that waits for the
 * backend badge to be visible, which a toolbar wider than the window pushes out of view, and
 * its Run button's selector also matches "Run on server"; a run started before the runtime is
 * up waits for it anyway.
 */
async function runWorkflow(page: Page): Promise<string> {
  await watchForRunStart(page);
  await page.locator('button[title^="Run (Ctrl+Enter)"]').click();
  return waitForRunEnd(page);
}

async function thumbWidth(page: Page, id: string): Promise<number> {
  return nodeEl(page, id)
    .getByTestId("node-thumbnail")
    .evaluate((img) => (img as HTMLImageElement).naturalWidth);
}

describe("subgraphs", () => {
  it("makes a subgraph of three nodes, saves it as a component, uses it in a second workflow and updates it", async () => {
    // Workflow A: collapse b, c, d into "Prep", showing b's width.
    const { page: a, id: aId } = await openWorkflow(studio.open, chain());
    await clickTitle(a, "b");
    await clickTitle(a, "c", ["Control"]);
    await clickTitle(a, "d", ["Control"]);
    await a.keyboard.press("Control+e");
    const dialog = a.getByTestId("make-subgraph");
    await dialog.waitFor();
    expect(await dialog.getByTestId("expose-in:b:image").isChecked()).toBe(true);
    expect(await dialog.getByTestId("expose-out:d:image").isChecked()).toBe(true);
    await dialog.getByTestId("subgraph-name").fill("Prep");
    await dialog.getByTestId("expose-param:b:width").check();
    await a.screenshot({ path: join(tmpdir(), "subgraph-dialog.png") });
    await dialog.getByTestId("make-subgraph-confirm").click();
    await dialog.waitFor({ state: "detached" });

    const sg = await subgraphNode(a);
    expect((await nodeIds(a)).sort()).toEqual(["load", sg, "view"].sort());
    expect(await wires(a)).toEqual([`${sg}->view`, `load->${sg}`].sort());
    const width = nodeEl(a, sg).getByRole("spinbutton", { name: "width", exact: true });
    expect(await width.inputValue()).toBe("40");

    // It runs as its three inner nodes; the node shows their state.
    expect(await runWorkflow(a)).toMatch(/^Done: 5 ran, 0 cached in/);
    expect(await statuses(a, [sg, "view"])).toEqual({ [sg]: "done", view: "done" });
    expect(await thumbWidth(a, "view")).toBe(16);
    await a.screenshot({ path: join(tmpdir(), "subgraph-collapsed.png") });

    // Open it: the three nodes, a breadcrumb back.
    await nodeEl(a, sg).getByTestId("open-subgraph").click();
    await a.getByTestId("subgraph-current").waitFor();
    expect(await a.getByTestId("subgraph-current").textContent()).toBe("Prep");
    await a.waitForFunction(() => document.querySelectorAll(".react-flow__node").length === 3);
    expect((await nodeIds(a)).sort()).toEqual(["b", "c", "d"]);
    await a.screenshot({ path: join(tmpdir(), "subgraph-inside.png") });
    await a
      .getByTestId("subgraph-breadcrumb")
      .getByRole("button", { name: "subgraph source" })
      .click();
    await a.waitForFunction(() => document.querySelectorAll(".react-flow__node").length === 3);
    expect((await nodeIds(a)).sort()).toEqual(["load", sg, "view"].sort());

    // Save it to the library as a component.
    await (await menuItem(a, sg, /^Save as component/)).click();
    await toast(a, /Saved component "Prep" \(version 1\)/);
    expect(await nodeEl(a, sg).getByTestId("component-version").textContent()).toBe("component v1");
    await a.keyboard.press("Control+s");
    await toast(a, /Saved "subgraph source"/);
    const savedA = await fetchWorkflow(aId);
    const key = Object.keys(savedA.document.subgraphs ?? {})[0];
    const componentId = savedA.document.subgraphs?.[key].component?.id;
    expect(savedA.document.subgraphs?.[key].component).toEqual({ id: componentId, version: 1 });

    // Workflow B: add the component from the library and wire it.
    const { page: b, id: bId } = await openWorkflow(
      studio.open,
      workflowDoc("subgraph user", [
        { id: "load", type: "load-image", params: { image: asset } },
        { id: "view", type: "preview", x: 900 },
      ]),
    );
    await b.getByTestId("open-components").click();
    await b.getByTestId("components-panel").getByRole("button", { name: "Add “Prep”" }).click();
    await b.waitForFunction(() => document.querySelectorAll(".react-flow__node").length === 3);
    await settle(b);
    const used = await subgraphNode(b);
    expect(await nodeEl(b, used).getByTestId("component-version").textContent()).toBe(
      "component v1",
    );
    await dragWire(b, handleEl(b, "load", "image", "source"), handleEl(b, used, "image", "target"));
    await dragWire(b, handleEl(b, used, "image", "source"), handleEl(b, "view", "image", "target"));
    expect(await wires(b)).toEqual([`${used}->view`, `load->${used}`].sort());
    // Same inner nodes, same params, same input: each key is one the first workflow's run
    // cached — in another tab's worker, so here they run.
    expect(await runWorkflow(b)).toMatch(/^Done: 5 ran, 0 cached in/);
    expect(await thumbWidth(b, "view")).toBe(16);
    await b.keyboard.press("Control+s");
    await toast(b, /Saved "subgraph user"/);

    // A new version of the component, made in workflow A: d's width becomes 20 inside.
    await nodeEl(a, sg).getByTestId("open-subgraph").click();
    await a.getByTestId("subgraph-current").waitFor();
    await nodeEl(a, "d").getByRole("spinbutton", { name: "width", exact: true }).fill("20");
    await a
      .getByTestId("subgraph-breadcrumb")
      .getByRole("button", { name: "subgraph source" })
      .click();
    await a.waitForFunction(() => document.querySelectorAll(".react-flow__node").length === 3);
    await (await menuItem(a, sg, /^Save as new component version/)).click();
    await toast(a, /Saved component "Prep" \(version 2\)/);

    // Workflow B, opened again, offers the update; taking it changes what it makes.
    await b.reload();
    await b.waitForFunction(() => document.querySelectorAll(".react-flow__node").length === 3);
    const update = nodeEl(b, used).getByTestId("component-update");
    await update.waitFor({ timeout: 15_000 });
    expect(await update.textContent()).toBe("Update to v2");
    // Run version 1 in this fresh page, so the update's run shows what it reuses.
    expect(await runWorkflow(b)).toMatch(/^Done: 5 ran, 0 cached in/);
    expect(await thumbWidth(b, "view")).toBe(16);
    await b.screenshot({ path: join(tmpdir(), "subgraph-update.png") });
    await update.click();
    await toast(b, /Updated "Prep" to version 2/);
    expect(await nodeEl(b, used).getByTestId("component-version").textContent()).toBe(
      "component v2",
    );
    expect(await update.count()).toBe(0);
    expect(await wires(b)).toEqual([`${used}->view`, `load->${used}`].sort());
    // Only the changed inner node and what follows it run again.
    expect(await runWorkflow(b)).toMatch(/^Done: 2 ran, 3 cached in/);
    expect(await thumbWidth(b, "view")).toBe(20);

    // Export carries the definition and the version it uses.
    const exported = await exportDocument(b);
    const def = Object.values(exported.subgraphs ?? {})[0];
    expect(def.component).toEqual({ id: componentId, version: 2 });
    expect(def.nodes.map((n) => n.id).sort()).toEqual(["b", "c", "d"]);
    expect((await fetchWorkflow(bId)).document.subgraphs).toBeDefined();
  });
});
