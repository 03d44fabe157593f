import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MODELS } from "../../models/manifest";
import { GraphBuilder } from "../../models/onnx/builder";
import { installTinyModels, LEFFA_HD_IDS, LEFFA_POSE_IDS } from "../helpers/model-store";

/** The model the e2e store gets when this machine has it installed (about 5 MB). */
const PREFERRED = "realesrgan-x4fast";

/**
 * Models the e2e store holds as seeded tiny contract models (`make-tiny`): the real networks'
 * tensor names, dtypes and shapes with random weights, so the pose, mask and Leffa nodes run for
 * real in the browser (on WebGPU and on WASM) without weights this machine cannot download.
 */
export const E2E_TINY_MODELS: readonly string[] = [
  "dwpose-yolox-l",
  "dwpose-dw-ll-ucoco-384",
  "densepose-r50-fpn",
  "openpose-body",
  "schp-atr",
  "schp-lip",
  "segformer-b2-clothes",
  ...LEFFA_HD_IDS,
  ...LEFFA_POSE_IDS,
];

/** The Leffa graphs, installed as fp32 (see prepareModelStore). */
const LEFFA_IDS: readonly string[] = [...LEFFA_HD_IDS, ...LEFFA_POSE_IDS];

/** The developer's store, where `npm run models -- install` puts real models. */
const REAL_STORE = join(process.cwd(), "models", "store");

/**
 * A tiny stand-in ONNX graph (y = x) for a fresh checkout without the real model. It can only
 * stand in for a model whose manifest pins no sha256: a pinned one would refuse other bytes.
 */
function standIn(): { id: string; bytes: Uint8Array } {
  const entry = MODELS.find(
    (m) =>
      m.source.kind === "url" &&
      m.files.length === 1 &&
      m.files[0].sha256 === null &&
      !E2E_TINY_MODELS.includes(m.id),
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
 * Fills a fresh MODELS_DIR for the e2e server with the tiny models of `E2E_TINY_MODELS` and one
 * real model: a copy of realesrgan-x4fast if this machine has it installed, else a stand-in (see
 * `standIn`). A copy, never a link: a test that removes the model must not reach the developer's
 * store. Tests find that model through `GET /api/models` (the only installed one not tiny).
 */
export function prepareModelStore(dir: string): string {
  // The Leffa graphs as fp32 (`convert --dtype fp32`): Chromium's software WebGPU adapter has no
  // shader-f16, so only fp32 graphs show the sampler running on WebGPU there.
  installTinyModels(
    dir,
    E2E_TINY_MODELS.filter((id) => !LEFFA_IDS.includes(id)),
  );
  installTinyModels(dir, LEFFA_IDS, { floatType: "float32" });
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
