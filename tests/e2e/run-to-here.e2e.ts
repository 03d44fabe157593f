import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { useBrowser } from "./browser";
import {
  cancelButton,
  clickPane,
  gradientPng,
  nodeEl,
  openWorkflow,
  runButton,
  runWorkflow,
  selectedIds,
  statuses,
  uploadAsset,
  waitForRunEnd,
  waitForRuntime,
  waitForStatus,
  watchForRunStart,
  workflowDoc,
} from "./helpers";

const studio = useBrowser();

let asset: string;
let other: string;
beforeAll(async () => {
  asset = await uploadAsset(await gradientPng(64, 48, 3));
  other = await uploadAsset(await gradientPng(64, 48, 11));
});

/** The chain A → B → C (Load Image → Resize → Resize) and an unrelated Load Image → Resize. */
function chainAndBranch() {
  return workflowDoc(
    "run to here",
    [
      { id: "a", type: "load-image", params: { image: asset } },
      { id: "b", type: "resize", x: 320, params: { mode: "stretch", width: 40, height: 30 } },
      { id: "c", type: "resize", x: 640, params: { mode: "stretch", width: 16, height: 12 } },
      { id: "u1", type: "load-image", y: 420, params: { image: other } },
      {
        id: "u2",
        type: "resize",
        x: 320,
        y: 420,
        params: { mode: "stretch", width: 24, height: 24 },
      },
    ],
    [
      ["a", "image", "b", "image"],
      ["b", "image", "c", "image"],
      ["u1", "image", "u2", "image"],
    ],
  );
}

const IDS = ["a", "b", "c", "u1", "u2"];

/** Width of the image a node shows (its output thumbnail). */
async function thumbWidth(page: Page, id: string): Promise<number> {
  return nodeEl(page, id)
    .getByTestId("node-thumbnail")
    .evaluate((img) => (img as HTMLImageElement).naturalWidth);
}

/** Starts a run with `start` (a click or key) and returns the summary once it ends. */
async function runWith(page: Page, start: () => Promise<void>): Promise<string> {
  await waitForRuntime(page);
  await watchForRunStart(page);
  await start();
  return waitForRunEnd(page);
}

async function openMenu(page: Page, id: string) {
  await nodeEl(page, id).locator(".node-title").click({ button: "right" });
  const menu = page.getByRole("menu", { name: "Node actions" });
  await menu.waitFor();
  return menu;
}

describe("run to here", () => {
  it("runs only a node's upstream: downstream and unrelated nodes keep their status and results", async () => {
    const { page } = await openWorkflow(studio.open, chainAndBranch());
    expect(await runWorkflow(page)).toMatch(/^Done: 5 ran, 0 cached in/);
    expect(Object.values(await statuses(page, IDS))).toEqual(Array(5).fill("done"));
    expect(await thumbWidth(page, "c")).toBe(16);
    expect(await thumbWidth(page, "u2")).toBe(24);

    // A change downstream of B: a full run would rerun C, a run to B must not touch it.
    await nodeEl(page, "c").getByRole("spinbutton", { name: "width", exact: true }).fill("20");

    // The context menu, by mouse: it opens on the node, focused on its item.
    const menu = await openMenu(page, "b");
    const item = menu.getByRole("menuitem", { name: /Run to here/ });
    expect(await item.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await item.textContent()).toContain("Ctrl/⌘+Shift+Enter");
    await page.screenshot({ path: join(tmpdir(), "run-to-here-menu.png") });
    const summary = await runWith(page, () => item.click());
    expect(summary).toMatch(/^Done \(run to "Resize"\): 0 ran, 2 cached in \d+ ms$/);
    expect(await menu.count()).toBe(0);
    expect(await statuses(page, IDS)).toEqual({
      a: "cached",
      b: "cached",
      c: "done",
      u1: "done",
      u2: "done",
    });
    // C still shows the result of the full run (16 wide), not one for its new width.
    expect(await thumbWidth(page, "c")).toBe(16);
    expect(await thumbWidth(page, "u2")).toBe(24);

    // The toolbar button: enabled with exactly one node selected; B changed, so B reruns.
    const button = page.getByTestId("run-to-here");
    await clickPane(page);
    expect(await button.isDisabled()).toBe(true);
    await nodeEl(page, "b").getByRole("spinbutton", { name: "width", exact: true }).fill("48");
    await nodeEl(page, "b").locator(".node-title").click();
    expect(await button.isEnabled()).toBe(true);
    expect(await runWith(page, () => button.click())).toMatch(
      /^Done \(run to "Resize"\): 1 ran, 1 cached in/,
    );
    expect(await statuses(page, IDS)).toEqual({
      a: "cached",
      b: "done",
      c: "done",
      u1: "done",
      u2: "done",
    });
    await page.waitForFunction(
      () =>
        document.querySelector<HTMLImageElement>('.react-flow__node[data-id="b"] img')
          ?.naturalWidth === 48,
    );
    expect(await thumbWidth(page, "c")).toBe(16);

    // The shortcut on the unrelated branch: the chain keeps what it had.
    await nodeEl(page, "u2").locator(".node-title").click();
    expect(await runWith(page, () => page.keyboard.press("Control+Shift+Enter"))).toMatch(
      /^Done \(run to "Resize"\): 0 ran, 2 cached in/,
    );
    expect(await statuses(page, IDS)).toEqual({
      a: "cached",
      b: "done",
      c: "done",
      u1: "cached",
      u2: "cached",
    });
    // The key did not also toggle the focused node's selection (React Flow's Enter handling).
    expect(await selectedIds(page)).toEqual(["u2"]);

    // A full run afterwards runs the rest: only C's change is left to do.
    expect(await runWorkflow(page)).toMatch(/^Done: 1 ran, 4 cached in/);
    expect(await thumbWidth(page, "c")).toBe(20);

    // The help panel lists the shortcut from the registry.
    await page.getByRole("button", { name: "help" }).click();
    const row = page.locator('tr[data-command="runToHere"]');
    expect(await row.textContent()).toContain("Run to here");
    expect(await row.locator("kbd").textContent()).toBe("Ctrl/⌘+Shift+Enter");
  });

  it("closes the menu on Escape (focus back on the node) and on a click outside", async () => {
    const { page } = await openWorkflow(studio.open, chainAndBranch());
    let menu = await openMenu(page, "c");
    await page.keyboard.press("Escape");
    await menu.waitFor({ state: "detached" });
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-id"))).toBe("c");

    // Keyboard only: the context-menu key on the focused node opens it; Enter picks the item.
    await page.keyboard.press("Shift+F10");
    menu = page.getByRole("menu", { name: "Node actions" });
    await menu.waitFor();
    await clickPane(page);
    await menu.waitFor({ state: "detached" });
    expect(await statuses(page, IDS)).toEqual({ a: null, b: null, c: null, u1: null, u2: null });

    await nodeEl(page, "c").focus();
    await page.keyboard.press("Shift+F10");
    await menu.waitFor();
    expect(await runWith(page, () => page.keyboard.press("Enter"))).toMatch(
      /^Done \(run to "Resize"\): 3 ran, 0 cached in/,
    );
    expect(await statuses(page, IDS)).toEqual({
      a: "done",
      b: "done",
      c: "done",
      u1: null,
      u2: null,
    });
  });

  it("is cancelled as a full run is", async () => {
    const doc = workflowDoc(
      "run to here, slow",
      [
        { id: "a", type: "load-image", params: { image: asset } },
        {
          id: "big",
          type: "resize",
          x: 320,
          params: { mode: "stretch", width: 8192, height: 8192 },
        },
        { id: "after", type: "preview", x: 660 },
      ],
      [
        ["a", "image", "big", "image"],
        ["big", "image", "after", "image"],
      ],
    );
    const { page } = await openWorkflow(studio.open, doc);
    const menu = await openMenu(page, "big");
    await waitForRuntime(page);
    await watchForRunStart(page);
    await menu.getByRole("menuitem", { name: /Run to here/ }).click();
    await waitForStatus(page, "big", "running");
    expect(await runButton(page).isDisabled()).toBe(true);
    await cancelButton(page).click();
    expect(await waitForRunEnd(page)).toMatch(/^Cancelled \(run to "Resize"\): /);
    expect(await statuses(page, ["a", "big", "after"])).toEqual({
      a: "done",
      big: "cancelled",
      after: null,
    });
    await page.context().close(); // frees the 8192×8192 buffers
  });
});
