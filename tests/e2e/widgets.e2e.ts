import { describe, expect, it } from "vitest";
import { getNodeDefinition } from "../../nodes";
import { MAX_SEED } from "../../nodes/core/params";
import { PORT_COLORS, type PortType } from "../../nodes/core/ports";
import { useBrowser } from "./browser";
import {
  box,
  clickPane,
  dropFile,
  exportDocument,
  gradientPng,
  nodeEl,
  nodeIds,
  nodeIdsOfType,
  openWorkflow,
  paramsOf,
  pasteFile,
  sha256,
  tempFile,
  workflowDoc,
} from "./helpers";

const studio = useBrowser();

function rgb(hex: string): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgb(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255})`;
}

describe("a node on the canvas", () => {
  it("shows its title, typed and coloured ports, and a widget for each param", async () => {
    const { page } = await openWorkflow(
      studio.open,
      workflowDoc("node anatomy", [{ id: "rs", type: "resize" }]),
    );
    const node = nodeEl(page, "rs");
    const def = getNodeDefinition("resize")!;
    expect(await node.locator(".node-title").textContent()).toBe("Resize");
    expect(await node.locator("[data-node-type]").getAttribute("data-node-type")).toBe("resize");

    for (const [kind, ports] of [
      ["target", def.inputs],
      ["source", def.outputs],
    ] as const) {
      for (const [name, spec] of Object.entries(ports)) {
        const row = node.locator(`.port-${kind}[data-port="${name}"]`);
        expect(await row.locator(".port-type").textContent()).toBe(spec.type);
        const colour = rgb(PORT_COLORS[spec.type as PortType]);
        expect(await row.locator(".port-type").evaluate((el) => getComputedStyle(el).color)).toBe(
          colour,
        );
        const handle = row.locator(`.react-flow__handle.${kind}[data-handleid="${name}"]`);
        expect(await handle.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe(colour);
      }
    }
    // IMAGE and MASK ports are told apart by colour.
    expect(PORT_COLORS.IMAGE).not.toBe(PORT_COLORS.MASK);

    // One widget per param, each showing the default.
    const mode = node.getByRole("combobox", { name: "mode" });
    expect(await mode.inputValue()).toBe("pad");
    expect(
      await mode
        .locator("option")
        .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value)),
    ).toEqual(["fit", "fill", "pad", "stretch"]);
    const width = node.getByRole("spinbutton", { name: "width" });
    expect(await width.inputValue()).toBe("768");
    expect(await width.getAttribute("min")).toBe("1");
    expect(await width.getAttribute("max")).toBe("8192");
    expect(await node.getByRole("spinbutton", { name: "height" }).inputValue()).toBe("1024");
    expect(await node.getByLabel("background").inputValue()).toBe("#ffffff");
    expect(await node.locator(".widget").count()).toBe(Object.keys(def.params).length);
  });

  it("edits a number in its box, refusing values out of range, and a slider moves with its number", async () => {
    const { page } = await openWorkflow(
      studio.open,
      workflowDoc("numbers", [
        { id: "rs", type: "resize" },
        { id: "ops", type: "mask-ops", x: 400 },
      ]),
    );
    const width = nodeEl(page, "rs").getByRole("spinbutton", { name: "width" });
    await width.fill("1024");
    expect(await width.getAttribute("aria-invalid")).toBe("false");
    await width.fill("0");
    expect(await width.getAttribute("aria-invalid")).toBe("true");
    await width.fill("9000");
    expect(await width.getAttribute("aria-invalid")).toBe("true");
    await clickPane(page);
    // Leaving the box shows the last valid value again; only that one reached the document.
    expect(await width.inputValue()).toBe("1024");
    expect((await paramsOf(page, "rs")).width).toBe(1024);

    // Mask Ops "feather" has a slider next to its number box; both edit the same param.
    const ops = nodeEl(page, "ops");
    const slider = ops.getByRole("slider", { name: "feather slider" });
    const feather = ops.getByRole("spinbutton", { name: "feather" });
    expect(await slider.getAttribute("max")).toBe("128");
    await slider.focus();
    for (let i = 0; i < 4; i++) await page.keyboard.press("ArrowRight");
    expect(await feather.inputValue()).toBe("2");
    await feather.fill("12.5");
    expect(await slider.inputValue()).toBe("12.5");
    await clickPane(page);
    expect((await paramsOf(page, "ops")).feather).toBe(12.5);
  });

  it("edits select, checkbox, text and colour params", async () => {
    const { page } = await openWorkflow(
      studio.open,
      workflowDoc("widgets", [
        { id: "rs", type: "resize" },
        { id: "save", type: "save-image", x: 400 },
      ]),
    );
    const rs = nodeEl(page, "rs");
    await rs.getByRole("combobox", { name: "mode" }).selectOption("stretch");
    await rs.getByLabel("background").fill("#ff8800");

    const save = nodeEl(page, "save");
    const embed = save.getByRole("checkbox", { name: "embed workflow" });
    expect(await embed.isChecked()).toBe(true);
    await embed.uncheck();
    const filename = save.getByRole("textbox", { name: "filename" });
    // The stored document leaves filename out, so the widget must show the default the run uses.
    expect.soft(await filename.inputValue()).toBe("leffa");
    await filename.fill("my result");

    const doc = await exportDocument(page);
    const params = Object.fromEntries(doc.nodes.map((n) => [n.id, n.params]));
    expect(params.rs).toMatchObject({ mode: "stretch", background: "#ff8800" });
    expect(params.save).toMatchObject({ embedWorkflow: false, filename: "my result" });
    expect(await rs.getByLabel("background").inputValue()).toBe("#ff8800");
  });

  it("randomises the Leffa Sampler seed with its button", async () => {
    const { page } = await openWorkflow(
      studio.open,
      workflowDoc("seed", [{ id: "sampler", type: "leffa-sampler" }]),
    );
    const node = nodeEl(page, "sampler");
    const seed = node.getByRole("spinbutton", { name: "seed" });
    expect(await seed.inputValue()).toBe("42");
    const seen = new Set<string>(["42"]);
    for (let i = 0; i < 3; i++) {
      await node.getByRole("button", { name: "randomise seed" }).click();
      const value = await seed.inputValue();
      expect(Number.isInteger(Number(value))).toBe(true);
      expect(Number(value)).toBeGreaterThanOrEqual(0);
      expect(Number(value)).toBeLessThanOrEqual(MAX_SEED);
      seen.add(value);
    }
    // Three random 32-bit seeds: all new (a repeat has odds of about 1 in 10^9).
    expect(seen.size).toBe(4);
    expect((await paramsOf(page, "sampler")).seed).toBe(Number(await seed.inputValue()));
  });
});

describe("the image widget", () => {
  const load = () =>
    workflowDoc("image input", [
      { id: "a", type: "load-image" },
      { id: "b", type: "load-image", x: 400 },
    ]);

  it("takes a file from the picker", async () => {
    const { page } = await openWorkflow(studio.open, load());
    const bytes = await gradientPng(64, 48, 1);
    const widget = nodeEl(page, "a").locator(".widget-image");
    expect(await widget.textContent()).toContain("drop, paste or choose an image");
    await widget.getByLabel("choose image file").setInputFiles(tempFile("picked.png", bytes));
    const img = widget.getByRole("img", { name: "chosen input" });
    await img.waitFor();
    expect(await img.getAttribute("src")).toBe(`/api/assets/${sha256(bytes)}`);
    await page.waitForFunction(() => {
      const el = document.querySelector<HTMLImageElement>(
        '.react-flow__node[data-id="a"] .widget-image img',
      );
      return el?.complete && el.naturalWidth === 64;
    });
    expect((await paramsOf(page, "a")).image).toBe(sha256(bytes));
    expect((await paramsOf(page, "b")).image ?? "").toBe("");
  });

  it("takes a file dropped onto it, without adding a node", async () => {
    const { page } = await openWorkflow(studio.open, load());
    const bytes = await gradientPng(40, 30, 2);
    await dropFile(page, '.react-flow__node[data-id="b"] .widget-image', {
      name: "dropped.png",
      type: "image/png",
      bytes,
    });
    const img = nodeEl(page, "b").getByRole("img", { name: "chosen input" });
    await img.waitFor();
    expect(await img.getAttribute("src")).toBe(`/api/assets/${sha256(bytes)}`);
    expect((await nodeIds(page)).sort()).toEqual(["a", "b"]);
    expect((await paramsOf(page, "a")).image ?? "").toBe("");
  });

  it("pasting an image onto the canvas adds a Load Image node at the cursor", async () => {
    const { page } = await openWorkflow(studio.open, load());
    const bytes = await gradientPng(32, 32, 3);
    await clickPane(page);
    const bBox = await box(nodeEl(page, "b"));
    const at = { x: Math.round(bBox.x), y: Math.round(bBox.y + bBox.height + 80) };
    await page.mouse.move(at.x, at.y);
    await pasteFile(page, { name: "image.png", type: "image/png", bytes });
    await page.waitForFunction(() => document.querySelectorAll(".react-flow__node").length === 3);
    const [added] = (await nodeIdsOfType(page, "load-image")).filter(
      (id) => id !== "a" && id !== "b",
    );
    const img = nodeEl(page, added).getByRole("img", { name: "chosen input" });
    await img.waitFor();
    expect(await img.getAttribute("src")).toBe(`/api/assets/${sha256(bytes)}`);
    const addedBox = await box(nodeEl(page, added));
    expect(Math.abs(addedBox.x - at.x)).toBeLessThanOrEqual(2);
    expect(Math.abs(addedBox.y - at.y)).toBeLessThanOrEqual(2);
    expect((await paramsOf(page, "a")).image ?? "").toBe("");
  });

  it("pasting an image with one Load Image selected sets that node's image", async () => {
    const { page } = await openWorkflow(studio.open, load());
    const bytes = await gradientPng(24, 24, 4);
    await nodeEl(page, "b").locator(".node-title").click();
    await page.waitForFunction(() =>
      document.querySelector('.react-flow__node[data-id="b"]')?.classList.contains("selected"),
    );
    await pasteFile(page, { name: "image.png", type: "image/png", bytes });
    const img = nodeEl(page, "b").getByRole("img", { name: "chosen input" });
    await img.waitFor();
    expect(await img.getAttribute("src")).toBe(`/api/assets/${sha256(bytes)}`);
    expect((await nodeIds(page)).sort()).toEqual(["a", "b"]);
    expect((await paramsOf(page, "a")).image ?? "").toBe("");
  });
});
