import path from "node:path";
import { chromium, type Page } from "playwright-core";
import { modelsDir } from "../../models/store";
import { serveBuild } from "./serve-build";

const PORT = 3111;
const MODEL = { id: "realesrgan-x4plus", title: "Real-ESRGAN x4 plus" };

/** Clicks the Models panel's Test button and returns the load time the probe reports. */
async function probeLoadMs(page: Page): Promise<number> {
  await page.getByRole("button", { name: "Models", exact: true }).click();
  const row = page.locator(`.model-row[data-model-id="${MODEL.id}"]`);
  await row.getByRole("button", { name: `Test ${MODEL.title} on this device` }).click();
  const result = row.getByTestId("model-probe");
  await result.waitFor({ timeout: 300_000 });
  return Number(await result.getAttribute("data-load-ms"));
}

/**
 * Real-ESRGAN x4plus (67 MB) loaded in Chromium twice, through the worker's model cache: first
 * with an empty cache (download, sha256 check, cache write, session), then after a reload, when
 * the file comes from Cache Storage (read and session only). The model comes from this machine's
 * store (`npm run setup` installs it).
 */
export async function measureModelCacheLoad(
  executablePath: string,
): Promise<{ firstMs: number; cachedMs: number }> {
  const { base, stop } = await serveBuild(PORT, { MODELS_DIR: path.resolve(modelsDir()) });
  const browser = await chromium.launch({ executablePath, args: ["--enable-unsafe-webgpu"] });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    // WASM, so session creation costs the same both times and the difference is the file.
    await page.goto(`${base}/?backend=wasm`);
    const firstMs = await probeLoadMs(page);
    await page.reload();
    const cachedMs = await probeLoadMs(page);
    return { firstMs, cachedMs };
  } finally {
    await browser.close();
    stop();
  }
}
