import { afterAll, beforeAll, inject } from "vitest";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/lib/chromium/chromium";

/**
 * One Chromium per test file. `--enable-unsafe-webgpu` gives the software (SwiftShader) WebGPU
 * adapter, so the GPU code path is exercised without a GPU.
 */
export function useBrowser(): {
  open(path?: string, options?: { backend?: "wasm" | "webgpu" }): Promise<Page>;
  /** Like `open`, for pages without the canvas (the library): waits only for the page load. */
  openPage(path: string): Promise<Page>;
} {
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--enable-unsafe-webgpu"] });
  });
  afterAll(async () => {
    await browser?.close();
  });
  async function newPage(): Promise<Page> {
    const baseURL = inject("baseURL");
    const context = await browser.newContext({
      baseURL,
      viewport: { width: 1400, height: 900 },
      acceptDownloads: true,
      permissions: ["clipboard-read", "clipboard-write"],
    });
    contexts.push(context);
    const page = await context.newPage();
    page.on("pageerror", (err) => console.error(`[page error] ${err.message}`));
    return page;
  }
  return {
    async open(path = "/", options = {}) {
      const page = await newPage();
      const url = options.backend
        ? `${path}${path.includes("?") ? "&" : "?"}backend=${options.backend}`
        : path;
      await page.goto(url);
      await page.waitForSelector(".react-flow__renderer");
      return page;
    },
    async openPage(path) {
      const page = await newPage();
      await page.goto(path);
      return page;
    },
  };
}

export async function workflowIdByName(name: string): Promise<string> {
  // Searched by name (templates included), so a long library never pushes it off the first page.
  const res = await fetch(`${inject("baseURL")}/api/workflows?q=${encodeURIComponent(name)}`);
  const body = (await res.json()) as { workflows: { id: string; name: string }[] };
  const found = body.workflows.find((w) => w.name === name);
  if (!found) throw new Error(`no workflow named "${name}"`);
  return found.id;
}
