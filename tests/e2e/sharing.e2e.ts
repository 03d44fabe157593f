import { describe, expect, it } from "vitest";
import { useBrowser } from "./browser";
import { api, fetchWorkflow, nodeEl, openWorkflow, settle, unique, workflowDoc } from "./helpers";

/**
 * Sharing by link: publish from the editor, open the link in a fresh browser context (no shared
 * storage with the author's), fork, edit and save the fork, and check the original is untouched.
 */

const { open, openPage } = useBrowser();

const HOSTILE = `<img src=x onerror="window.__xss = 1">`;

describe("Share by link", () => {
  it("publishes, opens the read-only page elsewhere, forks, and the fork's edits stay its own", async () => {
    const name = unique("Shared pipeline");
    const doc = workflowDoc(name, [
      { id: "note", type: "note", params: { text: `notes stay text: ${HOSTILE}` } },
      { id: "resize", type: "resize", x: 320, params: { width: 256, height: 256 } },
    ]);
    const { page: author, id } = await openWorkflow(open, doc);

    await author.getByTestId("open-share").click();
    await author.getByTestId("share-panel").waitFor();
    // A controlled radio: it turns on once the server has published, so click and wait.
    await author.getByTestId("share-visibility-link").click();
    const link = author.getByTestId("share-link");
    await link.waitFor();
    const url = await link.inputValue();
    expect(url).toMatch(/\/s\/[A-Za-z0-9_-]{20,}$/);
    await author.screenshot({ path: "test-results/share-panel.png" });

    // A stranger's browser: a new context, nothing signed in, nothing cached.
    const stranger = await openPage(new URL(url).pathname);
    await stranger.getByTestId("shared-graph").waitFor();
    expect(await stranger.getByTestId("shared-name").textContent()).toBe(name);
    expect(await stranger.getByTestId("shared-node").count()).toBe(2);
    expect(await stranger.content()).not.toContain(HOSTILE);
    expect(await stranger.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();
    await stranger.screenshot({ path: "test-results/shared-page.png" });

    await stranger.getByTestId("fork").click();
    await stranger.waitForURL(/\/w\/[^/]+$/);
    const forkId = new URL(stranger.url()).pathname.split("/").pop()!;
    expect(forkId).not.toBe(id);
    await stranger.waitForSelector(".react-flow__node");
    await settle(stranger);
    await nodeEl(stranger, "resize").locator(".studio-node > header").click();
    await stranger.keyboard.press("Delete");
    await stranger.waitForFunction(
      () => document.querySelectorAll(".react-flow__node").length === 1,
    );
    await stranger.keyboard.press("Control+s");
    await expect
      .poll(async () => (await fetchWorkflow(forkId)).document.nodes.length, { timeout: 20_000 })
      .toBe(1);

    // The original: still both nodes, still one version.
    expect((await fetchWorkflow(id)).document.nodes).toHaveLength(2);
    const { versions } = await api<{ versions: unknown[] }>(`/api/workflows/${id}/versions`);
    expect(versions).toHaveLength(1);

    // Unpublishing revokes the link.
    // Unpublishing asks first: declining keeps the link, accepting revokes it.
    author.once("dialog", (dialog) => void dialog.dismiss());
    await author.getByTestId("share-visibility-private").click();
    expect((await fetch(url)).status).toBe(200);
    author.once("dialog", (dialog) => void dialog.accept());
    await author.getByTestId("share-visibility-private").click();
    await link.waitFor({ state: "detached" });
    const gone = await fetch(url);
    expect(gone.status).toBe(404);
  });
});
