import { createHash } from "node:crypto";
import path from "node:path";
import { MODELS } from "../../models/manifest";
import type { ModelEntry } from "../../models/manifest/schema";
import { testDensePoseTensors } from "../../models/convert/densepose/test-checkpoint";
import { testOpenPoseTensors } from "../../models/convert/openpose/test-checkpoint";
import type { HubRepoSpec } from "../../models/install/testing/fake-hub";
import { TINY_UNET, TINY_VAE } from "../../models/leffa/config";
import { expectedLeffaKeys } from "../../models/leffa/convert";
import { randomWeightMap } from "../../models/leffa/random-weights";
import { toFloat16Bits } from "../../models/onnx/float16";
import { makeTinyModel } from "../../models/tiny/make-tiny";
import {
  writeDetectron2Pkl,
  writeTorchLegacy,
  writeTorchZip,
  type TorchEntry,
} from "./checkpoint-writers";

/**
 * What the fake hub (models/install/testing/fake-hub.ts) serves in tests: every manifest file
 * the studio downloads from huggingface.co, at the path the manifest names, made tiny — seeded
 * contract models for the downloads (make-tiny), a tiny Leffa-layout `virtual_tryon.pth` (every
 * key of the real layout at TINY_UNET / TINY_VAE widths), and a tiny DensePose `.pkl` and OpenPose
 * body `.pth` of the real structures. The manifest entries come back with the tiny files' sizes; the pinned hash of the
 * download ids in `pinned` is the tiny file's, the rest are unpinned (checked against the hub's
 * declaration, or trusted on first use where the hub declares none).
 */

export const LEFFA_TINY_CONFIG = { unet: TINY_UNET, vae: TINY_VAE };

export interface TinyHubContent {
  repos: Record<string, HubRepoSpec>;
  entries: ModelEntry[];
  /** repo and path on the hub of each served manifest file, by model id and file name. */
  where: (id: string, file?: string) => { repo: string; file: string };
}

export interface TinyHubOptions {
  /** Download ids whose manifest hash is pinned to the tiny file's. */
  pinned?: readonly string[];
  /** Download ids kept in git rather than LFS on the fake hub (no declared sha256). */
  inGit?: readonly string[];
}

/** Writes the two tiny checkpoints into `dir` and describes what the hub serves. */
export async function tinyHubContent(
  dir: string,
  options: TinyHubOptions = {},
): Promise<TinyHubContent> {
  const repos: Record<string, HubRepoSpec> = {};
  const place = new Map<string, { repo: string; file: string }>();
  const serve = (url: string, spec: HubRepoSpec["files"][string], key: string) => {
    const m = /^https:\/\/huggingface\.co\/([^/]+\/[^/]+)\/resolve\/[^/]+\/(.+)$/.exec(url);
    if (!m) return false;
    (repos[m[1]] ??= { files: {} }).files[m[2]] = spec;
    place.set(key, { repo: m[1], file: m[2] });
    return true;
  };

  const leffa = path.join(dir, "virtual_tryon.pth");
  await writeTinyLeffaCheckpoint(leffa);
  const densepose = path.join(dir, "model_final_162be9.pkl");
  await writeDetectron2Pkl(
    densepose,
    Object.fromEntries(
      [...testDensePoseTensors(7)].map(([name, t]) => [
        name,
        { dtype: "float32" as const, shape: t.shape, data: t.data },
      ]),
    ),
  );
  const openpose = path.join(dir, "body_pose_model.pth");
  await writeTorchLegacy(
    openpose,
    Object.fromEntries(
      [...testOpenPoseTensors(5)].map(([name, t]) => [
        name,
        { dtype: "float32" as const, shape: t.shape, data: t.data },
      ]),
    ),
  );
  const checkpoints: Record<string, string> = {
    "virtual_tryon.pth": leffa,
    "model_final_162be9.pkl": densepose,
    "body_pose_model.pth": openpose,
  };

  const entries = MODELS.map((entry): ModelEntry => {
    const source = entry.source;
    if (source.kind === "convert") {
      const file = checkpoints[source.checkpoint];
      if (file) serve(source.checkpointUrl, { path: file }, entry.id);
      return entry;
    }
    if (source.kind !== "url") return entry;
    const files = entry.files.map((f) => {
      const data = makeTinyModel(entry, { seed: 5 });
      const served = serve(
        source.urls[f.name],
        { data, lfs: !options.inGit?.includes(entry.id) },
        `${entry.id}/${f.name}`,
      );
      if (!served) return f;
      const sha256 = createHash("sha256").update(data).digest("hex");
      return {
        ...f,
        bytes: data.length,
        sha256: options.pinned?.includes(entry.id) ? sha256 : null,
      };
    });
    return { ...entry, files };
  });

  return {
    repos,
    entries,
    where: (id, file) => {
      const found = place.get(file ? `${id}/${file}` : id);
      if (!found) throw new Error(`the tiny hub serves nothing for ${id} ${file ?? ""}`);
      return found;
    },
  };
}

/** A tiny Leffa-shaped .pth (fp16 storages, like a `.half()` save) with every expected key. */
export async function writeTinyLeffaCheckpoint(file: string): Promise<void> {
  const specs = expectedLeffaKeys(TINY_UNET, TINY_VAE);
  const values = randomWeightMap(specs, 11);
  const tensors: Record<string, TorchEntry> = {};
  for (const { key, shape } of specs) {
    const data = values.get(key)?.data as Float32Array;
    tensors[key] = { dtype: "float16", shape, data: toFloat16Bits(data) };
  }
  await writeTorchZip(file, tensors);
}
