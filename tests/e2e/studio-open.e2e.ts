import { describe, expect, it } from "vitest";
import { useBrowser, workflowIdByName } from "./browser";

const studio = useBrowser();

describe("opening the studio", () => {
  it("shows the canvas with minimap, controls and background, and names the backend", async () => {
    const page = await studio.open("/");
    expect(await page.locator(".react-flow__minimap").count()).toBe(1);
    expect(await page.locator(".react-flow__controls").count()).toBe(1);
    expect(await page.locator(".react-flow__background").count()).toBe(1);
    await page.waitForSelector('[data-testid="backend"].backend-webgpu');
    expect(await page.textContent('[data-testid="backend"]')).toMatch(/^WEBGPU · software adapter/);
    // onnxruntime-web then proves its WebGPU execution provider on the studio's device.
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="backend"]')?.textContent?.includes("onnxruntime-web"),
    );
    expect(await page.textContent('[data-testid="backend"]')).toMatch(
      /· onnxruntime-web WebGPU EP$/,
    );
  });

  it("uses WASM when asked, multi-threaded because the page is cross-origin isolated", async () => {
    const page = await studio.open("/", { backend: "wasm" });
    await page.waitForSelector('[data-testid="backend"].backend-wasm');
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="backend"]')?.textContent?.includes("onnxruntime-web"),
    );
    // min(4, cores) threads, with no note: nothing forced the count down.
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    const threads = Math.min(4, cores);
    expect(threads).toBeGreaterThan(1);
    expect(await page.textContent('[data-testid="backend"]')).toMatch(
      new RegExp(`· onnxruntime-web WASM, ${threads} threads$`),
    );
  });

  it("runs WASM on the thread count the URL asks for", async () => {
    const page = await studio.open("/?threads=1", { backend: "wasm" });
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="backend"]')?.textContent?.includes("onnxruntime-web"),
    );
    expect(await page.textContent('[data-testid="backend"]')).toMatch(
      /· onnxruntime-web WASM, 1 thread \(set by \?threads=1\)$/,
    );
  });

  it("opens a seeded example fully wired", async () => {
    const id = await workflowIdByName("Virtual try-on");
    const page = await studio.open(`/w/${id}`);
    await page.waitForSelector('[data-node-type="leffa-sampler"]');
    expect(await page.locator(".react-flow__node").count()).toBe(9);
    expect(await page.locator(".react-flow__edge").count()).toBe(10);
  });
});
