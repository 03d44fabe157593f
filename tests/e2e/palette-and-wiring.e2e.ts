import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { NODE_DEFINITIONS, getNodeDefinition } from "../../nodes";
import { isPortCompatible, type PortType } from "../../nodes/core/ports";
import { useBrowser } from "./browser";
import {
  box,
  dragWire,
  emptyPoint,
  exportDocument,
  handleEl,
  nodeEl,
  nodeIds,
  nodeIdsOfType,
  openWorkflow,
  selectedIds,
  settle,
  toastLocator,
  wires,
  workflowDoc,
} from "./helpers";

const studio = useBrowser();

/** The open palette as [category heading, node types listed under it]. */
async function paletteSections(page: Page): Promise<[string, string[]][]> {
  return page
    .locator(".palette-list section")
    .evaluateAll((sections) =>
      sections.map((s) => [
        s.querySelector("h4")?.textContent ?? "",
        [...s.querySelectorAll<HTMLElement>(".palette-item")].map((b) => b.dataset.type!),
      ]),
    );
}

function offeredTypes(sections: [string, string[]][]): string[] {
  return sections.flatMap(([, types]) => types);
}

/** Every offered node sits under its own category's heading, each heading shown once. */
function expectGroupedByCategory(sections: [string, string[]][]): void {
  const headings = sections.map(([h]) => h);
  expect(new Set(headings).size).toBe(headings.length);
  for (const [heading, types] of sections) {
    expect(types.length).toBeGreaterThan(0);
    for (const type of types) expect(getNodeDefinition(type)?.category, type).toBe(heading);
  }
}

describe("the node palette", () => {
  it("opens from “+ Add node”, lists every node under its category, and search filters", async () => {
    const page = await studio.open("/");
    await page.getByRole("button", { name: "+ Add node" }).click();
    const search = page.getByRole("searchbox", { name: "search nodes" });
    await search.waitFor();
    expect(await search.evaluate((el) => el === document.activeElement)).toBe(true);

    const all = await paletteSections(page);
    expectGroupedByCategory(all);
    expect(offeredTypes(all).sort()).toEqual(NODE_DEFINITIONS.map((d) => d.type).sort());
    expect(all.map(([h]) => h)).toEqual([...new Set(NODE_DEFINITIONS.map((d) => d.category))]);

    await search.fill("mask");
    const masks = await paletteSections(page);
    expectGroupedByCategory(masks);
    const found = offeredTypes(masks);
    expect(found).toEqual(
      expect.arrayContaining(["mask-ops", "mask-from-alpha", "mask-generator"]),
    );
    expect(found).not.toContain("preview");
    expect(found).not.toContain("note");
    expect(found.length).toBeLessThan(NODE_DEFINITIONS.length);

    // Every word must match: "mask ops" leaves only Mask Ops.
    await search.fill("mask ops");
    expect(await paletteSections(page)).toEqual([["Mask", ["mask-ops"]]]);

    await search.fill("no such node zzz");
    await page.getByText("No matching node.").waitFor();
    expect(await page.locator(".palette-item").count()).toBe(0);

    // Enter adds the first match and closes the palette.
    await search.fill("preview");
    await search.press("Enter");
    await page.locator(".palette").waitFor({ state: "detached" });
    expect(await nodeIdsOfType(page, "preview")).toHaveLength(1);
  });

  it("opens from a double-click on the empty canvas and adds the pick where the canvas was clicked", async () => {
    const { page } = await openWorkflow(
      studio.open,
      workflowDoc("double-click", [{ id: "load", type: "load-image" }]),
    );
    const at = await emptyPoint(page, { x: 700, y: 300 }, { width: 280, height: 220 });
    await page.mouse.dblclick(at.x, at.y);
    const palette = page.locator(".palette");
    await palette.waitFor();
    const pbox = await box(palette);
    expect(Math.abs(pbox.x - at.x)).toBeLessThanOrEqual(2);
    expect(Math.abs(pbox.y - at.y)).toBeLessThanOrEqual(2);

    // Escape closes it without adding anything.
    await page.keyboard.press("Escape");
    await palette.waitFor({ state: "detached" });
    expect(await nodeIds(page)).toEqual(["load"]);

    await page.mouse.dblclick(at.x, at.y);
    await page.locator('.palette-item[data-type="resize"]').click();
    await palette.waitFor({ state: "detached" });
    const [id] = await nodeIdsOfType(page, "resize");
    const nbox = await box(nodeEl(page, id));
    expect(Math.abs(nbox.x - at.x)).toBeLessThanOrEqual(2);
    expect(Math.abs(nbox.y - at.y)).toBeLessThanOrEqual(2);
    expect(await selectedIds(page)).toEqual([id]);

    // A double-click on a node is not a double-click on the canvas.
    await nodeEl(page, id).locator(".node-title").dblclick();
    await page.waitForTimeout(200);
    expect(await palette.count()).toBe(0);
  });

  it("puts the first node of a new workflow where it was asked for (the view does not jump)", async () => {
    const page = await studio.open("/");
    await settle(page);
    const at = { x: 200, y: 160 };
    await page.mouse.dblclick(at.x, at.y);
    await page.locator('.palette-item[data-type="load-image"]').click();
    const [id] = await nodeIdsOfType(page, "load-image");
    await nodeEl(page, id).waitFor();
    await page.waitForTimeout(300);
    await settle(page);
    const nbox = await box(nodeEl(page, id));
    expect({ x: Math.round(nbox.x), y: Math.round(nbox.y) }).toEqual(at);
  });

  it("offers only compatible nodes for a wire dragged from a MASK output into empty space, and wires the pick", async () => {
    const { page } = await openWorkflow(
      studio.open,
      workflowDoc("palette from an output", [{ id: "load", type: "load-image" }]),
    );
    const drop = await emptyPoint(page, { x: 700, y: 600 });
    await dragWire(page, handleEl(page, "load", "mask", "source"), drop);
    const search = page.getByRole("searchbox", { name: "search nodes" });
    await search.waitFor();
    expect(await search.getAttribute("placeholder")).toContain("MASK");

    const sections = await paletteSections(page);
    expectGroupedByCategory(sections);
    const offered = offeredTypes(sections);
    const takesMask = (type: string) =>
      Object.values(getNodeDefinition(type)!.inputs).some((p) =>
        isPortCompatible("MASK", p.type as PortType),
      );
    expect(offered.sort()).toEqual(
      NODE_DEFINITIONS.map((d) => d.type)
        .filter(takesMask)
        .sort(),
    );
    expect(offered).toContain("mask-ops");
    for (const refused of ["load-image", "mask-from-alpha", "preview", "save-image", "note"])
      expect(offered).not.toContain(refused);

    await page.locator('.palette-item[data-type="mask-ops"]').click();
    await page.locator(".palette").waitFor({ state: "detached" });
    const [ops] = await nodeIdsOfType(page, "mask-ops");
    expect(await wires(page)).toEqual([`load->${ops}`]);
    const doc = await exportDocument(page);
    expect(doc.edges).toEqual([
      expect.objectContaining({
        source: "load",
        sourceHandle: "mask",
        target: ops,
        targetHandle: "mask",
      }),
    ]);
    // The new node sits where the wire was dropped.
    const nbox = await box(nodeEl(page, ops));
    expect(Math.abs(nbox.x - drop.x)).toBeLessThanOrEqual(2);
    expect(Math.abs(nbox.y - drop.y)).toBeLessThanOrEqual(2);
  });

  it("offers only nodes with a matching output for a wire dragged out of an input", async () => {
    const { page } = await openWorkflow(
      studio.open,
      workflowDoc("palette from an input", [{ id: "prev", type: "preview", x: 400 }]),
    );
    const drop = await emptyPoint(page, { x: 300, y: 600 });
    await dragWire(page, handleEl(page, "prev", "image", "target"), drop);
    await page.locator(".palette").waitFor();
    const offered = offeredTypes(await paletteSections(page));
    const givesImage = (type: string) =>
      Object.values(getNodeDefinition(type)!.outputs).some((p) =>
        isPortCompatible(p.type as PortType, "IMAGE"),
      );
    expect(offered.sort()).toEqual(
      NODE_DEFINITIONS.map((d) => d.type)
        .filter(givesImage)
        .sort(),
    );
    expect(offered).toContain("load-image");
    expect(offered).not.toContain("preview");
    expect(offered).not.toContain("mask-ops");

    await page.locator('.palette-item[data-type="load-image"]').click();
    await page.locator(".palette").waitFor({ state: "detached" });
    const [load] = await nodeIdsOfType(page, "load-image");
    const doc = await exportDocument(page);
    expect(doc.edges).toEqual([
      expect.objectContaining({
        source: load,
        sourceHandle: "image",
        target: "prev",
        targetHandle: "image",
      }),
    ]);
  });
});

describe("wiring", () => {
  it("builds Load Image → Resize → Preview through the palette and dragged wires", async () => {
    const page = await studio.open("/");
    await settle(page);
    await page.getByRole("button", { name: "+ Add node" }).click();
    await page.locator('.palette-item[data-type="load-image"]').click();
    const [load] = await nodeIdsOfType(page, "load-image");
    await nodeEl(page, load).waitFor();
    await page.waitForTimeout(200);
    await settle(page);

    const add = async (type: string, near: { x: number; y: number }) => {
      const at = await emptyPoint(page, near, { width: 280, height: 220 });
      await page.mouse.dblclick(at.x, at.y);
      await page.locator(`.palette-item[data-type="${type}"]`).click();
      await page.locator(".palette").waitFor({ state: "detached" });
      const [id] = await nodeIdsOfType(page, type);
      await nodeEl(page, id).waitFor();
      await settle(page);
      return id;
    };
    const loadBox = await box(nodeEl(page, load));
    const resize = await add("resize", { x: loadBox.x + loadBox.width + 60, y: loadBox.y });
    const resizeBox = await box(nodeEl(page, resize));
    const preview = await add("preview", { x: resizeBox.x + resizeBox.width + 60, y: resizeBox.y });
    expect((await nodeIds(page)).sort()).toEqual([load, resize, preview].sort());

    await dragWire(
      page,
      handleEl(page, load, "image", "source"),
      handleEl(page, resize, "image", "target"),
    );
    await dragWire(
      page,
      handleEl(page, resize, "image", "source"),
      handleEl(page, preview, "image", "target"),
    );
    expect(await wires(page)).toEqual([`${load}->${resize}`, `${resize}->${preview}`].sort());
    // A wire dropped on a port never opens the palette.
    expect(await page.locator(".palette").count()).toBe(0);

    const doc = await exportDocument(page);
    expect(doc.nodes.map((n) => n.type).sort()).toEqual(["load-image", "preview", "resize"]);
    expect(doc.edges).toHaveLength(2);
    expect(doc.edges).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          source: load,
          sourceHandle: "image",
          target: resize,
          targetHandle: "image",
        }),
        expect.objectContaining({
          source: resize,
          sourceHandle: "image",
          target: preview,
          targetHandle: "image",
        }),
      ]),
    );
    expect(await page.getByTestId("save-state").textContent()).toBe("unsaved changes");
  });

  it("refuses a wire from an IMAGE output into a MASK input", async () => {
    const { page } = await openWorkflow(
      studio.open,
      workflowDoc("type mismatch", [
        { id: "load", type: "load-image" },
        { id: "ops", type: "mask-ops", x: 400 },
      ]),
    );
    await dragWire(
      page,
      handleEl(page, "load", "image", "source"),
      handleEl(page, "ops", "mask", "target"),
    );
    await page.waitForTimeout(300);
    expect(await wires(page)).toEqual([]);
    expect(await page.locator(".palette").count()).toBe(0);
    // The compatible port next to it still takes the wire.
    await dragWire(
      page,
      handleEl(page, "load", "mask", "source"),
      handleEl(page, "ops", "mask", "target"),
    );
    expect(await wires(page)).toEqual(["load->ops"]);
  });

  it("refuses a wire that would close a cycle", async () => {
    const { page } = await openWorkflow(
      studio.open,
      workflowDoc(
        "cycle",
        [
          { id: "load", type: "load-image" },
          { id: "a", type: "resize", x: 350 },
          { id: "b", type: "resize", x: 700 },
        ],
        [
          ["load", "image", "a", "image"],
          ["a", "image", "b", "image"],
        ],
      ),
    );
    // b's mask output into a's (free) mask input would make a → b → a.
    await dragWire(
      page,
      handleEl(page, "b", "mask", "source"),
      handleEl(page, "a", "mask", "target"),
    );
    await page.waitForTimeout(300);
    expect(await wires(page)).toEqual(["a->b", "load->a"]);
    expect(await page.locator(".palette").count()).toBe(0);
    const doc = await exportDocument(page);
    expect(doc.edges).toHaveLength(2);
  });

  it("replaces the wire already in an input with the new one", async () => {
    const { page } = await openWorkflow(
      studio.open,
      workflowDoc(
        "replace",
        [
          { id: "first", type: "load-image" },
          { id: "second", type: "load-image", y: 300 },
          { id: "rs", type: "resize", x: 400 },
        ],
        [["first", "image", "rs", "image"]],
      ),
    );
    expect(await wires(page)).toEqual(["first->rs"]);
    await dragWire(
      page,
      handleEl(page, "second", "image", "source"),
      handleEl(page, "rs", "image", "target"),
    );
    await page.waitForFunction(() =>
      document.querySelector('.react-flow__edge[aria-label="Edge from second to rs"]'),
    );
    expect(await wires(page)).toEqual(["second->rs"]);
    const doc = await exportDocument(page);
    expect(doc.edges).toEqual([
      expect.objectContaining({
        source: "second",
        sourceHandle: "image",
        target: "rs",
        targetHandle: "image",
      }),
    ]);
    expect(await toastLocator(page, "error").count()).toBe(0);
  });
});
