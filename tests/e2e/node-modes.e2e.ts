import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { useBrowser } from "./browser";
import {
  clickPane,
  exportDocument,
  gradientPng,
  nodeEl,
  openWorkflow,
  pixels,
  runWorkflow,
  statuses,
  uploadAsset,
  workflowDoc,
} from "./helpers";

/**
 * Bypass and mute (workflow document version 2) in Chromium: from the node's menu and the
 * shortcuts, drawn on the canvas, saved in the document and honoured by the runtime.
 */
const studio = useBrowser();

let input: Buffer;
let asset: string;
beforeAll(async () => {
  input = await gradientPng(48, 40, 5);
  asset = await uploadAsset(new Uint8Array(input));
});

/** Load Image → Upscaler (Real-ESRGAN x4 fast, 4×) → Preview. */
function upscale() {
  return workflowDoc(
    "bypass e2e",
    [
      { id: "photo", type: "load-image", params: { image: asset } },
      {
        id: "up",
        type: "upscaler",
        x: 320,
        params: { model: "realesrgan-x4fast", scale: "4", fallback: true },
      },
      { id: "view", type: "preview", x: 640 },
    ],
    [
      ["photo", "image", "up", "image"],
      ["up", "image", "view", "image"],
    ],
  );
}

async function openMenu(page: Page, id: string) {
  await nodeEl(page, id).locator(".node-title").click({ button: "right" });
  const menu = page.getByRole("menu", { name: "Node actions" });
  await menu.waitFor();
  return menu;
}

/** The PNG bytes of the image the Preview shows. */
async function shownPng(page: Page, id: string): Promise<Uint8Array> {
  const b64 = await nodeEl(page, id)
    .getByTestId("node-thumbnail")
    .evaluate(async (img) => {
      const blob = await (await fetch((img as HTMLImageElement).src)).blob();
      const bytes = new Uint8Array(await blob.arrayBuffer());
      let text = "";
      for (const b of bytes) text += String.fromCharCode(b);
      return btoa(text);
    });
  return new Uint8Array(Buffer.from(b64, "base64"));
}

describe("bypass and mute", () => {
  it("a bypassed Upscaler passes its input through: the Preview shows the input itself", async () => {
    const { page } = await openWorkflow(studio.open, upscale());
    // A Preview has no output: its menu offers no bypass, and says why.
    const previewMenu = await openMenu(page, "view");
    const noBypass = previewMenu.getByRole("menuitem", { name: /^Bypass/ });
    expect(await noBypass.isDisabled()).toBe(true);
    expect(await noBypass.textContent()).toMatch(/Preview has no outputs/);
    await page.keyboard.press("Escape");

    await (await openMenu(page, "up")).getByRole("menuitem", { name: /^Bypass/ }).click();
    expect(await nodeEl(page, "up").locator(".studio-node").getAttribute("data-mode")).toBe(
      "bypass",
    );
    expect(await nodeEl(page, "up").getByTestId("node-mode").textContent()).toBe("bypassed");
    expect((await exportDocument(page)).nodes.find((n) => n.id === "up")?.mode).toBe("bypass");

    const summary = await runWorkflow(page);
    expect(summary).toMatch(/done/i);
    expect(await statuses(page, ["photo", "up", "view"])).toEqual({
      photo: "done",
      up: "bypassed",
      view: "done",
    });
    const shown = await pixels(await shownPng(page, "view"));
    const original = await pixels(new Uint8Array(input));
    expect([shown.width, shown.height]).toEqual([48, 40]);
    expect(shown.data.equals(original.data)).toBe(true);
    await page.screenshot({ path: "test-results/node-modes-bypass.png" });

    // The menu now offers to stop bypassing; the node runs (here: the Lanczos fallback, 4×).
    await (await openMenu(page, "up")).getByRole("menuitem", { name: /^Stop bypassing/ }).click();
    expect(await nodeEl(page, "up").locator(".studio-node").getAttribute("data-mode")).toBe(
      "normal",
    );
  });

  it("Ctrl+M mutes the selected node: it and what needs it are skipped, the run is done", async () => {
    const { page } = await openWorkflow(studio.open, upscale());
    await clickPane(page);
    await nodeEl(page, "up").locator(".node-title").click();
    await page.keyboard.press("Control+m");
    expect(await nodeEl(page, "up").locator(".studio-node").getAttribute("data-mode")).toBe("mute");
    const summary = await runWorkflow(page);
    expect(summary).not.toMatch(/error|failed/i);
    expect(await statuses(page, ["photo", "up", "view"])).toEqual({
      photo: "done",
      up: "skipped",
      view: "skipped",
    });
    expect(await nodeEl(page, "view").getByRole("alert").textContent()).toBe(
      'needs "up", which is muted',
    );
    await page.screenshot({ path: "test-results/node-modes-mute.png" });
    // Ctrl+B on a muted node bypasses it instead; Ctrl+B again returns it to normal.
    await page.keyboard.press("Control+b");
    expect(await nodeEl(page, "up").locator(".studio-node").getAttribute("data-mode")).toBe(
      "bypass",
    );
    await page.keyboard.press("Control+b");
    expect(await nodeEl(page, "up").locator(".studio-node").getAttribute("data-mode")).toBe(
      "normal",
    );
  });
});
