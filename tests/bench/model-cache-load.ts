import { chromium, type Page } from "playwright-core";
import { modelsDir } from "../../models/store";
import { serveBuild } from "../helpers/serve-build";

const PORT = 3111;
export const CACHE_BENCH_MODEL = { id: "realesrgan-x4plus", title: "Real-ESRGAN x4 plus" };
const MODEL = CACHE_BENCH_MODEL;

/** Milliseconds to get the files, and to have a session (files included). */
export interface LoadTimes {
  readonly filesMs: number;
  readonly loadMs: number;
}

/** Clicks the Models panel's Test button and returns the load times the probe reports. */
async function probeLoad(page: Page): Promise<LoadTimes> {
  await page.getByRole("button", { name: "Models", exact: true }).click();
  const row = page.locator(`.model-row[data-model-id="${MODEL.id}"]`);
  await row.getByRole("button", { name: `Test ${MODEL.title} on this device` }).click();
  const result = row.getByTestId("model-probe");
  await result.waitFor({ timeout: 300_000 });
  return {
    filesMs: Number(await result.getAttribute("data-files-ms")),
    loadMs: Number(await result.getAttribute("data-load-ms")),
  };
}

/**
 * Real-ESRGAN x4plus (34 MB) loaded in Chromium twice, through the worker's model cache: first
 * with an empty cache (download, sha256 check, cache write, session), then after a reload, when
 * the file comes from Cache Storage (read and session only). The model comes from this machine's
 * store (`npm run setup` installs it).
 */
export async function measureModelCacheLoad(
  executablePath: string,
): Promise<{ first: LoadTimes; cached: LoadTimes }> {
  const { base, stop } = await serveBuild(PORT, { env: () => ({ MODELS_DIR: modelsDir() }) });
  const browser = await chromium.launch({ executablePath, args: ["--enable-unsafe-webgpu"] });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    // WASM, so session creation costs the same both times and the difference is the file.
    await page.goto(`${base}/?backend=wasm`);
    const first = await probeLoad(page);
    await page.reload();
    const cached = await probeLoad(page);
    return { first, cached };
  } finally {
    await browser.close();
    stop();
  }
}
