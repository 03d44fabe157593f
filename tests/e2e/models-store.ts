import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MODELS } from "../../models/manifest";
import { GraphBuilder } from "../../models/onnx/builder";

/** The model the e2e store gets when this machine has it installed (about 5 MB). */
const PREFERRED = "realesrgan-x4fast";

/** The developer's store, where `npm run models -- install` puts real models. */
const REAL_STORE = join(process.cwd(), "models", "store");

/**
 * A tiny stand-in ONNX graph (y = x) for a fresh checkout without the real model. It can only
 * stand in for a model whose manifest pins no sha256: a pinned one would refuse other bytes.
 */
function standIn(): { id: string; bytes: Uint8Array } {
  const entry = MODELS.find(
    (m) => m.source.kind === "url" && m.files.length === 1 && m.files[0].sha256 === null,
  );
  if (!entry) {
    throw new Error(
      `no model can take a stand-in file; install the real one: npm run models -- install ${PREFERRED}`,
    );
  }
  const g = new GraphBuilder("e2e-stand-in");
  const x = g.input("x", "float32", ["n"]);
  g.node("Identity", [x], {}, ["y"]);
  g.output("y", "float32", ["n"]);
  return { id: entry.id, bytes: g.toBytes() };
}

/**
 * Fills a fresh MODELS_DIR for the e2e server with exactly one installed model: a copy of the
 * real realesrgan-x4fast if this machine has it installed, else a stand-in (see `standIn`). A
 * copy, never a link: a test that removes the model must not reach the developer's store. Tests
 * find the model through `GET /api/models` (the only one installed).
 */
export function prepareModelStore(dir: string): string {
  const real = join(REAL_STORE, PREFERRED, "installed.json");
  if (existsSync(real)) {
    const target = join(dir, PREFERRED);
    mkdirSync(target, { recursive: true });
    const record = JSON.parse(readFileSync(real, "utf8")) as { files: { name: string }[] };
    for (const f of record.files) {
      copyFileSync(join(REAL_STORE, PREFERRED, f.name), join(target, f.name));
    }
    copyFileSync(real, join(target, "installed.json"));
    return dir;
  }
  const { id, bytes } = standIn();
  const target = join(dir, id);
  mkdirSync(target, { recursive: true });
  const name = MODELS.find((m) => m.id === id)!.files[0].name;
  writeFileSync(join(target, name), bytes);
  const record = {
    id,
    installedAt: new Date().toISOString(),
    source: "e2e stand-in (tests/e2e/models-store.ts)",
    files: [
      { name, bytes: bytes.byteLength, sha256: createHash("sha256").update(bytes).digest("hex") },
    ],
  };
  writeFileSync(join(target, "installed.json"), JSON.stringify(record, null, 2));
  return dir;
}
