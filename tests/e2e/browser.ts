import { afterAll, afterEach, beforeAll, inject } from "vitest";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/lib/chromium/chromium";

/**
 * Collects every Content-Security-Policy violation in a browser context into `into`. The policy's
 * report-uri is the one channel that also hears the runtime worker and onnxruntime's thread
 * workers (their violations never reach the page's console), and Playwright sees those report
 * requests: they are answered here and never reach the server. The console message catches a page
 * violation even if a report was lost.
 */
export async function watchCsp(context: BrowserContext, into: string[]): Promise<void> {
  await context.route("**/api/csp-report", async (route) => {
    into.push(describeCspReport(route.request().postData()));
    await route.fulfill({ status: 204 });
  });
  context.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) {
      into.push(`console: ${message.text()} (${message.location().url})`);
    }
  });
}

function describeCspReport(body: string | null): string {
  try {
    const report = (JSON.parse(body ?? "") as { "csp-report": Record<string, unknown> })[
      "csp-report"
    ];
    const directive = report["effective-directive"] ?? report["violated-directive"];
    const source = report["source-file"]
      ? ` (${String(report["source-file"])}:${String(report["line-number"])}:${String(report["column-number"])})`
      : "";
    return `${String(directive)} blocked ${String(report["blocked-uri"])} in ${String(report["document-uri"])}${source}`;
  } catch {
    return `unreadable CSP report: ${body}`;
  }
}

/** Throws (failing the test) if `violations` holds any, and empties it for the next test. */
export function expectNoCspViolations(violations: string[]): void {
  const seen = violations.splice(0);
  if (seen.length) {
    throw new Error(`Content-Security-Policy violations:\n  ${[...new Set(seen)].join("\n  ")}`);
  }
}

/**
 * One Chromium per test file. `--enable-unsafe-webgpu` gives the software (SwiftShader) WebGPU
 * adapter, so the GPU code path is exercised without a GPU.
 */
export function useBrowser(): {
  open(path?: string, options?: { backend?: "wasm" | "webgpu" }): Promise<Page>;
  /** Like `open`, for pages without the canvas (the library): waits only for the page load. */
  openPage(path: string): Promise<Page>;
  /** The CSP violations seen since the last test ended, taken so they fail nothing (self-tests). */
  takeCspViolations(): string[];
} {
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  // Every page runs under the studio's CSP; a test that set one off fails (afterEach).
  const cspViolations: string[] = [];
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--enable-unsafe-webgpu"] });
  });
  afterEach(() => expectNoCspViolations(cspViolations));
  afterAll(async () => {
    await browser?.close();
    // Reports still in flight when the last test ended.
    expectNoCspViolations(cspViolations);
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
    await watchCsp(context, cspViolations);
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
    takeCspViolations() {
      return cspViolations.splice(0);
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
