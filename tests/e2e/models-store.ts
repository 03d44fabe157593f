import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GraphBuilder } from "../../models/onnx/builder";

/** The model every end-to-end store has installed (the Models panel and upscaler tests use it). */
export const E2E_MODEL = "realesrgan-x4fast";

/** The developer's store, where `npm run models -- install` puts real models. */
const REAL_STORE = join(process.cwd(), "models", "store");

/**
 * A stand-in for the model when the real one is not installed here (a fresh checkout without
 * network): a graph of the right kind of contract, input [1,3,h,w] → output [1,3,4h,4w], made of a
 * single nearest-neighbour Resize. Real-ESRGAN x4fast's manifest entry pins no sha256 (the studio
 * builds that file), so an installed record with this file's hash is as valid as the real one's.
 */
function standInModel(): Uint8Array {
  const g = new GraphBuilder("e2e-stand-in-upscaler");
  const input = g.input("input", "float32", [1, 3, "height", "width"]);
  const scales = g.initializer("scales", new Float32Array([1, 1, 4, 4]), [4]);
  g.node("Resize", [input, "", scales], { mode: "nearest" }, ["output"]);
  g.output("output", "float32", [1, 3, "4*height", "4*width"]);
  return g.toBytes();
}

/**
 * Fills a fresh MODELS_DIR for the e2e server with one installed model: a copy of the real
 * realesrgan-x4fast (about 5 MB) if this machine has it, else the stand-in. A copy, never a link:
 * a test that removes the model must not reach the developer's store.
 */
export function prepareModelStore(dir: string): string {
  const target = join(dir, E2E_MODEL);
  mkdirSync(target, { recursive: true });
  const real = join(REAL_STORE, E2E_MODEL, "installed.json");
  if (existsSync(real)) {
    const record = JSON.parse(readFileSync(real, "utf8")) as { files: { name: string }[] };
    for (const f of record.files)
      copyFileSync(join(REAL_STORE, E2E_MODEL, f.name), join(target, f.name));
    copyFileSync(real, join(target, "installed.json"));
    return dir;
  }
  const bytes = standInModel();
  writeFileSync(join(target, "model.onnx"), bytes);
  const record = {
    id: E2E_MODEL,
    installedAt: new Date().toISOString(),
    source: "e2e stand-in (tests/e2e/models-store.ts)",
    files: [
      {
        name: "model.onnx",
        bytes: bytes.byteLength,
        sha256: createHash("sha256").update(bytes).digest("hex"),
      },
    ],
  };
  writeFileSync(join(target, "installed.json"), JSON.stringify(record, null, 2));
  return dir;
}
