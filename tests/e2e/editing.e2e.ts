import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { SHORTCUTS } from "../../app/_editor/features/shortcuts/shortcuts";
import { useBrowser } from "./browser";
import {
  box,
  clickPane,
  emptyPoint,
  exportDocument,
  nodeEl,
  nodeIds,
  nodeIdsOfType,
  openWorkflow,
  paramsOf,
  selectedIds,
  wires,
  workflowDoc,
  zoom,
} from "./helpers";

const studio = useBrowser();

/** Load Image → Resize → Preview, side by side. */
const chain = (name: string) =>
  workflowDoc(
    name,
    [
      { id: "load", type: "load-image", x: 0, y: 0 },
      { id: "rs", type: "resize", x: 320, y: 0 },
      { id: "prev", type: "preview", x: 660, y: 0 },
    ],
    [
      ["load", "image", "rs", "image"],
      ["rs", "image", "prev", "image"],
    ],
  );

async function clickNode(
  page: Page,
  id: string,
  modifiers?: ("Control" | "Shift")[],
): Promise<void> {
  await nodeEl(page, id).locator(".studio-node > header").click({ modifiers });
}

/** Shift-drags a selection box from a point left of and above `first` to past `last`. */
async function boxSelect(page: Page, ids: readonly string[]): Promise<void> {
  const boxes = await Promise.all(ids.map((id) => box(nodeEl(page, id))));
  const left = Math.min(...boxes.map((b) => b.x)) - 15;
  const top = Math.min(...boxes.map((b) => b.y)) - 15;
  const right = Math.max(...boxes.map((b) => b.x + b.width)) + 15;
  const bottom = Math.max(...boxes.map((b) => b.y + b.height)) + 15;
  await page.keyboard.down("Shift");
  await page.mouse.move(left, top);
  await page.mouse.down();
  await page.mouse.move((left + right) / 2, (top + bottom) / 2, { steps: 5 });
  await page.mouse.move(right, bottom, { steps: 5 });
  await page.mouse.up();
  await page.keyboard.up("Shift");
}

function numberField(page: Page, nodeId: string, name: string) {
  return nodeEl(page, nodeId).getByRole("spinbutton", { name, exact: true });
}

async function press(page: Page, key: string, times: number): Promise<void> {
  for (let i = 0; i < times; i++) await page.keyboard.press(key);
}

describe("selecting and deleting", () => {
  it("selects by click, Ctrl-click and Shift-drag box; Delete removes the selection and its wires in one undo step", async () => {
    const { page } = await openWorkflow(studio.open, chain("select"));
    await clickNode(page, "rs");
    expect(await selectedIds(page)).toEqual(["rs"]);
    await clickNode(page, "prev", ["Control"]);
    expect(await selectedIds(page)).toEqual(["prev", "rs"]);
    await clickPane(page);
    expect(await selectedIds(page)).toEqual([]);

    await boxSelect(page, ["load", "rs"]);
    expect(await selectedIds(page)).toEqual(["load", "rs"]);

    await page.keyboard.press("Delete");
    await page.waitForFunction(() => document.querySelectorAll(".react-flow__node").length === 1);
    expect(await nodeIds(page)).toEqual(["prev"]);
    expect(await wires(page)).toEqual([]);

    await page.keyboard.press("Control+z");
    await page.waitForFunction(() => document.querySelectorAll(".react-flow__node").length === 3);
    expect(await wires(page)).toEqual(["load->rs", "rs->prev"]);

    // Backspace deletes too.
    await clickNode(page, "prev");
    await page.keyboard.press("Backspace");
    await page.waitForFunction(() => document.querySelectorAll(".react-flow__node").length === 2);
    expect(await wires(page)).toEqual(["load->rs"]);
  });

  it("Ctrl+A selects every node; Delete in a text field edits the field, not the canvas", async () => {
    const { page } = await openWorkflow(studio.open, chain("select all"));
    await clickPane(page);
    await page.keyboard.press("Control+a");
    expect(await selectedIds(page)).toEqual(["load", "prev", "rs"]);
    const width = numberField(page, "rs", "width");
    await width.click();
    await page.keyboard.press("End");
    await page.keyboard.press("Backspace");
    expect(await width.inputValue()).toBe("76");
    expect(await nodeIds(page)).toHaveLength(3);
  });
});

describe("copy, paste and duplicate", () => {
  it("copies through the system clipboard and pastes at the cursor with new ids, keeping inner wires", async () => {
    const { page } = await openWorkflow(studio.open, chain("copy paste"));
    await numberField(page, "rs", "width").fill("300");
    await clickPane(page);
    await clickNode(page, "load");
    await clickNode(page, "rs", ["Control"]);
    expect(await selectedIds(page)).toEqual(["load", "rs"]);
    await page.keyboard.press("Control+c");

    const clip = JSON.parse(await page.evaluate(() => navigator.clipboard.readText())) as {
      kind: string;
      nodes: { id: string }[];
      edges: { source: string; target: string }[];
    };
    expect(clip.kind).toBe("leffa-studio/selection");
    expect(clip.nodes.map((n) => n.id).sort()).toEqual(["load", "rs"]);
    // Only the wire between the copied nodes travels.
    expect(clip.edges.map((e) => `${e.source}->${e.target}`)).toEqual(["load->rs"]);

    const loadBox = await box(nodeEl(page, "load"));
    const at = await emptyPoint(
      page,
      { x: loadBox.x, y: loadBox.y + loadBox.height + 60 },
      { width: 620, height: 230 },
    );
    await page.mouse.move(at.x, at.y);
    await page.keyboard.press("Control+v");
    await page.waitForFunction(() => document.querySelectorAll(".react-flow__node").length === 5);

    const fresh = (await nodeIds(page)).filter((id) => !["load", "rs", "prev"].includes(id));
    expect(fresh).toHaveLength(2);
    const [newLoad] = (await nodeIdsOfType(page, "load-image")).filter((id) => id !== "load");
    const [newRs] = (await nodeIdsOfType(page, "resize")).filter((id) => id !== "rs");
    expect(fresh.sort()).toEqual([newLoad, newRs].sort());
    // The pasted nodes are the new selection, their group's top-left corner at the cursor.
    expect(await selectedIds(page)).toEqual(fresh.sort());
    const boxes = await Promise.all(fresh.map((id) => box(nodeEl(page, id))));
    expect(Math.abs(Math.min(...boxes.map((b) => b.x)) - at.x)).toBeLessThanOrEqual(2);
    expect(Math.abs(Math.min(...boxes.map((b) => b.y)) - at.y)).toBeLessThanOrEqual(2);

    expect(await wires(page)).toEqual([`${newLoad}->${newRs}`, "load->rs", "rs->prev"].sort());
    const doc = await exportDocument(page);
    expect(doc.nodes.find((n) => n.id === newRs)?.params.width).toBe(300);
    expect(doc.edges.find((e) => e.source === newLoad)).toMatchObject({
      sourceHandle: "image",
      target: newRs,
      targetHandle: "image",
    });
  });

  it("Ctrl+D duplicates the selection just below and right of it", async () => {
    const { page } = await openWorkflow(studio.open, chain("duplicate"));
    await numberField(page, "rs", "height").fill("640");
    await clickPane(page);
    await clickNode(page, "rs");
    await page.keyboard.press("Control+d");
    await page.waitForFunction(() => document.querySelectorAll(".react-flow__node").length === 4);
    const [copy] = (await nodeIdsOfType(page, "resize")).filter((id) => id !== "rs");
    expect(await selectedIds(page)).toEqual([copy]);
    const original = await box(nodeEl(page, "rs"));
    const duplicate = await box(nodeEl(page, copy));
    const offset = 40 * (await zoom(page));
    expect(Math.abs(duplicate.x - original.x - offset)).toBeLessThanOrEqual(1);
    expect(Math.abs(duplicate.y - original.y - offset)).toBeLessThanOrEqual(1);
    expect((await paramsOf(page, copy)).height).toBe(640);
    // A single node copied alone brings no wires.
    expect(await wires(page)).toEqual(["load->rs", "rs->prev"]);
  });
});

describe("undo and redo", () => {
  it("undoes and redoes at least 64 steps with Ctrl+Z / Ctrl+Shift+Z", async () => {
    const { page } = await openWorkflow(
      studio.open,
      workflowDoc("history", [{ id: "rs", type: "resize", params: { width: 768, height: 1024 } }]),
    );
    const width = numberField(page, "rs", "width");
    const height = numberField(page, "rs", "height");
    // 70 edits, alternating fields so that no two in a row are grouped.
    for (let i = 1; i <= 70; i++) await (i % 2 ? width : height).fill(String(100 + i));
    await clickPane(page);
    expect([await width.inputValue(), await height.inputValue()]).toEqual(["169", "170"]);

    await press(page, "Control+z", 64);
    expect([await width.inputValue(), await height.inputValue()]).toEqual(["105", "106"]);
    await press(page, "Control+Shift+z", 64);
    expect([await width.inputValue(), await height.inputValue()]).toEqual(["169", "170"]);
    await press(page, "Control+z", 70);
    expect([await width.inputValue(), await height.inputValue()]).toEqual(["768", "1024"]);
    // Nothing left to undo; Ctrl+Y redoes one step.
    await page.keyboard.press("Control+z");
    expect(await width.inputValue()).toBe("768");
    await page.keyboard.press("Control+y");
    expect([await width.inputValue(), await height.inputValue()]).toEqual(["101", "1024"]);
  });

  it("undoes rapid typing into one number field in one step", async () => {
    const { page } = await openWorkflow(
      studio.open,
      workflowDoc("typing", [{ id: "rs", type: "resize", params: { width: 768 } }]),
    );
    const width = numberField(page, "rs", "width");
    await width.click();
    await page.keyboard.press("Control+a");
    await page.keyboard.type("1234", { delay: 40 });
    await clickPane(page);
    expect(await width.inputValue()).toBe("1234");
    expect((await paramsOf(page, "rs")).width).toBe(1234);
    await page.keyboard.press("Control+z");
    expect(await width.inputValue()).toBe("768");
    await page.keyboard.press("Control+Shift+z");
    expect(await width.inputValue()).toBe("1234");
  });

  it("does not record selecting nodes as an edit", async () => {
    const { page } = await openWorkflow(studio.open, chain("selection is not an edit"));
    const saveState = page.getByTestId("save-state");
    await clickNode(page, "load");
    await clickNode(page, "rs");
    await page.keyboard.press("Control+a");
    await clickPane(page);
    expect(await saveState.textContent()).toBe("saved");

    await numberField(page, "rs", "width").fill("500");
    await clickPane(page);
    expect(await saveState.textContent()).toBe("unsaved changes");
    await clickNode(page, "prev");
    await clickNode(page, "load", ["Control"]);
    await clickPane(page);
    // One undo takes back the edit, not the selection changes made after it.
    await page.keyboard.press("Control+z");
    expect(await numberField(page, "rs", "width").inputValue()).toBe("768");
    await page.keyboard.press("Control+z");
    expect(await nodeIds(page)).toHaveLength(3);
    expect(await wires(page)).toEqual(["load->rs", "rs->prev"]);
  });
});

describe("notes and help", () => {
  it("Shift+N adds a note at the cursor whose text can be edited", async () => {
    const { page } = await openWorkflow(studio.open, chain("notes"));
    const at = await emptyPoint(page, { x: 300, y: 650 }, { width: 200, height: 100 });
    await page.mouse.move(at.x, at.y);
    await page.keyboard.press("Shift+N");
    await page.waitForFunction(() => document.querySelectorAll(".react-flow__node").length === 4);
    const [note] = (await nodeIds(page)).filter((id) => !["load", "rs", "prev"].includes(id));
    const noteBox = await box(nodeEl(page, note));
    expect(Math.abs(noteBox.x - at.x)).toBeLessThanOrEqual(2);
    expect(Math.abs(noteBox.y - at.y)).toBeLessThanOrEqual(2);

    const text = nodeEl(page, note).getByRole("textbox", { name: "note text" });
    await text.click();
    // Typing a capital N in the note is text, not the shortcut.
    await page.keyboard.type("Needs a New mask");
    expect(await text.inputValue()).toBe("Needs a New mask");
    expect(await nodeIds(page)).toHaveLength(4);
    const doc = await exportDocument(page);
    expect(doc.nodes.find((n) => n.id === note)).toMatchObject({
      type: "note",
      params: { text: "Needs a New mask" },
    });
  });

  it("the help panel lists every shortcut, from the “?” button and from Shift+?", async () => {
    const page = await studio.open("/");
    const check = async () => {
      const dialog = page.getByRole("dialog", { name: "Keyboard shortcuts" });
      await dialog.waitFor();
      for (const s of SHORTCUTS) {
        const row = dialog.locator(`tr[data-command="${s.command}"]`);
        expect(await row.locator("td").first().textContent()).toBe(s.label);
        expect(await row.locator("kbd").allTextContents()).toEqual(
          s.keys.map((k) => k.replace("Mod", "Ctrl/⌘")),
        );
      }
      expect(await dialog.locator("tr[data-command]").count()).toBe(SHORTCUTS.length);
      await dialog.getByRole("button", { name: "Close" }).click();
      await dialog.waitFor({ state: "detached" });
    };
    await page.getByRole("button", { name: "help" }).click();
    await check();
    await page.mouse.move(500, 400);
    await page.keyboard.press("Shift+?");
    await check();
  });
});
