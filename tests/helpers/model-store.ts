import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { getModel } from "../../models/manifest";
import { INSTALLED_RECORD } from "../../models/store";
import { makeTinyModel } from "../../models/tiny/make-tiny";
import { LEFFA_FAMILIES } from "../../nodes/lib/leffa-sampler/family";
import { createStoreModelHost } from "../../workers/models/store-models";
import { makeTestContext, type TestContext } from "./node-context";

/**
 * Test model stores: graphs written into a store folder exactly as the installer leaves them
 * (the manifest's files plus installed.json), so nodes load them through the real store host.
 */

/** The four VITON-HD try-on graphs the Leffa Sampler loads. */
export const LEFFA_HD_IDS = LEFFA_FAMILIES.viton_hd.models;

/** The four SDXL pose-transfer graphs. */
export const LEFFA_POSE_IDS = LEFFA_FAMILIES.pose_transfer.models;

/**
 * Installs `models` (id → the graph's .onnx bytes) into the store at `dir`. A tiny graph carries
 * its weights inline: any external-data companion the manifest lists is written empty.
 */
export function installModels(
  dir: string,
  models: Readonly<Record<string, Uint8Array>>,
  source = "test model",
): void {
  for (const [id, graph] of Object.entries(models)) {
    const entry = getModel(id);
    const folder = path.join(dir, id);
    mkdirSync(folder, { recursive: true });
    // Optional files (a converter's side files) are left out, as older installs lack them.
    const files = entry.files
      .filter((f) => !f.optional)
      .map(({ name }) => {
        const bytes = name === (entry.onnx ?? entry.files[0].name) ? graph : new Uint8Array(0);
        writeFileSync(path.join(folder, name), bytes);
        return {
          name,
          bytes: bytes.length,
          sha256: createHash("sha256").update(bytes).digest("hex"),
        };
      });
    const record = { id, installedAt: new Date(0).toISOString(), source, files };
    writeFileSync(path.join(folder, INSTALLED_RECORD), JSON.stringify(record));
  }
  mkdirSync(dir, { recursive: true });
}

/**
 * Installs seeded tiny contract models (`makeTinyModel`) for `ids` into the store at `dir`.
 * `floatType: "float32"` installs the fp32 variant where a contract allows one (the Leffa graphs),
 * with the same weights as the default fp16 variant.
 */
export function installTinyModels(
  dir: string,
  ids: readonly string[],
  options: { floatType?: "float16" | "float32"; seed?: number } = {},
): void {
  installModels(
    dir,
    Object.fromEntries(ids.map((id) => [id, makeTinyModel(getModel(id), options)])),
    options.floatType === "float32" ? "tiny contract model (fp32)" : "tiny contract model",
  );
}

/** A fresh temporary store holding tiny contract models for `ids`; the caller removes it. */
export function tinyModelStore(ids: readonly string[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), "tiny-store-"));
  installTinyModels(dir, ids);
  return dir;
}

/** A node context whose models come from the current store (MODELS_DIR), as under the CLI. */
export function storeContext(overrides: Parameters<typeof makeTestContext>[0] = {}): TestContext {
  const host = createStoreModelHost();
  return makeTestContext({
    backend: { name: "wasm", detail: "test" },
    requireModel: (id) => host.require(id),
    loadModel: (id) => host.load(id, () => {}),
    loadGraph: (graph) => host.loadGenerated(graph),
    modelFile: (id, name) => host.file!(id, name),
    ...overrides,
  });
}
