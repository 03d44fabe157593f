import { mkdir, readdir, rm } from "node:fs/promises";
import path from "node:path";
import { installedRecordSchema, type InstalledRecord } from "../store";
import { sha256File } from "./checksum";
import { commitStaged, partialDir } from "./installer";

/**
 * How a converter puts its output into the store, the way the installer commits a download: the
 * files are written into `<store>/.partial/<id>/` (`freshStaging`), hashed, and committed with
 * `commitStaged`, so a half-converted model is never "installed".
 */

/** A fresh, empty staging folder for `id`. */
export async function freshStaging(id: string): Promise<string> {
  const staging = partialDir(id);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  return staging;
}

/** Hashes the staged files (exactly `fileNames`, nothing else) and commits them as `id`. */
export async function commitConverted(
  id: string,
  staging: string,
  fileNames: readonly string[],
  source: string,
): Promise<InstalledRecord> {
  const stray = (await readdir(staging)).filter((name) => !fileNames.includes(name));
  if (stray.length > 0) {
    throw new Error(`${id}: unexpected files in ${staging}: ${stray.join(", ")}`);
  }
  const files: InstalledRecord["files"] = [];
  for (const name of fileNames) {
    const { sha256, bytes } = await sha256File(path.join(staging, name));
    files.push({ name, bytes, sha256 });
  }
  const record = installedRecordSchema.parse({
    id,
    installedAt: new Date().toISOString(),
    source,
    files,
  });
  await commitStaged(id, staging, record);
  return record;
}

/** The checkpoint given to a converter is not the one it converts: the message says how it differs. */
export class ConversionError extends Error {
  override readonly name: string = "ConversionError";
}
